import type { Environment } from './config/config.js';
import { SupervisorError } from './errors.js';
import { lookUpProgram } from './supervise/find-program.js';

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
