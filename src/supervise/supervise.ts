import { spawn, type ChildProcess } from 'node:child_process';
import { EXIT_CODES } from '../errors.js';
import type { Logger } from '../log.js';
import type { Phases } from '../phases.js';
import { trackChild } from './children.js';
import { exitStatus } from './exit-status.js';
import type { SignalMap } from './signal-map.js';
import { TERMINATING_SIGNALS, type SignalRouter } from './signals.js';

export interface SuperviseOptions {
  command: string[];
  shutdownTimeoutMs: number;
  /** After SIGTERM the app keeps serving this long before it gets the signal; 0 forwards at once. */
  shutdownDelayMs: number;
  signalMap: SignalMap;
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
    const shutdown = new Shutdown(child, options);

    const deliver = (received: NodeJS.Signals) => {
      const signal = options.signalMap.has(received) ? options.signalMap.get(received) : received;
      if (signal === null || signal === undefined) {
        log.info({ event: 'signal', signal: received }, `dropped ${received} (SIGNAL_MAP)`);
        return;
      }
      sendSignal(child, signal, options.processGroup, log);
      // A stop request stays one whatever the app is sent instead (TERM:QUIT), and a TERM is one whatever caused it (HUP:TERM).
      if (TERMINATING_SIGNALS.has(received) || TERMINATING_SIGNALS.has(signal)) shutdown.begin(signal, received);
    };
    options.signals.route((received) => {
      if (!shutdown.holds(received, () => deliver('SIGTERM'))) deliver(received);
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

/**
 * SHUTDOWN_DELAY, then SHUTDOWN_TIMEOUT: after SIGTERM the app keeps serving for the delay (load balancers
 * stop sending it traffic meanwhile), then gets the signal, then has the timeout to exit before SIGKILL.
 */
class Shutdown {
  private drainTimer: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private phase: ReturnType<Phases['start']> | undefined;

  constructor(
    private readonly child: ChildProcess,
    private readonly options: SuperviseOptions,
  ) {}

  /**
   * True when `received` is held back: the first SIGTERM, for SHUTDOWN_DELAY, after which `forward` runs.
   * A second SIGTERM or a SIGINT meanwhile means "now": the delay ends and that signal goes through.
   */
  holds(received: NodeJS.Signals, forward: () => void): boolean {
    const { log, shutdownDelayMs } = this.options;
    if (this.drainTimer) {
      if (!TERMINATING_SIGNALS.has(received)) return false;
      clearTimeout(this.drainTimer);
      this.drainTimer = undefined;
      log.info({ event: 'shutdown', signal: received }, `received ${received} during SHUTDOWN_DELAY: stopping the app now`);
      return false;
    }
    if (received !== 'SIGTERM' || shutdownDelayMs === 0 || this.phase) return false;
    this.phase = this.options.phases.start('shutdown');
    log.info({ event: 'shutdown', signal: received, shutdownDelayMs }, `received ${received}; the app keeps serving for SHUTDOWN_DELAY=${shutdownDelayMs / 1000}s before it gets it`);
    this.drainTimer = setTimeout(() => {
      this.drainTimer = undefined;
      forward();
    }, shutdownDelayMs);
    return true;
  }

  /** The app was sent a stop signal: it has SHUTDOWN_TIMEOUT to exit, then SIGKILL. */
  begin(signal: NodeJS.Signals, received: NodeJS.Signals): void {
    if (this.killTimer) return;
    const { log, shutdownTimeoutMs, processGroup } = this.options;
    this.phase ??= this.options.phases.start('shutdown');
    const via = received === signal ? '' : ` (for ${received}, SIGNAL_MAP)`;
    log.info({ event: 'shutdown', signal, shutdownTimeoutMs }, `forwarded ${signal}${via}; the app has ${shutdownTimeoutMs / 1000}s to exit`);
    this.killTimer = setTimeout(() => {
      log.warn({ event: 'shutdown', shutdownTimeoutMs }, `the app did not exit within SHUTDOWN_TIMEOUT=${shutdownTimeoutMs / 1000}s; sending SIGKILL`);
      sendSignal(this.child, 'SIGKILL', processGroup, log);
    }, shutdownTimeoutMs);
  }

  finish(): void {
    clearTimeout(this.drainTimer);
    clearTimeout(this.killTimer);
    this.phase?.done({}, 'the app has stopped');
  }
}
