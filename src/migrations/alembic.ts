import { InterruptedError, SupervisorError } from '../errors.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../log.js';
import { trackChild } from '../supervise/children.js';
import { AlembicOutput, readLines } from './alembic-output.js';

export interface AlembicOptions {
  command: string[];
  /** libpq's PGAPPNAME for alembic's own connection, so a stopped run's session can be found and ended. */
  applicationName?: string;
  configPath: string;
  /** 0 means no limit. */
  timeoutMs: number;
  signal: AbortSignal;
  log: Logger;
  /** The level alembic's lines are re-emitted at: `debug` for output the supervisor reads itself. */
  echoLevel?: 'info' | 'debug';
}

/** What every alembic run takes from the configuration. */
export function alembicOptions(config: Config, signal: AbortSignal, log: Logger): AlembicOptions {
  return { command: config.alembicCommand, configPath: config.alembicConfig, timeoutMs: config.migrationTimeoutMs, signal, log };
}

const KILL_AFTER_MS = 5_000;

/**
 * Runs the real alembic CLI (no shell), with DATABASE_URL and the rest of the environment
 * passed through, re-emitting each line it prints as a log event (see AlembicOutput). Resolves
 * with its stdout lines when they are echoed at debug (output the supervisor reads itself);
 * throws when it fails, with what alembic said about the failure in the error's details.
 */
export async function runAlembic(args: string[], options: AlembicOptions): Promise<string[]> {
  const [file, ...prefix] = options.command;
  if (file === undefined) throw new SupervisorError('config', 'ALEMBIC_COMMAND is empty');
  const argv = [...prefix, '-c', options.configPath, ...args];
  const level = options.echoLevel ?? 'info';
  const output = new AlembicOutput(options.log, level, level === 'debug');
  // Loaded only when alembic must run: a container whose database is at head never pays for it.
  const { execa } = await import('execa');
  const subprocess = execa(file, argv, {
    env: { PYTHONUNBUFFERED: '1', ...(options.applicationName ? { PGAPPNAME: options.applicationName } : {}) },
    stdin: 'ignore',
    buffer: false,
    reject: false,
    cancelSignal: options.signal,
    forceKillAfterDelay: KILL_AFTER_MS,
    ...(options.timeoutMs > 0 ? { timeout: options.timeoutMs } : {}),
  });
  trackChild(subprocess.pid, subprocess);
  const relayed = Promise.all([
    readLines(subprocess.stdout, (line) => output.line('stdout', line)),
    readLines(subprocess.stderr, (line) => output.line('stderr', line)),
  ]);
  const result = await subprocess;
  await relayed;
  output.finish(result.failed);
  if (options.signal.aborted) throw new InterruptedError(options.signal.reason as NodeJS.Signals);
  if (!result.failed) return output.stdout;

  const command = [file, ...argv].join(' ');
  const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'EACCES') {
    throw new SupervisorError('migrationFailed', `ALEMBIC_COMMAND=${JSON.stringify(options.command.join(' '))} could not be started (${code}); install alembic in the image or set ALEMBIC_COMMAND, e.g. "python -m alembic"`, { cause: 'alembic-missing' });
  }
  const why = result.timedOut
    ? `was stopped after MIGRATION_TIMEOUT=${options.timeoutMs / 1000}s`
    : result.signal
      ? `was killed by ${result.signal}`
      : `exited with code ${result.exitCode}`;
  throw new SupervisorError('migrationFailed', `${command} ${why}`, { alembic: output.failure() });
}
