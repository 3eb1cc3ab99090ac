import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { InterruptedError, SupervisorError } from '../errors.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../log.js';
import { trackChild } from '../supervise/children.js';

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
  /** Set on top of the supervisor's own environment (test-migrations points DATABASE_URL at its test database). */
  env?: Readonly<Record<string, string>>;
}

/** What every alembic run takes from the configuration. */
export function alembicOptions(config: Config, signal: AbortSignal, log: Logger): AlembicOptions {
  return { command: config.alembicCommand, configPath: config.alembicConfig, timeoutMs: config.migrationTimeoutMs, signal, log };
}

const KILL_AFTER_MS = 5_000;
const TAIL_LINES = 20;

/**
 * Runs the real alembic CLI (no shell), with DATABASE_URL and the rest of the environment
 * passed through, re-emitting each line it prints as a log event. Resolves with its stdout lines;
 * throws when it fails.
 */
export async function runAlembic(args: string[], options: AlembicOptions): Promise<string[]> {
  const [file, ...prefix] = options.command;
  if (file === undefined) throw new SupervisorError('config', 'ALEMBIC_COMMAND is empty');
  const argv = [...prefix, '-c', options.configPath, ...args];
  const tail: string[] = [];
  const stdout: string[] = [];
  const echo = (stream: 'stdout' | 'stderr', line: string) => {
    options.log[options.echoLevel ?? 'info']({ event: 'alembic', stream }, line);
    if (stream === 'stdout') stdout.push(line);
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  // Loaded only when alembic must run: a container whose database is at head never pays for it.
  const { execa } = await import('execa');
  const subprocess = execa(file, argv, {
    env: { PYTHONUNBUFFERED: '1', ...(options.applicationName ? { PGAPPNAME: options.applicationName } : {}), ...options.env },
    stdin: 'ignore',
    buffer: false,
    reject: false,
    cancelSignal: options.signal,
    forceKillAfterDelay: KILL_AFTER_MS,
    ...(options.timeoutMs > 0 ? { timeout: options.timeoutMs } : {}),
  });
  trackChild(subprocess.pid, subprocess);
  const relayed = Promise.all([relayLines(subprocess.stdout, 'stdout', echo), relayLines(subprocess.stderr, 'stderr', echo)]);
  const result = await subprocess;
  await relayed;
  if (options.signal.aborted) throw new InterruptedError(options.signal.reason as NodeJS.Signals);
  if (!result.failed) return stdout;

  const command = [file, ...argv].join(' ');
  const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'EACCES') {
    throw new SupervisorError('migrationFailed', `ALEMBIC_COMMAND=${JSON.stringify(options.command.join(' '))} could not be started (${code}); install alembic in the image or set ALEMBIC_COMMAND, e.g. "python -m alembic"`);
  }
  const why = result.timedOut
    ? `was stopped after MIGRATION_TIMEOUT=${options.timeoutMs / 1000}s`
    : result.signal
      ? `was killed by ${result.signal}`
      : `exited with code ${result.exitCode}`;
  throw new SupervisorError('migrationFailed', `${command} ${why}`, { output: tail.join('\n') });
}

async function relayLines(stream: Readable | null, name: 'stdout' | 'stderr', echo: (name: 'stdout' | 'stderr', line: string) => void): Promise<void> {
  if (!stream) return;
  for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line.trim() !== '') echo(name, line);
  }
}
