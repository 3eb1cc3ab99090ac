/**
 * Every signal a process can usefully forward. Not listed, and why:
 * - SIGKILL, SIGSTOP: cannot be caught.
 * - SIGCHLD: ours (child exits, the reaper); it means nothing to the app.
 * - SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS: synchronous faults of this
 *   process, never meant for the app (tini and dumb-init skip them too).
 * - SIGPIPE: Node ignores it so that a closed pipe is an EPIPE error rather than death.
 * - SIGTTIN, SIGTTOU: job control for the terminal's foreground group; forwarding them to an app
 *   in its own group would stop it for reading a terminal it does not own (tini skips them too).
 * SIGUSR1 is forwarded: a listener for it stops Node from starting its inspector on it, which a
 * production PID 1 must never do.
 */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = [
  'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGTERM', 'SIGCONT', 'SIGTSTP',
  'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR',
];

/** The signals that mean "stop": they end start-up work, and start the shutdown timer once the app runs. */
export const TERMINATING_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(['SIGTERM', 'SIGINT']);

export type SignalHandler = (signal: NodeJS.Signals) => void;

/**
 * Listens for every forwardable signal from the first moment (a PID 1 without a handler never
 * gets them at all) and hands each to whoever handles signals now: start-up, then the app's supervisor.
 */
export class SignalRouter {
  private handler: SignalHandler;
  private readonly listener = (signal: NodeJS.Signals) => this.handler(signal);

  constructor(initial: SignalHandler) {
    this.handler = initial;
    for (const signal of FORWARDED_SIGNALS) process.on(signal, this.listener);
  }

  route(handler: SignalHandler): void {
    this.handler = handler;
  }

  close(): void {
    for (const signal of FORWARDED_SIGNALS) process.off(signal, this.listener);
  }
}
