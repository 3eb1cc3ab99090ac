import { spawn, type ChildProcess } from 'node:child_process';
import { EXIT_CODES } from '../errors.js';
import type { Logger } from '../log.js';
import type { Phases } from '../phases.js';
import { trackChild } from './children.js';
import { exitStatus } from './exit-status.js';
import { TERMINATING_SIGNALS, type SignalRouter } from './signals.js';

export interface SuperviseOptions {
  command: string[];
  shutdownTimeoutMs: number;
  /** Signal the app's whole process group (like tini -g) instead of the app alone. */
  processGroup: boolean;
  signals: SignalRouter;
  log: Logger;
  phases: Phases;
}

/** Runs the app with the container's stdio, forwards signals to it, and resolves with its exit status. */
export function superviseApp(options: SuperviseOptions): Promise<number> {
  const { command, log, phases } = options;
  const [file, ...args] = command;
  const appPhase = phases.start('app');
  return new Promise((resolve) => {
    // Its own session: a terminal's Ctrl-C then reaches the supervisor alone, which forwards it once;
    // in the supervisor's group the app would get it twice, and uvicorn takes a second SIGINT as "force exit".
    const child = spawn(file as string, args, { stdio: 'inherit', detached: true });
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    trackChild(child.pid, exited);
    const shutdown = new ShutdownTimer(child, options);

    options.signals.route((signal) => {
      sendSignal(child, signal, options.processGroup, log);
      if (TERMINATING_SIGNALS.has(signal)) shutdown.begin(signal);
    });

    child.once('spawn', () => log.info({ event: 'app', pid: child.pid, command }, `started ${command.join(' ')}`));
    child.once('error', (error: NodeJS.ErrnoException) => {
      const status = error.code === 'ENOENT' ? EXIT_CODES.notFound : EXIT_CODES.notExecutable;
      const what = error.code === 'ENOENT' ? 'was not found (check the command and PATH)' : `cannot be executed (${error.code ?? error.message}; check its permissions and that it is a program)`;
      appPhase.fail({ exitCode: status, command }, `the app command ${JSON.stringify(file)} ${what}`);
      resolve(status);
    });
    child.once('exit', (code, signal) => {
      shutdown.finish();
      const status = exitStatus(code, signal);
      appPhase.done({ exitCode: status, signal: signal ?? undefined }, `the app exited with status ${status}`);
      resolve(status);
    });
  });
}

function sendSignal(child: ChildProcess, signal: NodeJS.Signals, processGroup: boolean, log: Logger): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(processGroup ? -child.pid : child.pid, signal);
    log.debug({ event: 'signal', signal, pid: child.pid }, `forwarded ${signal}`);
  } catch (error) {
    // ESRCH: it exited between the check and the kill; its exit event follows.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') log.warn({ event: 'signal', signal, err: error }, `could not forward ${signal}`);
  }
}

/** After SIGTERM or SIGINT the app gets SHUTDOWN_TIMEOUT to exit, then SIGKILL. */
class ShutdownTimer {
  private timer: NodeJS.Timeout | undefined;
  private phase: ReturnType<Phases['start']> | undefined;

  constructor(
    private readonly child: ChildProcess,
    private readonly options: SuperviseOptions,
  ) {}

  begin(signal: NodeJS.Signals): void {
    if (this.phase) return;
    const { log, shutdownTimeoutMs, processGroup } = this.options;
    this.phase = this.options.phases.start('shutdown');
    log.info({ event: 'shutdown', signal, shutdownTimeoutMs }, `forwarded ${signal}; the app has ${shutdownTimeoutMs / 1000}s to exit`);
    this.timer = setTimeout(() => {
      log.warn({ event: 'shutdown', shutdownTimeoutMs }, `the app did not exit within SHUTDOWN_TIMEOUT=${shutdownTimeoutMs / 1000}s; sending SIGKILL`);
      sendSignal(this.child, 'SIGKILL', processGroup, log);
    }, shutdownTimeoutMs);
  }

  finish(): void {
    clearTimeout(this.timer);
    this.phase?.done({}, 'the app has stopped');
  }
}
