import path from 'node:path';

/** Where an alembic.ini says the revision scripts are. Pure: takes the file's text. */
export interface ScriptLocations {
  versionDirectories: string[];
  recursive: boolean;
}

export function parseAlembicIni(text: string, iniPath: string, cwd: string): ScriptLocations {
  const section = readSection(text, 'alembic');
  const here = path.dirname(iniPath);
  const interpolate = (value: string) => value.replace(/%\(here\)s/g, here).replace(/%%/g, '%');
  const scriptLocation = section.get('script_location');
  if (!scriptLocation) throw new Error(`${iniPath}: no script_location in the [alembic] section`);
  if (/^[\w.]+:[\w./]+$/.test(scriptLocation)) {
    throw new Error(`${iniPath}: script_location ${scriptLocation} names a Python package; use a directory path`);
  }
  // alembic resolves relative locations against the working directory, not the ini file.
  const resolve = (location: string) => path.resolve(cwd, interpolate(location));
  const versionLocations = section.get('version_locations');
  const versionDirectories = versionLocations
    ? splitLocations(versionLocations, section.get('path_separator') ?? section.get('version_path_separator')).map(resolve)
    : [path.join(resolve(scriptLocation), 'versions')];
  const recursive = /^(true|1|yes|on)$/i.test(section.get('recursive_version_locations') ?? '');
  return { versionDirectories, recursive };
}

function splitLocations(value: string, separator: string | undefined): string[] {
  const bySeparator: Record<string, RegExp> = { space: / +/, newline: /\n+/, ',': /,/, ';': /;/, ':': /:/, os: new RegExp(path.delimiter) };
  // Unset separator: alembic's legacy behaviour splits on spaces and commas.
  const splitter = separator ? (bySeparator[separator.trim()] ?? /[ ,]+/) : /[ ,]+/;
  return value.split(splitter).map((part) => part.trim()).filter(Boolean);
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
