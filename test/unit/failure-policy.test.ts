import { describe, expect, it } from 'vitest';
import { InterruptedError, SupervisorError } from '../../src/errors.js';
import { mayStartAppDespite } from '../../src/migrations/failure-policy.js';

const failures = {
  'alembic failed on a database that was behind': new SupervisorError('migrationFailed', 'x', { stateBefore: 'behind' }),
  'lock timed out on a database that was behind': new SupervisorError('lockTimeout', 'x', { stateBefore: 'behind' }),
  'unknown revision': new SupervisorError('refused', 'x', { state: 'unknown-revision' }),
};
const alwaysStop = {
  'alembic failed on an empty database': new SupervisorError('migrationFailed', 'x', { stateBefore: 'empty' }),
  'alembic failed on an unversioned database': new SupervisorError('migrationFailed', 'x', { stateBefore: 'unversioned' }),
  'lock timed out on an empty database': new SupervisorError('lockTimeout', 'x', { stateBefore: 'empty' }),
  'alembic failed, state unknown': new SupervisorError('migrationFailed', 'x'),
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
