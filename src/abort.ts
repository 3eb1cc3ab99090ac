import { InterruptedError } from './errors.js';

/** Settles like `work`, unless the signal fires first: then rejects at once with InterruptedError. */
export async function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  // Abandoned work may still fail later; that failure is expected, not an unhandled rejection.
  work.catch(() => {});
  if (signal.aborted) throw new InterruptedError(signal.reason as NodeJS.Signals);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new InterruptedError(signal.reason as NodeJS.Signals));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
