import { describe, expect, it } from 'vitest';
import { describeConnectionError, isConnectionLost, retryPauseMs } from '../../src/db/connection-errors.js';

const error = (fields: { code?: string; message?: string }) => Object.assign(new Error(fields.message ?? 'x'), fields);

describe('isConnectionLost: the connection failed, not the statement', () => {
  it.each([
    ['a server restart (57P01 admin_shutdown)', error({ code: '57P01', message: 'terminating connection due to administrator command' })],
    ['a crash (57P02)', error({ code: '57P02' })],
    ['starting up (57P03)', error({ code: '57P03' })],
    ['class 08 (connection exception)', error({ code: '08006' })],
    ['no connection slot (53300)', error({ code: '53300' })],
    ['refused', error({ code: 'ECONNREFUSED' })],
    ['reset', error({ code: 'ECONNRESET' })],
    ['pg: terminated', error({ message: 'Connection terminated unexpectedly' })],
    ['pg: not queryable', error({ message: 'Client has encountered a connection error and is not queryable' })],
  ])('%s: yes', (_, failure) => expect(isConnectionLost(failure)).toBe(true));

  it.each([
    ['no privilege (42501)', error({ code: '42501', message: 'permission denied for table alembic_version' })],
    ['a missing relation (42P01)', error({ code: '42P01' })],
    ['lock timeout (55P03)', error({ code: '55P03' })],
    ['a query canceled (57014)', error({ code: '57014' })],
    ['not an error object', undefined],
  ])('%s: no', (_, failure) => expect(isConnectionLost(failure)).toBe(false));
});

describe('retryPauseMs: the pause between attempts of the wait', () => {
  const refused = describeConnectionError(error({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }));
  const unresolved = describeConnectionError(error({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND db' }));
  const full = describeConnectionError(error({ code: '53300', message: 'sorry, too many clients already' }));

  it('a refused port is tried again within 25 ms, at every attempt', () => {
    expect(refused.refused).toBe(true);
    for (const attempt of [1, 2, 10, 1000]) for (const random of [0, 0.5, 0.999]) expect(retryPauseMs(attempt, refused, random)).toBeLessThanOrEqual(25);
    expect(retryPauseMs(1, refused, 0)).toBe(20);
  });

  it.each([
    ['a name that does not resolve', unresolved],
    ['a full server', full],
  ])('%s: 20 ms doubling, jittered, capped at 100 ms', (_, failure) => {
    expect(failure.refused).toBe(false);
    expect([1, 2, 3, 4, 50].map((attempt) => retryPauseMs(attempt, failure, 0))).toEqual([20, 40, 80, 100, 100]);
    expect(retryPauseMs(1, failure, 0.5)).toBe(30);
    expect(retryPauseMs(3, failure, 0.9)).toBe(100);
  });
});
