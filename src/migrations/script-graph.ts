// Synchronous reads: a promise read of a small file is four thread-pool round trips (reading a few
// hundred revisions took several times longer than parsing them), and node:fs/promises loads a
// handful of modules (readline among them) that a start at head never needs.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { monotonicMs } from '../clock.js';
import { SupervisorError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Phases } from '../phases.js';
import { configFiles, scriptLocations, type ConfigFile } from './alembic-ini.js';
import { parseHistory } from './alembic-history.js';
import { headsOf, type ScriptGraph } from './plan.js';
import { parseRevisionFile } from './revision-file.js';

export interface ScriptGraphOptions {
  cwd: string;
  log: Logger;
  phases: Phases;
  /** `alembic history --verbose`'s stdout lines: the slow way, for scripts the fast way cannot read. */
  alembicHistory: () => Promise<string[]>;
  /** ALEMBIC_CONFIG's text, when the caller has read it already (readAlembicConfig). */
  configText?: string;
}

type Revisions = Map<string, { parents: string[]; file?: string; message?: string }>;

/**
 * The revision graph of the scripts that ALEMBIC_CONFIG points at. Read from the files without
 * Python when every file can be read exactly, so a container already at head starts its app
 * without starting Python; otherwise (a package script_location, a computed down_revision) the
 * whole graph comes from alembic itself: never a graph with a revision missing.
 */
export async function readScriptGraph(alembicConfig: string, { cwd, log, phases, alembicHistory, configText }: ScriptGraphOptions): Promise<ScriptGraph> {
  const phase = phases.start('scripts');
  const given = configText ?? readAlembicConfig(alembicConfig);
  let revisions: Revisions;
  let source: 'files' | 'alembic history';
  try {
    revisions = await readRevisionFiles(alembicConfig, given, cwd);
    source = 'files';
  } catch (error) {
    log.warn({ event: 'scripts', reason: (error as Error).message }, `cannot read the migration scripts exactly without Python (${(error as Error).message}); asking alembic for the whole history (slower)`);
    try {
      revisions = parseHistory(await alembicHistory());
    } catch (failure) {
      phase.fail({ source: 'alembic history' }, 'alembic history failed');
      throw failure;
    }
    source = 'alembic history';
  }
  const graph = toGraph(revisions);
  phase.done({ source, revisions: revisions.size, heads: graph.heads }, `read ${revisions.size} revisions from ${source === 'files' ? 'the script files' : 'alembic history'}; head ${graph.heads.join(', ') || '(none)'}`);
  return graph;
}

function toGraph(revisions: Revisions): ScriptGraph {
  const parents = new Map([...revisions].map(([revision, entry]) => [revision, entry.parents]));
  const details = new Map([...revisions].map(([revision, { file, message }]) => [revision, { ...(file === undefined ? {} : { file }), ...(message === undefined ? {} : { message }) }]));
  return { revisions: parents, heads: headsOf(parents), details };
}

/** ALEMBIC_CONFIG's text, or a configuration error naming it (a path that is missing, a directory, unreadable). */
export function readAlembicConfig(alembicConfig: string): string {
  try {
    return readFileSync(alembicConfig, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new SupervisorError('config', `ALEMBIC_CONFIG=${JSON.stringify(alembicConfig)} cannot be read (${code ?? message}); point it at the app's alembic.ini (or pyproject.toml with [tool.alembic])`, { variable: 'ALEMBIC_CONFIG' });
  }
}

function readIfThere(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

// The read runs beside the database wait and the migration lock: it gives the event loop a turn
// this often, so a long history never holds up the connection's round trips.
const SLICE_MS = 0.5;

async function readRevisionFiles(alembicConfig: string, given: string, cwd: string): Promise<Revisions> {
  const files = configFiles(alembicConfig, cwd);
  const read = (file: string): ConfigFile => ({ path: file, text: file === alembicConfig ? given : readIfThere(file) });
  const locations = scriptLocations(read(files.ini), read(files.toml), cwd);
  const revisions: Revisions = new Map();
  let sliceStart = monotonicMs();
  for (const directory of locations.versionDirectories) {
    for (const file of revisionFiles(directory, locations.recursive)) {
      if (monotonicMs() - sliceStart > SLICE_MS) {
        await setImmediate();
        sliceStart = monotonicMs();
      }
      const header = parseRevisionFile(readFileSync(file, 'utf8'), file);
      if (!header) throw new Error(`${file} assigns no revision`);
      if (revisions.has(header.revision)) throw new Error(`${file}: revision ${header.revision} is also in ${revisions.get(header.revision)?.file}`);
      revisions.set(header.revision, { parents: header.downRevisions, file, ...(header.message === undefined ? {} : { message: header.message }) });
    }
  }
  for (const [revision, entry] of revisions) {
    const missing = entry.parents.find((parent) => !revisions.has(parent));
    if (missing !== undefined) throw new Error(`${entry.file}: revision ${revision} revises ${missing}, which no script defines`);
  }
  return revisions;
}

/** The files alembic loads as revisions: `*.py` except `__init__*` and editor locks `.#*`, skipping __pycache__. */
function revisionFiles(directory: string, recursive: boolean): string[] {
  const entries = readdirSync(directory, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(directory, entry.name);
    if (entry.isSymbolicLink()) throw new Error(`${full} is a symbolic link`);
    if (entry.isFile() && /^(?!\.#|__init__).*\.py$/.test(entry.name)) files.push(full);
    else if (recursive && entry.isDirectory() && entry.name !== '__pycache__') files.push(...revisionFiles(full, true));
  }
  return files;
}
