// The other half of launcher.ts: the supervisor, started in launch mode, becomes the child.
import { constants } from 'node:os';
import { LAUNCH_ARG, LAUNCH_FAILED, LAUNCH_FAILURE_PREFIX } from './launcher.js';
import { libc } from './libc.js';

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
