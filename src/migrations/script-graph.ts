import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { SupervisorError } from '../errors.js';
import type { Logger } from '../log.js';
import { parseAlembicIni } from './alembic-ini.js';
import { parseHistory } from './alembic-history.js';
import { headsOf, type ScriptGraph } from './plan.js';
import { parseRevisionFile } from './revision-file.js';

export interface ScriptGraphOptions {
  cwd: string;
  log: Logger;
  /** `alembic history`'s stdout lines: the slow way, for scripts the fast way cannot read. */
  alembicHistory: () => Promise<string[]>;
}

/**
 * The revision graph of the scripts that ALEMBIC_CONFIG points at. Read from the files without
 * Python when possible, so a container already at head starts its app without starting Python;
 * otherwise (a package script_location, a computed down_revision) alembic itself is asked.
 */
export async function readScriptGraph(alembicConfig: string, { cwd, log, alembicHistory }: ScriptGraphOptions): Promise<ScriptGraph> {
  const iniText = await readFile(alembicConfig, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new SupervisorError('config', `ALEMBIC_CONFIG=${JSON.stringify(alembicConfig)} cannot be read (${error.code ?? error.message}); point it at the app's alembic.ini`, { variable: 'ALEMBIC_CONFIG' });
  });
  let revisions: Map<string, string[]>;
  const details = new Map<string, { file?: string; message?: string }>();
  try {
    revisions = await readRevisionFiles(iniText, alembicConfig, cwd, details);
  } catch (error) {
    log.warn({ event: 'scripts', reason: (error as Error).message }, 'cannot read the migration scripts directly; asking alembic (slower)');
    revisions = parseHistory(await alembicHistory());
    details.clear();
  }
  return { revisions, heads: headsOf(revisions), details };
}

async function readRevisionFiles(iniText: string, alembicConfig: string, cwd: string, details: Map<string, { file?: string; message?: string }>): Promise<Map<string, string[]>> {
  const locations = parseAlembicIni(iniText, alembicConfig, cwd);
  const revisions = new Map<string, string[]>();
  for (const directory of locations.versionDirectories) {
    for (const file of await pythonFiles(directory, locations.recursive)) {
      const source = await readFile(file, 'utf8');
      const header = parseRevisionFile(source, file);
      if (!header) continue;
      revisions.set(header.revision, header.downRevisions);
      details.set(header.revision, { file, message: DOCSTRING.exec(source)?.[2]?.trim() || undefined });
    }
  }
  return revisions;
}

// The module docstring's first non-blank line: alembic's message for the revision.
const DOCSTRING = /^(?:\s*#[^\n]*\n)*\s*[rRuU]?("""|''')\s*([^\n]*?)(?:"""|'''|\n)/;

async function pythonFiles(directory: string, recursive: boolean): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(directory, entry.name);
    if (entry.isFile() && entry.name.endsWith('.py')) files.push(full);
    else if (recursive && entry.isDirectory() && entry.name !== '__pycache__') files.push(...(await pythonFiles(full, true)));
  }
  return files.sort();
}
