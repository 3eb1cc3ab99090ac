import { expect, inject, it } from 'vitest';

// Must fail: the gate checks that a failing test fails the run, with the real global setup loaded.
it('fails on purpose', () => {
  expect(inject('adminUrl')).toMatch(/^postgresql:/);
  expect('this run').toBe('failed');
});
