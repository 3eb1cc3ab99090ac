import { describe, expect, inject, it } from 'vitest';
import { expectNoPassword } from '../support/expect.js';
import { replaceIn } from '../support/migration-histories.js';
import { createDatabase, query, tablesOf } from '../support/postgres.js';
import { HEAD, REVISIONS, slowRevision } from '../support/project.js';
import { asRun, startSupervisor, waitForOutput } from '../support/supervisor.js';
import { expectUntouched, statuses, TEST_MIGRATIONS_TIMEOUT_MS, testMigrationsSetup, throwawaysOf } from '../support/test-migrations.js';

const tm = testMigrationsSetup();

describe('test-migrations', { timeout: TEST_MIGRATIONS_TIMEOUT_MS }, () => {
  it('passes the example on a throwaway database, keeping the URL form, and leaves DATABASE_URL untouched', async () => {
    const url = new URL(tm.db.url);
    url.searchParams.set('connect_timeout', '10');
    const sqlalchemyUrl = url.toString().replace(/^postgresql:/, 'postgresql+psycopg2:');
    const run = await tm.run({ DATABASE_URL: sqlalchemyUrl });
    expect(run.exitCode).toBe(0);
    expect(run.report).toMatchObject({ ok: true, exitCode: 0, throwaway: true, heads: [HEAD] });
    expect(run.report.failure).toBeUndefined();
    expect(run.report.database).toMatch(new RegExp(`^postgresql\\+psycopg2://postgres:\\*\\*\\*@[^/]+/${url.pathname.slice(1)}_migtest_[0-9a-f]{8}\\?connect_timeout=10$`));
    expect(statuses(run.report)).toEqual({ heads: 'passed', upgrade: 'passed', model: 'skipped', stairway: 'passed', leftovers: 'passed' });
    expect(run.report.checks.find((check) => check.name === 'model')?.summary).toMatch(/no target_metadata/);
    expect(run.report.revisions.map((timing) => timing.revision)).toEqual([...REVISIONS]);
    for (const timing of run.report.revisions) {
      expect(Object.keys(timing).sort()).toEqual(['downgradeAgainMs', 'downgradeMs', 'reupgradeMs', 'revision', 'upgradeMs']);
    }
    // The log went to stderr, one event per check with its duration.
    const logged = asRun({ stdout: run.stderr }).events.filter((entry) => entry.event === 'check');
    expect(logged.map((entry) => [entry.check, entry.status, typeof entry.durationMs])).toEqual([
      ['heads', 'passed', 'number'],
      ['upgrade', 'passed', 'number'],
      ['model', 'skipped', 'number'],
      ['stairway', 'passed', 'number'],
      ['leftovers', 'passed', 'number'],
    ]);
    await expectUntouched(tm.db.url);
  });

  it('SIGTERM mid-run stops alembic and drops the throwaway database (143)', async () => {
    const alembicConfig = await tm.config([{ ...slowRevision(60), downgrade: ['op.drop_table("slow_table")'] }]);
    const running = startSupervisor(['test-migrations'], { env: { DATABASE_URL: tm.db.url, ALEMBIC_CONFIG: alembicConfig }, timeoutMs: 120_000 });
    await waitForOutput(running, new RegExp(`"step":"upgrade","revision":"${HEAD}"`), 120_000);
    expect(await throwawaysOf(tm.db.url)).toHaveLength(1);
    running.kill('SIGTERM');
    const run = asRun(await running);
    expectNoPassword(run);
    expect(run.exitCode).toBe(143);
    expect(run.events.at(-1)).toMatchObject({ event: 'test-migrations', ok: false, exitCode: 143, error: 'stopped by SIGTERM' });
    await expectUntouched(tm.db.url);
  });

  it('tests on an empty --database-url and leaves it there; refuses one that is not empty (65)', async () => {
    const given = await createDatabase(inject('adminUrl'));
    const run = await tm.run({}, ['--database-url', given]);
    expect(run.exitCode).toBe(0);
    expect(run.report).toMatchObject({ ok: true, throwaway: false });
    expect(await tablesOf(given)).toEqual(['alembic_version']);
    await expectUntouched(tm.db.url);

    await query(given, 'CREATE TABLE precious (id int)');
    const refused = await tm.run({}, ['--database-url', given]);
    expect(refused.exitCode).toBe(65);
    expect(refused.report.error).toMatch(/^--database-url postgresql:\/\/postgres:\*\*\*@.* is not empty \(table public\.alembic_version, table public\.precious\)/);
    expect(statuses(refused.report)).toEqual({ heads: 'passed', upgrade: 'not-run', model: 'not-run', stairway: 'not-run', leftovers: 'not-run' });
  });

  it('without CREATEDB says so and what to do (69)', async () => {
    const admin = inject('adminUrl');
    const role = `nocreatedb_${process.pid}_${Date.now().toString(36)}`;
    await query(admin, `CREATE ROLE ${role} LOGIN PASSWORD 'S3cr3t-p@ss:w/rd'`);
    const url = new URL(tm.db.url);
    await query(admin, `ALTER DATABASE ${url.pathname.slice(1)} OWNER TO ${role}`);
    url.username = role;
    const run = await tm.run({ DATABASE_URL: url.toString() });
    expect(run.exitCode).toBe(69);
    expect(run.report.error).toBe(`the user ${role} of DATABASE_URL may not create databases (no CREATEDB), and test-migrations needs one to throw away: grant it (ALTER ROLE ${role} CREATEDB) or create an empty database and pass its URL with --database-url`);
    await expectUntouched(tm.db.url);
  });

  it('refuses an env.py that does not take its URL from DATABASE_URL, before migrating anything (64)', async () => {
    const copy = await tm.project([]);
    await replaceIn(`${copy.dir}/alembic/env.py`, 'database_url()', 'database_url(os.environ["APP_DATABASE_URL"])');
    const run = await tm.run({ ALEMBIC_CONFIG: copy.alembicConfig, APP_DATABASE_URL: tm.db.url });
    expect(run.exitCode).toBe(64);
    expect(run.report.error).toMatch(/^alembic reached a database although DATABASE_URL named one that does not exist \(\w+_migtest_[0-9a-f]{8}\): env\.py takes its URL from elsewhere/);
    await expectUntouched(tm.db.url);
  });
});
