/**
 * Milliseconds on the monotonic clock. Not `performance.now()`: the global `performance` loads all of
 * perf_hooks (a dozen modules, most of a MiB resident) on first touch, in every start.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
