/**
 * vitest logs an error thrown by a global teardown ("error during close") but still exits 0: a
 * server that did not stop cleanly would pass unnoticed. Every global setup returns its teardown
 * through this, so such a failure fails the run.
 */
export function teardownThatCounts(teardown: () => Promise<void> | void): () => Promise<void> {
  return async () => {
    try {
      await teardown();
    } catch (error) {
      process.exitCode = 1;
      throw error;
    }
  };
}
