import { constants } from 'node:os';
import { libc } from './libc.js';

/**
 * Children that must not outlive the supervisor (alembic: an orphan would go on migrating while
 * the next replica, holding the released lock, migrates too). Node cannot run code between fork
 * and exec, so the supervisor starts itself in this mode: it asks the kernel to SIGKILL it when
 * the supervisor dies (prctl PR_SET_PDEATHSIG, kept across exec), then execs the real command
 * in the same process. Works from the bundle and the single executable alike.
 */
const LAUNCH_ARG = '--internal-exec-child';

/** Exit codes of a launch whose exec failed, as a shell's: 127 not found, 126 not executable. */
export const LAUNCH_FAILED = { notFound: 127, notExecutable: 126 } as const;
export const LAUNCH_FAILURE_PREFIX = 'backend-supervisor: cannot execute';

/** The file and arguments that run `file args` as a child that dies with this process. */
export function diesWithMe(file: string, args: string[]): [string, string[]] {
  // Under node, argv[1] is the bundle; a single executable is its own script (Node repeats its path there).
  const script = process.argv[1];
  const self = script && script !== process.execPath ? [script] : [];
  return [process.execPath, [...self, LAUNCH_ARG, String(process.pid), file, ...args]];
}

/** Call first thing at start-up: in launch mode this never returns. */
export function execIfLaunched(argv: string[]): void {
  if (argv[0] !== LAUNCH_ARG) return;
  const [, parent, file = '', ...args] = argv;
  const lib = libc();
  lib.setParentDeathSignal(constants.signals.SIGKILL);
  // The parent may have died before the prctl: then no signal would ever come.
  if (process.ppid !== Number(parent)) process.exit(128 + constants.signals.SIGKILL);
  const errno = lib.exec(file, args);
  const name = Object.entries(constants.errno).find(([, value]) => value === errno)?.[0] ?? `errno ${errno}`;
  process.stderr.write(`${LAUNCH_FAILURE_PREFIX} ${file}: ${name}\n`);
  process.exit(errno === constants.errno.ENOENT ? LAUNCH_FAILED.notFound : LAUNCH_FAILED.notExecutable);
}
