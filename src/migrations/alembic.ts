import { InterruptedError, SupervisorError } from '../errors.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../log.js';
import { diesWithMe, LAUNCH_FAILED, LAUNCH_FAILURE_PREFIX } from '../supervise/launcher.js';
import { runToEnd } from '../supervise/run-to-end.js';
import { AlembicOutput, readLines } from './alembic-output.js';

export interface AlembicOptions {
  command: string[];
  /** libpq's PGAPPNAME for alembic's own connection, so a stopped run's session can be found and ended. */
  applicationName?: string;
  configPath: string;
  /** lock_timeout for alembic's sessions, through libpq's PGOPTIONS; 0 or absent means none. */
  lockTimeoutMs?: number;
  /** 0 means no limit. */
  timeoutMs: number;
  signal: AbortSignal;
  log: Logger;
  /** The level alembic's lines are re-emitted at: `debug` for output the supervisor reads itself. */
  echoLevel?: 'info' | 'debug';
  /** Sees every line as it arrives, for what alembic reports while it runs (revisions, the exception). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Set on top of the supervisor's own environment (test-migrations points DATABASE_URL at its test database). */
  env?: Readonly<Record<string, string>>;
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
  const line = (stream: 'stdout' | 'stderr') => (text: string) => {
    output.line(stream, text);
    options.onLine?.(text, stream);
  };
  // alembic must never outlive the supervisor (kill -9, OOM): it would go on migrating unlocked.
  const child = runToEnd(...diesWithMe(file, argv), {
    env: {
      ...process.env,
      PYTHONUNBUFFERED: '1',
      ...(options.applicationName ? { PGAPPNAME: options.applicationName } : {}),
      ...(options.lockTimeoutMs ? { PGOPTIONS: withLockTimeout(options.lockTimeoutMs, process.env.PGOPTIONS) } : {}),
      ...options.env,
    },
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    killAfterMs: KILL_AFTER_MS,
  });
  await Promise.all([readLines(child.stdout, line('stdout')), readLines(child.stderr, line('stderr'))]);
  const result = await child.result;
  output.finish(result.failed);
  if (options.signal.aborted) throw new InterruptedError(options.signal.reason as NodeJS.Signals);
  if (!result.failed) return output.stdout;

  const command = [file, ...argv].join(' ');
  const failure = output.failure();
  const code = launchFailure(result, failure.exception);
  if (code) {
    throw new SupervisorError('migrationFailed', `ALEMBIC_COMMAND=${JSON.stringify(options.command.join(' '))} could not be started (${code}); install alembic in the image or set ALEMBIC_COMMAND, e.g. "python -m alembic"`, { cause: 'alembic-missing' });
  }
  const why = result.timedOut
    ? `was stopped after MIGRATION_TIMEOUT=${options.timeoutMs / 1000}s`
    : result.signal
      ? `was killed by ${result.signal}`
      : `exited with code ${result.exitCode}`;
  throw new SupervisorError('migrationFailed', `${command} ${why}`, { alembic: failure });
}

/** The user's own PGOPTIONS come last, so a lock_timeout set there wins. */
function withLockTimeout(lockTimeoutMs: number, userOptions: string | undefined): string {
  return [`-c lock_timeout=${lockTimeoutMs}`, userOptions?.trim()].filter(Boolean).join(' ');
}

/**
 * Why alembic failed, when a new try may succeed: a statement gave up waiting for a lock
 * (lock_timeout, SQLSTATE 55P03, rolled back), or the server had no connection slot left.
 */
export function transientFailure(error: unknown): 'lock timeout' | 'no connection slot' | undefined {
  if (!(error instanceof SupervisorError) || error.kind !== 'migrationFailed') return undefined;
  const exception = String((error.details.alembic as { exception?: string } | undefined)?.exception ?? '');
  if (/LockNotAvailable|canceling statement due to lock timeout/.test(exception)) return 'lock timeout';
  if (/TooManyConnections|too many (connections|clients)|remaining connection slots are reserved/i.test(exception)) return 'no connection slot';
  return undefined;
}

/** Why the command could not be started: directly (as PID 1: the spawn's error code), or through the launcher (its exit code and last words). */
function launchFailure({ exitCode, code }: { exitCode?: number; code?: string }, lastWords: string | undefined): string | undefined {
  if (code !== undefined) return code;
  if (exitCode !== LAUNCH_FAILED.notFound && exitCode !== LAUNCH_FAILED.notExecutable) return undefined;
  if (!lastWords?.startsWith(LAUNCH_FAILURE_PREFIX)) return undefined;
  // The supervisor's launch mode names the errno; the shell says "not found" or "Permission denied".
  const named = lastWords.split(': ').at(-1) ?? '';
  return /^E[A-Z0-9]+$/.test(named) ? named : exitCode === LAUNCH_FAILED.notFound ? 'ENOENT' : 'EACCES';
}
