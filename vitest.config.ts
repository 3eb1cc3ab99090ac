import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { 'virtual:koffi-binaries': new URL('./test/support/koffi-binaries-stub.ts', import.meta.url).pathname } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Real processes and a real server: keep the machine's two cores busy, not oversubscribed.
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
