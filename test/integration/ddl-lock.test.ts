import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { eventsNamed, expectNoPassword, finalError } from '../support/expect.js';
import { perTest } from '../support/per-test.js';
import { query, versionsOf } from '../support/postgres.js';
import { HEAD, type ExtraRevision } from '../support/project.js';
import { asRun, runSupervisor, startSupervisor, waitForOutput } from '../support/supervisor.js';

const db = perTest();

/** Needs an ACCESS EXCLUSIVE lock on items, the example's busiest table. */
const ALTER_ITEMS: ExtraRevision = { id: 'a1000000d0d1', parent: HEAD, upgrade: ['op.execute("ALTER TABLE items ADD COLUMN extra integer")'] };

/** The example at head, and a session named ddl-blocker inside a transaction that has read items. */
async function blockedItems(): Promise<{ blocker: pg.Client; pid: number }> {
  expect((await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url } })).exitCode).toBe(0);
  const blocker = new pg.Client({ connectionString: db.url, application_name: 'ddl-blocker' });
  await blocker.connect();
  const pid = (await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  await blocker.query('BEGIN');
  await blocker.query('SELECT * FROM items');
  return { blocker, pid };
}

async function itemColumns(): Promise<string[]> {
  const rows = await query<{ column_name: string }>(db.url, "SELECT column_name FROM information_schema.columns WHERE table_name = 'items' ORDER BY ordinal_position");
  return rows.map((row) => row.column_name);
}

describe('a migration blocked by an open transaction (the DDL lock guard)', () => {
  it('never stops traffic on the table for longer than the lock timeout, names the blocker while waiting, and fails 70 after the last try', async () => {
    const { blocker, pid } = await blockedItems();
    try {
      const env = { DATABASE_URL: db.url, ALEMBIC_CONFIG: await db.projectWith([ALTER_ITEMS]), MIGRATION_DDL_LOCK_TIMEOUT: '1', MIGRATION_DDL_RETRIES: '1' };
      const supervisor = startSupervisor(['migrate'], { env });
      await waitForOutput(supervisor, /"event":"blocked"/);
      // The app's traffic, queued behind the ALTER's lock request until lock_timeout ends it.
      const reader = new pg.Client({ connectionString: db.url, statement_timeout: 30_000 });
      await reader.connect();
      const started = Date.now();
      await reader.query('SELECT count(*) FROM items');
      const readMs = Date.now() - started;
      await reader.end();
      expect(readMs).toBeLessThan(1_000 + 2_000);

      const result = asRun(await supervisor);
      expectNoPassword(result);
      expect(result.exitCode).toBe(70);
      const blockerFields = { pid, applicationName: 'ddl-blocker', state: 'idle in transaction', since: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), query: 'SELECT * FROM items' };
      const blocked = eventsNamed(result, 'blocked');
      expect(blocked.length).toBeGreaterThanOrEqual(2); // at least once in each of the 2 tries
      for (const event of blocked) {
        expect(event).toMatchObject({ level: 'warn', blockers: [blockerFields] });
        expect(event.msg).toBe(`alembic is waiting for a lock held by pid ${pid} (application_name "ddl-blocker", idle in transaction since ${(event.blockers as Array<{ since: string }>)[0]!.since}: "SELECT * FROM items"); new queries on the same table wait behind it`);
      }
      expect(eventsNamed(result, 'migrate').filter((event) => event.reason === 'lock timeout')).toMatchObject([{ level: 'warn', attempt: 1, retriesLeft: 1 }]);
      expect(finalError(result)?.msg, result.stdout).toMatch(
        new RegExp(`^alembic upgrade head waited longer than MIGRATION_DDL_LOCK_TIMEOUT=1s for a lock, held by pid ${pid} \\(application_name "ddl-blocker", idle in transaction since \\S+: "SELECT \\* FROM items"\\), and was rolled back; .*; gave up after 2 tries \\(MIGRATION_DDL_RETRIES=1\\) in revision a1000000d0d1 \\(upgrade \\S+ -> a1000000d0d1\\): .*LockNotAvailable.*; after the rollback the database is at \\S+, as before$`),
      );
      expect(finalError(result)?.blockers).toEqual([blockerFields]);
    } finally {
      await blocker.end();
    }
    expect(await versionsOf(db.url)).toEqual([HEAD]);
    expect(await itemColumns()).not.toContain('extra');
  });

  it('succeeds when the blocker commits during the retries', async () => {
    const { blocker } = await blockedItems();
    const env = { DATABASE_URL: db.url, ALEMBIC_CONFIG: await db.projectWith([ALTER_ITEMS]), MIGRATION_DDL_LOCK_TIMEOUT: '1', MIGRATION_DDL_RETRIES: '5' };
    const supervisor = startSupervisor(['migrate'], { env });
    await waitForOutput(supervisor, /trying again/);
    await blocker.query('COMMIT');
    await blocker.end();
    const result = asRun(await supervisor);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(await versionsOf(db.url)).toEqual(['a1000000d0d1']);
    expect(await itemColumns()).toContain('extra');
  });

  it('passes lock_timeout to alembic through PGOPTIONS, after which the user\'s own PGOPTIONS still win', async () => {
    const alembicConfig = await db.projectWith([{ id: 'a1000000d0d2', parent: HEAD, upgrade: ['op.execute("CREATE TABLE lock_timeouts AS SELECT current_setting(\'lock_timeout\') AS value, current_setting(\'work_mem\') AS work_mem")'] }]);
    const result = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig, MIGRATION_DDL_LOCK_TIMEOUT: '2.5', PGOPTIONS: '-c work_mem=8MB' } });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(await query(db.url, 'SELECT value, work_mem FROM lock_timeouts')).toEqual([{ value: '2500ms', work_mem: '8MB' }]);
  });

  it('MIGRATION_DDL_LOCK_TIMEOUT=0 sets no lock_timeout', async () => {
    const alembicConfig = await db.projectWith([{ id: 'a1000000d0d2', parent: HEAD, upgrade: ['op.execute("CREATE TABLE lock_timeouts AS SELECT current_setting(\'lock_timeout\') AS value")'] }]);
    const result = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig, MIGRATION_DDL_LOCK_TIMEOUT: '0' } });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(await query(db.url, 'SELECT value FROM lock_timeouts')).toEqual([{ value: '0' }]);
  });
});
