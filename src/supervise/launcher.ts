import { constants } from 'node:os';
import { isSea } from 'node:sea';
import { lookUpProgram } from './find-program.js';

/**
 * Children that must not outlive the supervisor (alembic: an orphan would go on migrating while
 * the next replica, holding the released lock, migrates too). Node cannot run code between fork
 * and exec, so the child asks the kernel itself to SIGKILL it when the supervisor dies (prctl
 * PR_SET_PDEATHSIG, kept across exec), then checks that the supervisor is still its parent (it may
 * have died before the prctl), then execs the real command in the same process. util-linux's
 * setpriv and a shell do that in about 2 ms; without setpriv, the supervisor starts itself in
 * launch mode (exec-child.ts), about 30 ms.
 */
export const LAUNCH_ARG = '--internal-exec-child';

/** Exit codes of a launch whose exec failed, as a shell's: 127 not found, 126 not executable. */
export const LAUNCH_FAILED = { notFound: 127, notExecutable: 126 } as const;
export const LAUNCH_FAILURE_PREFIX = 'backend-supervisor: cannot execute';

/** The file and arguments that run `file args` as a child that dies with this process. */
export function diesWithMe(file: string, args: string[]): [string, string[]] {
  // As PID 1 of a PID namespace (a container), the kernel kills every process in the namespace when
  // the supervisor dies: the command runs as it is.
  if (process.pid === 1) return [file, args];
  const setpriv = lookUpProgram('setpriv', process.env, process.cwd());
  if (setpriv.kind === 'program' && lookUpProgram(SHELL, process.env, process.cwd()).kind === 'program') {
    return [setpriv.file, ['--pdeathsig', 'KILL', '--', SHELL, '-c', PARENT_CHECK, LAUNCH_FAILURE_PREFIX, String(process.pid), file, ...args]];
  }
  // Under node, argv[1] is the bundle. A single executable is its own script: there argv[1] holds the
  // name it was invoked by (`backend-supervisor` from PATH, not execPath), which must not be passed on.
  const self = isSea() || !process.argv[1] ? [] : [process.argv[1]];
  return [process.execPath, [...self, LAUNCH_ARG, String(process.pid), file, ...args]];
}

const SHELL = '/bin/sh';

// $0 is LAUNCH_FAILURE_PREFIX: a shell names itself by $0 in its errors, so an exec that fails
// ("<$0>: 1: exec: FILE: not found", exit 127 or 126) is told apart from the command's own failure.
const PARENT_CHECK = `[ "$PPID" = "$1" ] || exit ${128 + constants.signals.SIGKILL}; shift; exec "$@"`;
