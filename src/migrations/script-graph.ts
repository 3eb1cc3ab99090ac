import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { SupervisorError } from '../errors.js';
import { parseAlembicIni } from './alembic-ini.js';
import { headsOf, type ScriptGraph } from './plan.js';
import { parseRevisionFile } from './revision-file.js';

/** The revision graph of the scripts that ALEMBIC_CONFIG points at, read without starting Python. */
export async function readScriptGraph(alembicConfig: string, cwd: string): Promise<ScriptGraph> {
  const iniText = await readFile(alembicConfig, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new SupervisorError('config', `ALEMBIC_CONFIG=${JSON.stringify(alembicConfig)} cannot be read (${error.code ?? error.message}); point it at the app's alembic.ini`, { variable: 'ALEMBIC_CONFIG' });
  });
  try {
    const locations = parseAlembicIni(iniText, alembicConfig, cwd);
    const revisions = new Map<string, string[]>();
    for (const directory of locations.versionDirectories) {
      for (const file of await pythonFiles(directory, locations.recursive)) {
        const header = parseRevisionFile(await readFile(file, 'utf8'), file);
        if (header) revisions.set(header.revision, header.downRevisions);
      }
    }
    return { revisions, heads: headsOf(revisions) };
  } catch (error) {
    if (error instanceof SupervisorError) throw error;
    throw new SupervisorError('config', `cannot read the migration scripts of ALEMBIC_CONFIG=${JSON.stringify(alembicConfig)}: ${(error as Error).message}`, { variable: 'ALEMBIC_CONFIG' });
  }
}

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
