import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { finalError } from '../support/expect.js';
import { startEmbeddedPostgres, versionsOf } from '../support/postgres.js';
import { HEAD } from '../support/project.js';
import { asRun, startSupervisor, waitForOutput } from '../support/supervisor.js';

const LOCK = 'SELECT pg_advisory_lock(7094175066633012849)';
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** A server of this test's own, a session on it holding the migration lock, and a supervisor waiting for it. */
async function waitingForTheLock(dbWaitTimeout: string) {
  const server = await startEmbeddedPostgres();
  stops.push(() => server.stop());
  const holder = new pg.Client({ connectionString: server.adminUrl });
  holder.on('error', () => {});
  await holder.connect();
  await holder.query(LOCK);
  const supervisor = startSupervisor(['migrate'], { env: { DATABASE_URL: server.adminUrl, DB_WAIT_TIMEOUT: dbWaitTimeout } });
  await waitForOutput(supervisor, /another replica is migrating/);
  return { server, supervisor };
}

describe('PostgreSQL restarting while a replica waits for the migration lock', () => {
  it('back up within DB_WAIT_TIMEOUT: the replica waits, then migrates (0)', { timeout: 120_000 }, async () => {
    const { server, supervisor } = await waitingForTheLock('60');
    await server.stop();
    const restarted = await startEmbeddedPostgres(server.port);
    stops.push(() => restarted.stop());
    const result = asRun(await supervisor);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).not.toMatch(/internal error/);
    expect(await versionsOf(restarted.adminUrl)).toEqual([HEAD]);
  });

  it('down for longer than DB_WAIT_TIMEOUT: 69 naming the variable, never an internal error', { timeout: 120_000 }, async () => {
    const { server, supervisor } = await waitingForTheLock('2');
    await server.stop();
    const result = asRun(await supervisor);
    expect(result.exitCode, result.stdout).toBe(69);
    expect(result.stdout).not.toMatch(/internal error/);
    expect(finalError(result)?.msg).toMatch(/did not become available within DB_WAIT_TIMEOUT=2s/);
  });
});
