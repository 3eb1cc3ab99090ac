import { describe, expect, it } from 'vitest';
import { SupervisorError } from '../../src/errors.js';
import { transientFailure } from '../../src/migrations/alembic.js';

// What alembic's output reader made of the failure: the exception's last line.
const failed = (exception: string) => new SupervisorError('migrationFailed', 'alembic upgrade head exited with code 1', { alembic: { exception } });

describe('transientFailure: which failed alembic runs are worth another try', () => {
  it.each([
    ['psycopg2', 'sqlalchemy.exc.OperationalError: (psycopg2.errors.LockNotAvailable) canceling statement due to lock timeout', 'lock timeout'],
    ['psycopg 3', 'sqlalchemy.exc.OperationalError: (psycopg.errors.LockNotAvailable) canceling statement due to lock timeout', 'lock timeout'],
    ['asyncpg', 'asyncpg.exceptions.LockNotAvailableError: canceling statement due to lock timeout', 'lock timeout'],
    ['a role at its CONNECTION LIMIT', 'FATAL:  too many connections for role "app"', 'no connection slot'],
    ['max_connections reached', 'FATAL:  sorry, too many clients already', 'no connection slot'],
    ['only reserved slots left', 'FATAL:  remaining connection slots are reserved for roles with the SUPERUSER attribute', 'no connection slot'],
  ])('%s', (_, output, reason) => expect(transientFailure(failed(output))).toBe(reason));

  it.each([
    ['a failing revision', 'sqlalchemy.exc.DataError: (psycopg2.errors.DivisionByZero) division by zero'],
    ['a statement timeout', 'psycopg2.errors.QueryCanceled: canceling statement due to statement timeout'],
    ['a deadlock', 'psycopg2.errors.DeadlockDetected: deadlock detected'],
  ])('not %s', (_, output) => expect(transientFailure(failed(output))).toBeUndefined());

  it('not an error of another kind, whatever its output', () => {
    expect(transientFailure(new SupervisorError('config', 'x', { alembic: { exception: 'LockNotAvailable' } }))).toBeUndefined();
    expect(transientFailure(new Error('LockNotAvailable'))).toBeUndefined();
  });
});
