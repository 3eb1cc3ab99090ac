import { isSea } from 'node:sea';
/**
 * Children that must not outlive the supervisor (alembic: an orphan would go on migrating while
 * the next replica, holding the released lock, migrates too). Node cannot run code between fork
 * and exec, so the supervisor starts itself in this mode: it asks the kernel to SIGKILL it when
 * the supervisor dies (prctl PR_SET_PDEATHSIG, kept across exec), then execs the real command
 * in the same process. Works from the bundle and the single executable alike.
 */
export const LAUNCH_ARG = '--internal-exec-child';

/** Exit codes of a launch whose exec failed, as a shell's: 127 not found, 126 not executable. */
export const LAUNCH_FAILED = { notFound: 127, notExecutable: 126 } as const;
export const LAUNCH_FAILURE_PREFIX = 'backend-supervisor: cannot execute';

/** The file and arguments that run `file args` as a child that dies with this process. */
export function diesWithMe(file: string, args: string[]): [string, string[]] {
  // As PID 1 of a PID namespace (a container), the kernel kills every process in the namespace when
  // the supervisor dies: the command runs as it is, without a second start of the supervisor (about
  // 30 ms before every alembic run).
  if (process.pid === 1) return [file, args];
  // Under node, argv[1] is the bundle. A single executable is its own script: there argv[1] holds the
  // name it was invoked by (`backend-supervisor` from PATH, not execPath), which must not be passed on.
  const self = isSea() || !process.argv[1] ? [] : [process.argv[1]];
  return [process.execPath, [...self, LAUNCH_ARG, String(process.pid), file, ...args]];
}
