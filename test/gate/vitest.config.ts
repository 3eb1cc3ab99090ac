import { defineConfig } from 'vitest/config';

/**
 * The gate's own suite: each GATE_CASE is a run that MUST exit non-zero. scripts/test-gate.sh runs
 * them before the real suite, so a dependency or a setting that swallows failures is caught at once.
 * `failing-test` uses the real global setup (the test PostgreSQL), where such a hazard once hid.
 */
const cases: Record<string, { include: string[]; globalSetup: string[] }> = {
  'failing-test': { include: ['test/gate/failing.fixture.ts'], globalSetup: ['test/support/global-setup.ts'] },
  'failing-setup': { include: ['test/gate/passing.fixture.ts'], globalSetup: ['test/gate/failing-setup.ts'] },
  'failing-teardown': { include: ['test/gate/passing.fixture.ts'], globalSetup: ['test/gate/failing-teardown.ts'] },
  'no-tests': { include: ['test/gate/no-such-dir/*.fixture.ts'], globalSetup: [] },
};

const chosen = cases[process.env.GATE_CASE ?? ''];
if (!chosen) throw new Error(`GATE_CASE must be one of ${Object.keys(cases).join(', ')}`);

export default defineConfig({
  test: { ...chosen, root: new URL('../..', import.meta.url).pathname, reporters: ['dot', './test/support/summary-reporter.ts'] },
});
