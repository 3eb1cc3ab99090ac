import { constants } from 'node:os';
import type { Logger } from './log.js';

/** Every way the supervisor can fail before or instead of running the app, and its exit code. */
export const EXIT_CODES = {
  config: 64,
  refused: 65,
  unavailable: 69,
  migrationFailed: 70,
  lockTimeout: 75,
  /** EX_SOFTWARE, as for a failed migration: a bug in the supervisor itself. */
  internal: 70,
  notExecutable: 126,
  notFound: 127,
} as const;

export type FailureKind = keyof typeof EXIT_CODES;

export class SupervisorError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'SupervisorError';
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
}

/** Work stopped because the supervisor received a terminating signal. */
export class InterruptedError extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`stopped by ${signal}`);
    this.name = 'InterruptedError';
  }

  get exitCode(): number {
    return signalExitCode(this.signal);
  }
}

export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

export const configError = (variable: string, shownValue: string, expected: string) =>
  new SupervisorError('config', `${variable}=${JSON.stringify(shownValue)} is invalid: ${expected}`, { variable });

/** The exit code for anything thrown out of a command; unknown errors are internal failures. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof SupervisorError || error instanceof InterruptedError) return error.exitCode;
  return EXIT_CODES.internal;
}

/** Logs why the supervisor stops, as one line, and returns the exit code. */
export function reportFailure(error: unknown, log: Logger): number {
  const exitCode = exitCodeOf(error);
  if (error instanceof InterruptedError) {
    log.warn({ event: 'shutdown', signal: error.signal, exitCode }, `stopped by ${error.signal} before the app started`);
  } else if (error instanceof SupervisorError) {
    log.error({ event: 'exit', exitCode, ...error.details }, error.message);
  } else {
    log.error({ event: 'exit', exitCode, err: error }, `internal error: ${(error as Error).message}`);
  }
  return exitCode;
}
