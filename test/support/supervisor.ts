import { execa, type ResultPromise } from 'execa';
import { EXAMPLE, SUPERVISOR, pythonPath, requirePrerequisites } from './paths.js';

export interface LogEvent {
  level: string;
  event?: string;
  msg: string;
  [key: string]: unknown;
}

export interface SupervisorRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Every JSON log line of stdout. */
  events: LogEvent[];
}

export interface SupervisorOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
  /** Run as PID 1 of a new PID namespace. */
  pid1?: boolean;
  /** The bundle to run, if not dist/backend-supervisor.cjs (e.g. a copy without the files beside it). */
  bundle?: string;
}

/** The environment of a supervisor run: nothing from the test runner's own DATABASE_URL and friends. */
export function supervisorEnv(env: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    PATH: pythonPath(),
    HOME: process.env.HOME,
    ALEMBIC_CONFIG: `${EXAMPLE}/alembic.ini`,
    DB_WAIT_TIMEOUT: '10',
    ...env,
  };
}

/** Starts the built supervisor as a real process. */
export function startSupervisor(args: string[], options: SupervisorOptions = {}): ResultPromise<{ reject: false }> {
  requirePrerequisites();
  const [file, argv] = options.pid1
    ? // --kill-child: if unshare dies (a test timed out), its PID 1 and so the whole namespace go too.
      ['unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', process.execPath, options.bundle ?? SUPERVISOR, ...args]]
    : [process.execPath, [options.bundle ?? SUPERVISOR, ...args]];
  return execa(file as string, argv as string[], {
    env: supervisorEnv(options.env),
    extendEnv: false,
    cwd: options.cwd ?? EXAMPLE,
    reject: false,
    all: true,
    timeout: options.timeoutMs ?? 60_000,
    // A test's SIGTERM must see what the supervisor does with it: execa's own SIGKILL 5 s later (its
    // default) would cut short a clean stop that takes longer on a loaded machine.
    forceKillAfterDelay: 30_000,
  }) as unknown as ResultPromise<{ reject: false }>;
}

export async function runSupervisor(args: string[], options: SupervisorOptions = {}): Promise<SupervisorRun> {
  return asRun(await startSupervisor(args, options));
}

/** A finished supervisor process as a SupervisorRun, its JSON log lines parsed. */
export function asRun(result: { exitCode?: number; stdout?: unknown; stderr?: unknown }): SupervisorRun {
  const stdout = String(result.stdout ?? '');
  return { exitCode: result.exitCode ?? -1, stdout, stderr: String(result.stderr ?? ''), events: parseEvents(stdout) };
}

export function parseEvents(output: string): LogEvent[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as LogEvent];
      } catch {
        return [];
      }
    });
}

/** Resolves once the running supervisor's output contains a line matching `pattern`. */
export function waitForOutput(subprocess: ResultPromise, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output so far:\n${seen}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen.split('\n').find((candidate) => pattern.test(candidate));
      if (line !== undefined) {
        clearTimeout(timer);
        subprocess.all?.off('data', onData);
        resolve(line);
      }
    };
    subprocess.all?.on('data', onData);
  });
}
