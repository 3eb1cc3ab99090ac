import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { trackChild } from './children.js';

export interface RunOptions {
  /** The child's whole environment. */
  env: NodeJS.ProcessEnv;
  /** Aborting it stops the child: SIGTERM, then SIGKILL `killAfterMs` later. */
  signal: AbortSignal;
  /** Stops the child likewise when it runs longer; 0 means no limit. */
  timeoutMs: number;
  killAfterMs: number;
}

export interface RunResult {
  /** False when it exited 0. */
  failed: boolean;
  /** Undefined when a signal ended it, or it never started. */
  exitCode?: number;
  signal?: NodeJS.Signals;
  timedOut: boolean;
  /** Why it could not be started (ENOENT, EACCES), when it could not. */
  code?: string;
}

export interface RunningChild {
  pid: number | undefined;
  stdout: Readable;
  stderr: Readable;
  /** Settles once the child has exited and its output has closed; never rejects. */
  result: Promise<RunResult>;
}

/**
 * Runs a command to its end, without a shell, stdin closed, its output piped. A stopped or timed-out
 * child gets SIGTERM, then SIGKILL if it is still there `killAfterMs` later. (execa did this: loading
 * it cost 15-25 ms before every alembic run, and its first run about 13 ms more.)
 */
export function runToEnd(file: string, args: string[], options: RunOptions): RunningChild {
  const child = spawn(file, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    child.kill('SIGTERM');
    killTimer ??= setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
  };
  const timer = options.timeoutMs > 0 ? setTimeout(() => ((timedOut = true), stop()), options.timeoutMs) : undefined;
  options.signal.addEventListener('abort', stop, { once: true });
  if (options.signal.aborted) stop();
  let startFailure: string | undefined;
  // A child that could not be started emits 'error' (then 'close', with a negative errno).
  child.once('error', (error: NodeJS.ErrnoException) => {
    if (child.pid === undefined) startFailure = error.code ?? error.message;
  });
  const result = new Promise<RunResult>((resolve) => {
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      options.signal.removeEventListener('abort', stop);
      if (startFailure !== undefined) resolve({ failed: true, timedOut, code: startFailure });
      else resolve({ failed: exitCode !== 0, timedOut, ...(exitCode === null ? {} : { exitCode }), ...(signal ? { signal } : {}) });
    });
  });
  trackChild(child.pid, result);
  return { pid: child.pid, stdout: child.stdout, stderr: child.stderr, result };
}
