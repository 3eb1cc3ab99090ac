import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import type { Environment } from './config/config.js';
import { SupervisorError } from './errors.js';

/** What exec would find for a program name: the file, or why there is none. */
export type Lookup = { kind: 'program'; file: string } | { kind: 'missing' } | { kind: 'not-executable' | 'directory'; file: string };

// What execvp searches when PATH is unset (glibc's and musl's default).
const DEFAULT_PATH = '/usr/local/bin:/bin:/usr/bin';

/**
 * Looks a program up as execvp will when it is started: a name with a slash is a path (from `cwd`),
 * any other name is searched on PATH, and a match that cannot be run is skipped but remembered.
 */
export function lookUpProgram(name: string, env: Environment, cwd: string): Lookup {
  const candidates = name.includes('/')
    ? [path.resolve(cwd, name)]
    : (env.PATH ?? DEFAULT_PATH).split(':').map((directory) => path.resolve(cwd, directory || '.', name));
  let unusable: Lookup = { kind: 'missing' };
  for (const file of candidates) {
    const found = inspect(file);
    if (found.kind === 'program') return found;
    if (found.kind !== 'missing' && unusable.kind === 'missing') unusable = found;
  }
  return unusable;
}

function inspect(file: string): Lookup {
  try {
    if (statSync(file).isDirectory()) return { kind: 'directory', file };
    accessSync(file, constants.X_OK);
    return { kind: 'program', file };
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EACCES' ? { kind: 'not-executable', file } : { kind: 'missing' };
  }
}

/** The app command, checked before anything waits or migrates: a typo costs no migration. */
export function requireApp(app: readonly string[], env: Environment, cwd: string): string[] {
  const [name] = app;
  if (name === undefined) throw new SupervisorError('config', 'no app command given: use backend-supervisor run -- CMD [ARGS...] (or `migrate` to only migrate)');
  if (name.trim() === '') throw new SupervisorError('config', 'the app command is an empty word: give a program, e.g. backend-supervisor run -- uvicorn app.main:app');
  const found = lookUpProgram(name, env, cwd);
  if (found.kind === 'missing') {
    throw new SupervisorError('notFound', `the app command ${JSON.stringify(name)} was not found ${name.includes('/') ? '' : 'on PATH '}(check the command, the image and PATH)`, { command: name });
  }
  if (found.kind !== 'program') {
    const what = found.kind === 'directory' ? 'is a directory' : 'is not executable (chmod +x it, or start it through its interpreter)';
    throw new SupervisorError('notExecutable', `the app command ${JSON.stringify(name)} cannot be executed: ${found.file} ${what}`, { command: name });
  }
  return [...app];
}

/** ALEMBIC_COMMAND, checked before anything waits or migrates. */
export function requireAlembic(command: readonly string[], env: Environment, cwd: string): void {
  const [name] = command;
  const found = name === undefined ? ({ kind: 'missing' } as const) : lookUpProgram(name, env, cwd);
  if (found.kind === 'program') return;
  const why = found.kind === 'missing' ? `${JSON.stringify(name)} was not found on PATH` : `${found.file} ${found.kind === 'directory' ? 'is a directory' : 'is not executable'}`;
  throw new SupervisorError('config', `ALEMBIC_COMMAND=${JSON.stringify(command.join(' '))} cannot be started: ${why}; install alembic in the image or set ALEMBIC_COMMAND, e.g. "python -m alembic"`, { variable: 'ALEMBIC_COMMAND' });
}
