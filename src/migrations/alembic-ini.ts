import path from 'node:path';
import { parse as parseToml } from 'smol-toml';

/** Where alembic's configuration says the revision scripts are. Pure: takes the files' text. */
export interface ScriptLocations {
  versionDirectories: string[];
  recursive: boolean;
}

export interface ConfigFile {
  path: string;
  /** undefined when the file does not exist. */
  text: string | undefined;
}

/**
 * The two files `alembic -c <ALEMBIC_CONFIG>` reads (alembic >= 1.16): an ALEMBIC_CONFIG named
 * pyproject.toml is the TOML file and alembic.ini comes from the working directory; any other
 * ALEMBIC_CONFIG is the ini file and pyproject.toml comes from the working directory.
 */
export function configFiles(alembicConfig: string, cwd: string): { ini: string; toml: string } {
  return path.basename(alembicConfig) === 'pyproject.toml'
    ? { ini: path.join(cwd, 'alembic.ini'), toml: alembicConfig }
    : { ini: alembicConfig, toml: path.join(cwd, 'pyproject.toml') };
}

/**
 * Reads script_location, version_locations, recursive_version_locations as alembic does: each
 * option from the ini file's [alembic] section if it is there, else from pyproject.toml's
 * [tool.alembic]. Throws for whatever it cannot follow exactly (the caller then asks alembic).
 */
export function scriptLocations(ini: ConfigFile, toml: ConfigFile, cwd: string): ScriptLocations {
  const section = ini.text === undefined ? new Map<string, string>() : readSection(ini.text, 'alembic');
  const iniValue = (key: string) => section.get(key)?.replace(/%\(here\)s/g, path.dirname(ini.path)).replace(/%%/g, '%');
  const tomlOptions = toml.text === undefined ? {} : readToolAlembic(toml.text, toml.path);
  const tomlValue = (key: string): unknown => interpolateToml(tomlOptions[key], path.dirname(toml.path), `${toml.path}: [tool.alembic] ${key}`);
  const where = ini.text === undefined ? toml.path : toml.text === undefined ? ini.path : `${ini.path} and ${toml.path}`;

  const scriptLocation = iniValue('script_location') ?? tomlValue('script_location');
  if (scriptLocation === undefined) throw new Error(`${where}: no script_location in [alembic] or [tool.alembic]`);
  if (typeof scriptLocation !== 'string') throw new Error(`${toml.path}: script_location is not a string`);
  // alembic resolves relative locations against the working directory, not the config file.
  const resolve = (location: string) => {
    if (/^[\w.]+:[\w./]+$/.test(location)) throw new Error(`${where}: ${location} names a Python package; use a directory path`);
    return path.resolve(cwd, location);
  };
  const versionLocations = iniValue('version_locations');
  const tomlLocations = tomlValue('version_locations');
  let versionDirectories: string[];
  if (versionLocations) versionDirectories = splitLocations(versionLocations, section.get('path_separator') ?? section.get('version_path_separator'), ini.path).map(resolve);
  else if (tomlLocations === undefined || tomlLocations === null) versionDirectories = [path.join(resolve(scriptLocation), 'versions')];
  else if (Array.isArray(tomlLocations) && tomlLocations.every((location) => typeof location === 'string')) versionDirectories = (tomlLocations as string[]).map(resolve);
  else throw new Error(`${toml.path}: version_locations is not a list of paths`);

  const flag = (key: string): boolean => {
    const fromIni = section.get(key);
    // alembic compares the ini value with "true" exactly, and wants a TOML boolean.
    if (fromIni !== undefined) return fromIni === 'true';
    const value = tomlOptions[key] ?? false;
    if (typeof value !== 'boolean') throw new Error(`${toml.path}: ${key} is not a boolean`);
    return value;
  };
  if (flag('sourceless')) throw new Error(`${where}: sourceless = true (revisions may be .pyc files)`);
  return { versionDirectories, recursive: flag('recursive_version_locations') };
}

function readToolAlembic(text: string, file: string): Record<string, unknown> {
  let data: Record<string, unknown>;
  try {
    data = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${file}: not valid TOML (${(error as Error).message.split('\n')[0]})`);
  }
  const tool = data.tool as Record<string, unknown> | undefined;
  const options = tool?.alembic;
  return options && typeof options === 'object' ? (options as Record<string, unknown>) : {};
}

/** Python's `value % {"here": ...}`, which alembic applies to every TOML string. */
function interpolateToml(value: unknown, here: string, where: string): unknown {
  const one = (text: string) => {
    const result = text.replace(/%\(here\)s|%%/g, (token) => (token === '%%' ? '\u0000' : here));
    if (result.includes('%')) throw new Error(`${where}: ${JSON.stringify(text)} uses a substitution other than %(here)s`);
    return result.replace(/\u0000/g, '%');
  };
  if (typeof value === 'string') return one(value);
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? one(item) : item));
  return value;
}

const SEPARATORS: Record<string, string> = { space: ' ', newline: '\n', os: path.delimiter, ':': ':', ';': ';' };

function splitLocations(value: string, separator: string | undefined, iniPath: string): string[] {
  // Unset separator: alembic's legacy behaviour splits on spaces and commas.
  if (separator === undefined) return value.split(/, *| +/).filter(Boolean);
  const split = SEPARATORS[separator];
  if (split === undefined) throw new Error(`${iniPath}: path_separator = ${separator} is not one alembic knows (space, newline, os, :, ;)`);
  return value.split(split).map((part) => part.trim()).filter(Boolean);
}

/** The keys of one ini section, with indented continuation lines joined by newlines. */
function readSection(text: string, name: string): Map<string, string> {
  const values = new Map<string, string>();
  let inSection = false;
  let lastKey: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[([^\]]+)\]/.exec(line);
    if (header) {
      inSection = header[1]?.trim() === name;
      lastKey = undefined;
      continue;
    }
    if (!inSection || /^\s*[#;]/.test(line) || line.trim() === '') continue;
    if (/^\s/.test(line) && lastKey) {
      values.set(lastKey, `${values.get(lastKey)}\n${line.trim()}`);
      continue;
    }
    const pair = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (pair?.[1]) {
      lastKey = pair[1].trim().toLowerCase();
      values.set(lastKey, (pair[2] ?? '').trim());
    }
  }
  return values;
}
