import { describe, expect, it } from 'vitest';
import { InterruptedError, SupervisorError } from '../../src/errors.js';
import { mayStartAppDespite } from '../../src/migrations/failure-policy.js';

const failures = {
  'alembic failed': new SupervisorError('migrationFailed', 'x'),
  'lock timed out': new SupervisorError('lockTimeout', 'x'),
  'unknown revision': new SupervisorError('refused', 'x', { state: 'unknown-revision' }),
};
const alwaysStop = {
  'several heads': new SupervisorError('refused', 'x', { state: 'several-heads' }),
  'unversioned, refused': new SupervisorError('refused', 'x', { state: 'unversioned' }),
  'configuration error': new SupervisorError('config', 'x'),
  'database unavailable': new SupervisorError('unavailable', 'x'),
  'stopped by a signal': new InterruptedError('SIGTERM'),
  'internal error': new Error('bug'),
};

describe('ON_MIGRATION_FAILURE', () => {
  it.each(Object.entries(failures))('continue starts the app after: %s', (_, error) => {
    expect(mayStartAppDespite(error, 'continue')).toBe(true);
    expect(mayStartAppDespite(error, 'exit')).toBe(false);
  });

  it.each(Object.entries(alwaysStop))('nothing starts the app after: %s', (_, error) => {
    expect(mayStartAppDespite(error, 'continue')).toBe(false);
    expect(mayStartAppDespite(error, 'exit')).toBe(false);
  });
});
