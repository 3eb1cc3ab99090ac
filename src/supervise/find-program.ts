import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** What exec would find for a program name: the file, or why there is none. */
export type Lookup = { kind: 'program'; file: string } | { kind: 'missing' } | { kind: 'not-executable' | 'directory'; file: string };

// What execvp searches when PATH is unset (glibc's and musl's default).
const DEFAULT_PATH = '/usr/local/bin:/bin:/usr/bin';

/**
 * Looks a program up as execvp will when it is started: a name with a slash is a path (from `cwd`),
 * any other name is searched on PATH, and a match that cannot be run is skipped but remembered.
 */
export function lookUpProgram(name: string, env: { readonly PATH?: string }, cwd: string): Lookup {
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
