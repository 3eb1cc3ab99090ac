import { describe, expect, it } from 'vitest';
import { perTest } from '../support/per-test.js';
import { alembicLines, eventsNamed, expectNoPassword, finalError } from '../support/expect.js';
import { query, tablesOf, versionsOf, withClient } from '../support/postgres.js';
import { HEAD, slowRevision } from '../support/project.js';
import { asRun, runSupervisor, startSupervisor, waitForOutput } from '../support/supervisor.js';

const db = perTest();

describe('replicas and the migration lock', () => {
  it('four replicas starting at once: alembic runs once, all start their app', async () => {
    const replicas = await Promise.all(
      [1, 2, 3, 4].map(() => runSupervisor(['--', 'sh', '-c', 'echo APP RAN'], { env: { DATABASE_URL: db.url } })),
    );
    for (const replica of replicas) {
      expectNoPassword(replica);
      expect(replica.exitCode).toBe(0);
      expect(replica.stdout).toContain('APP RAN');
    }
    const upgrades = replicas.flatMap(alembicLines).filter((line) => line.includes('Running upgrade'));
    expect(upgrades).toHaveLength(4); // 4 revisions, applied by exactly one replica
    expect(await versionsOf(db.url)).toEqual([HEAD]);
  });

  it('a replica waits while another holds the lock, then finds the work done', async () => {
    const alembicConfig = await db.projectWith([slowRevision(3)]);
    const env = { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig };
    const first = startSupervisor(['migrate'], { env });
    await waitForOutput(first, /Running upgrade e9d05b3a2c04 -> 5100000000ff/);
    const second = startSupervisor(['migrate'], { env });
    const [firstRun, secondRun] = [asRun(await first), asRun(await second)];
    expect(firstRun.exitCode).toBe(0);
    expect(secondRun.exitCode).toBe(0);
    expect(eventsNamed(secondRun, 'lock')[0]?.msg).toBe('another replica is migrating; waiting for it to finish');
    expect(eventsNamed(secondRun, 'lock').at(-1)).toMatchObject({ waited: true });
    // Re-inspected under the lock: at head, so it ran no alembic of its own.
    expect(eventsNamed(secondRun, 'inspect').at(-1)).toMatchObject({ plan: 'nothing' });
    expect(alembicLines(secondRun)).toEqual([]);
    expect(await versionsOf(db.url)).toEqual(['5100000000ff']);
  });

  it('MIGRATION_LOCK_TIMEOUT=0 does not wait at all: 75 at once', async () => {
    await withClient(db.url, async (holder) => {
      await holder.query('SELECT pg_advisory_lock(7094175066633012849)');
      // Killed after 15 s if it waits: PostgreSQL's own lock_timeout = 0 would mean "forever".
      const result = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, MIGRATION_LOCK_TIMEOUT: '0' }, timeoutMs: 15_000 });
      expectNoPassword(result);
      expect(result.exitCode).toBe(75);
      expect(finalError(result)?.msg).toMatch(/MIGRATION_LOCK_TIMEOUT=0s/);
    });
    expect(await tablesOf(db.url)).toEqual([]);
  });

  it('gives up with 75 after MIGRATION_LOCK_TIMEOUT', async () => {
    await withClient(db.url, async (holder) => {
      await holder.query('SELECT pg_advisory_lock(7094175066633012849)');
      const result = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, MIGRATION_LOCK_TIMEOUT: '1' } });
      expectNoPassword(result);
      expect(result.exitCode).toBe(75);
      expect(finalError(result)?.msg).toMatch(/MIGRATION_LOCK_TIMEOUT=1s/);
    });
    expect(await tablesOf(db.url)).toEqual([]);
  });
});

