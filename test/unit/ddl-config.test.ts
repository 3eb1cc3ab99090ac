import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { SupervisorError } from '../../src/errors.js';

function configError(load: () => unknown): SupervisorError {
  try {
    load();
  } catch (error) {
    return error as SupervisorError;
  }
  throw new Error('expected a configuration error');
}

describe('MIGRATION_DDL_LOCK_TIMEOUT and MIGRATION_DDL_RETRIES', () => {
  it('default to 5 s and 5 retries', () => {
    expect(loadConfig({}, '/')).toMatchObject({ migrationDdlLockTimeoutMs: 5_000, migrationDdlRetries: 5 });
  });

  it('take seconds (0 = off) and a whole number', () => {
    expect(loadConfig({ MIGRATION_DDL_LOCK_TIMEOUT: '0.5', MIGRATION_DDL_RETRIES: '0' }, '/')).toMatchObject({ migrationDdlLockTimeoutMs: 500, migrationDdlRetries: 0 });
    expect(loadConfig({ MIGRATION_DDL_LOCK_TIMEOUT: '0' }, '/').migrationDdlLockTimeoutMs).toBe(0);
  });

  it.each([
    ['MIGRATION_DDL_LOCK_TIMEOUT', '5s', 'expected a number of seconds'],
    ['MIGRATION_DDL_RETRIES', '-1', 'expected a whole number from 0 to 100, e.g. 5'],
    ['MIGRATION_DDL_RETRIES', '2.5', 'expected a whole number from 0 to 100, e.g. 5'],
    ['MIGRATION_DDL_RETRIES', '101', 'expected a whole number from 0 to 100, e.g. 5'],
  ])('%s=%s is a configuration error (64) naming both', (variable, value, expected) => {
    const error = configError(() => loadConfig({ [variable]: value }, '/'));
    expect(error.exitCode).toBe(64);
    expect(error.message).toBe(`${variable}=${JSON.stringify(value)} is invalid: ${expected}${variable === 'MIGRATION_DDL_LOCK_TIMEOUT' ? ' from 0 to 2147483, e.g. 30' : ''}`);
  });
});
