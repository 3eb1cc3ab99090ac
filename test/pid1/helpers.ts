import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultPromise } from 'execa';
import { parseEvents, startSupervisor, waitForOutput, type LogEvent, type SupervisorOptions } from '../support/supervisor.js';

/** Helpers for running the built supervisor as PID 1 of a new PID namespace and signalling it from outside. */

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const fixture = (name: string) => path.join(FIXTURES, name);

/** No skipping: without `unshare` (or the right to make a PID namespace) the suite fails, saying what to install. */
export function requireUnshare(): void {
  const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { encoding: 'utf8' });
  if ((probe.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('`unshare` was not found: install util-linux (e.g. `apt-get install util-linux`) to run the PID 1 tests');
  }
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `\`unshare --pid --fork --mount-proc true\` failed (${probe.error?.message ?? probe.stderr.trim()}): the PID 1 tests need util-linux's unshare and the right to create PID namespaces (root, or a privileged container)`,
    );
  }
}

export interface Finished {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved. */
  all: string;
  events: LogEvent[];
  /** Milliseconds from the last signal sent with `signal()` (or from the start) to the exit. */
  msAfterSignal: number;
}

export interface Running {
  subprocess: ResultPromise;
  /** Resolves once a line of output matches; attach it before doing what causes the line. */
  output(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** The supervisor's pid as seen from here: the child of the `unshare` process. */
  hostPid(): Promise<number>;
  /** Sends `signal` to the supervisor (PID 1 inside its namespace) from outside. */
  signal(signal: NodeJS.Signals): Promise<void>;
  /** True while the supervisor has not exited. */
  running(): boolean;
  finished(): Promise<Finished>;
}

const started = new Set<Running>();

export interface StartOptions extends Omit<SupervisorOptions, 'env'> {
  /** The supervisor's own arguments, before `--` and the app command (e.g. ['run', '-g']). */
  args?: string[];
}

/**
 * Starts the supervisor as PID 1 of a new PID namespace (unless pid1: false) as a plain init
 * (RUN_MIGRATIONS=false, no DATABASE_URL unless given) with the given app command.
 */
export function start(app: string[], env: Record<string, string | undefined> = {}, { args = [], ...options }: StartOptions = {}): Running {
  const subprocess = startSupervisor([...args, '--', ...app], { pid1: true, timeoutMs: 30_000, ...options, env: { RUN_MIGRATIONS: 'false', ...env } });
  let exited = false;
  let exitedAt = 0;
  let signalledAt = Date.now();
  let pid: number | undefined;
  const result = subprocess.then((value) => {
    exited = true;
    exitedAt = Date.now();
    return value;
  });
  const run: Running = {
    subprocess,
    output: (pattern, timeoutMs) => waitForOutput(subprocess, pattern, timeoutMs),
    hostPid: async () => (pid ??= await supervisorHostPid(subprocess.pid as number)),
    signal: async (signal) => {
      const target = await run.hostPid();
      signalledAt = Date.now();
      process.kill(target, signal);
    },
    running: () => !exited,
    finished: async () => {
      const value = await result;
      const msAfterSignal = exitedAt - signalledAt;
      started.delete(run);
      const stdout = String(value.stdout ?? '');
      return { exitCode: value.exitCode ?? -1, stdout, stderr: String(value.stderr ?? ''), all: String(value.all ?? ''), events: parseEvents(stdout), msAfterSignal };
    },
  };
  started.add(run);
  return run;
}

/** For afterEach: a test that failed half-way leaves no namespace behind (SIGKILL to its PID 1 ends all of it). */
export async function killLeftovers(): Promise<void> {
  for (const run of [...started]) {
    started.delete(run);
    if (!run.running()) continue;
    try {
      process.kill(await run.hostPid(), 'SIGKILL');
    } catch {
      run.subprocess.kill('SIGKILL');
    }
    await run.subprocess.catch(() => {});
  }
}

/**
 * The pid of the `unshare` process's child once it runs the supervisor (unshare --fork forks,
 * then the child execs node). From /proc/<pid>/task/<pid>/children, or a scan of /proc.
 */
export async function supervisorHostPid(unsharePid: number, timeoutMs = 5_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const child = childrenOf(unsharePid)[0];
    if (child !== undefined && cmdline(child).some((arg) => arg.endsWith('backend-supervisor.cjs'))) return child;
    if (Date.now() > deadline) throw new Error(`no supervisor process found under unshare (pid ${unsharePid})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function childrenOf(parent: number): number[] {
  try {
    return readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // Kernels without CONFIG_PROC_CHILDREN: find it by its parent pid.
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((entry) => {
        try {
          const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
        } catch {
          return false;
        }
      })
      .map(Number);
  }
}

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** The log events of one kind. */
export const eventsOf = (events: LogEvent[], name: string) => events.filter((event) => event.event === name);

/** A URL to a port on 127.0.0.1 that nothing listens on: the supervisor keeps waiting for it. */
export const closedDatabaseUrl = (port: number) => `postgresql://app:app-password@127.0.0.1:${port}/app`;