describe('the lock session', () => {
  it("outlives a database's idle_session_timeout while alembic runs", async () => {
    await query(db.url, `ALTER DATABASE ${databaseName()} SET idle_session_timeout = '1s'`);
    const result = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: await db.projectWith([slowRevision(3)]) } });
    expectNoPassword(result);
    expect(result.exitCode).toBe(0);
    expect(await versionsOf(db.url)).toEqual(['5100000000ff']);
  });

  it("waits for the lock despite a database's statement_timeout", async () => {
    await query(db.url, `ALTER DATABASE ${databaseName()} SET statement_timeout = '1s'`);
    await withClient(db.url, async (holder) => {
      await holder.query('SELECT pg_advisory_lock(7094175066633012849)');
      const supervisor = startSupervisor(['migrate'], { env: { DATABASE_URL: db.url } });
      await waitForOutput(supervisor, /another replica is migrating/);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await holder.query('SELECT pg_advisory_unlock(7094175066633012849)');
      const result = asRun(await supervisor);
      expect(result.exitCode).toBe(0);
    });
    expect(await versionsOf(db.url)).toEqual([HEAD]);
  });

  it('lost while alembic runs: alembic is stopped and the migration fails (70), nothing applied', async () => {
    const supervisor = startSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: await db.projectWith([slowRevision(60)]) } });
    await waitForOutput(supervisor, /Running upgrade e9d05b3a2c04 -> 5100000000ff/);
    await query(db.url, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'backend-supervisor' AND datname = current_database()`);
    const result = asRun(await supervisor);
    expect(result.exitCode).toBe(70);
    expect(finalError(result)?.msg).toMatch(/lost the migration lock/);
    await expect.poll(() => tablesOf(db.url), { timeout: 10_000 }).not.toContain('slow_table');
    await expect.poll(sleepingSessions, { timeout: 5_000 }).toEqual([]);
  });

  it('interrupted while queued for the lock: exits 143 and leaves no session waiting on the server', async () => {
    await withClient(db.url, async (holder) => {
      await holder.query('SELECT pg_advisory_lock(7094175066633012849)');
      const supervisor = startSupervisor(['migrate'], { env: { DATABASE_URL: db.url } });
      await waitForOutput(supervisor, /another replica is migrating/);
      supervisor.kill('SIGTERM');
      const stopped = asRun(await supervisor);
      expect(stopped.exitCode, stopped.stdout).toBe(143);
      const waiting = () => query(db.url, "SELECT pid FROM pg_stat_activity WHERE application_name = 'backend-supervisor' AND datname = current_database()");
      await expect.poll(waiting, { timeout: 5_000 }).toEqual([]);
    });
  });
});

describe('stopping a migration', () => {
  it('MIGRATION_TIMEOUT stops alembic, counts as failed (70), and nothing is applied', async () => {
    const result = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: await db.projectWith([slowRevision(60)]), MIGRATION_TIMEOUT: '2' } });
    expectNoPassword(result);
    expect(result.exitCode).toBe(70);
    expect(finalError(result)?.msg).toMatch(/MIGRATION_TIMEOUT=2s/);
    await expect.poll(() => tablesOf(db.url), { timeout: 10_000 }).toEqual([]);
    expect(await sleepingSessions()).toEqual([]);
  });

  it('SIGTERM during a migration stops alembic, rolls back, never starts the app, exits 143', async () => {
    const supervisor = startSupervisor(['--', 'sh', '-c', 'echo APP RAN'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: await db.projectWith([slowRevision(60)]) } });
    await waitForOutput(supervisor, /Running upgrade e9d05b3a2c04 -> 5100000000ff/);
    supervisor.kill('SIGTERM');
    const result = asRun(await supervisor);
    expect(result.exitCode).toBe(143);
    expect(result.stdout).not.toContain('APP RAN');
    expect(eventsNamed(result, 'shutdown')[0]).toMatchObject({ signal: 'SIGTERM' });
    await expect.poll(() => tablesOf(db.url), { timeout: 10_000 }).toEqual([]);
    // alembic's server session was ended too, not left sleeping with its locks.
    await expect.poll(sleepingSessions, { timeout: 5_000 }).toEqual([]);
  });
});

async function sleepingSessions(): Promise<unknown[]> {
  return query(db.url, "SELECT pid FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND datname = current_database() AND pid <> pg_backend_pid()");
}

function databaseName(): string {
  return new URL(db.url).pathname.slice(1);
}
