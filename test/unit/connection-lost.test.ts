import { describe, expect, it } from 'vitest';
import { isConnectionLost } from '../../src/db/connection-errors.js';

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
