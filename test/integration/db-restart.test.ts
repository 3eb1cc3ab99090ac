import { afterEach, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { eventsNamed, finalError } from '../support/expect.js';
import { createDatabase, query, startEmbeddedPostgres, versionsOf } from '../support/postgres.js';
import { HEAD } from '../support/project.js';
import { asRun, runSupervisor, startSupervisor, waitForOutput } from '../support/supervisor.js';

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

describe('the connection lost while inspecting', () => {
  it('goes back to waiting, then inspects again and carries on (0)', async () => {
    const url = await createDatabase(inject('adminUrl'));
    expect((await runSupervisor(['migrate'], { env: { DATABASE_URL: url } })).exitCode).toBe(0);
    // Inspecting reads alembic_version: a transaction holding it makes the inspection wait, long enough to cut its connection.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE');
    const supervisor = startSupervisor(['migrate'], { env: { DATABASE_URL: url } });
    const inspecting = `SELECT pid FROM pg_stat_activity WHERE application_name = 'backend-supervisor' AND wait_event_type = 'Lock' AND datname = current_database()`;
    await expect.poll(() => query(url, inspecting), { timeout: 20_000 }).toHaveLength(1);
    const waitingAgain = waitForOutput(supervisor, /waiting for it again/);
    await query(url, `SELECT pg_terminate_backend(pid) FROM (${inspecting}) AS inspecting`);
    await waitingAgain;
    await holder.query('COMMIT');
    await holder.end();
    const result = asRun(await supervisor);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(eventsNamed(result, 'wait').filter((event) => event.level === 'warn').map((event) => event.msg)).toEqual([
      expect.stringMatching(/^lost the connection to the database while inspecting it: terminating connection due to administrator command; waiting for it again$/),
    ]);
    expect(eventsNamed(result, 'inspect').at(-1)).toMatchObject({ plan: 'nothing' });
  });
});
