import { signalExitCode } from '../errors.js';

/** The shell's convention: the app's own code, or 128 + N when signal N ended it. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal !== null) return signalExitCode(signal);
  return 1;
}
