import { afterEach, describe, expect, inject, it } from 'vitest';
import { expectNoPassword, eventsNamed } from '../support/expect.js';
import { exampleModels, FORGETFUL_DOWNGRADE, historyWith, LEFTOVER_TYPE, RAISING_DOWNGRADE, replaceIn, type FullRevision, type HistoryOptions } from '../support/migration-histories.js';
import { perTest } from '../support/per-test.js';
import { createDatabase, query, tablesOf } from '../support/postgres.js';
import { HEAD, REVISIONS, slowRevision } from '../support/project.js';
import { asRun, runSupervisor, startSupervisor, waitForOutput, type SupervisorRun } from '../support/supervisor.js';

const db = perTest();
const removals: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const remove of removals.splice(0)) await remove();
});

async function project(revisions: FullRevision[], options: HistoryOptions = {}): Promise<string> {
  const copy = await historyWith(revisions, options);
  removals.push(copy.remove);
  return copy.alembicConfig;
}

interface Report {
  ok: boolean;
  exitCode: number;
  database?: string;
  throwaway: boolean;
  heads: string[];
  checks: Array<{ name: string; status: string; durationMs: number; summary: string }>;
  revisions: Array<Record<string, unknown>>;
  failure?: { check: string; step: string; revision: string; error: string; command?: string };
  error?: string;
}

async function testMigrations(env: Record<string, string> = {}, args: string[] = []): Promise<SupervisorRun & { report: Report }> {
  const run = await runSupervisor(['test-migrations', '--json', ...args], { env: { DATABASE_URL: db.url, ...env }, timeoutMs: 240_000 });
  expectNoPassword(run);
  return { ...run, report: JSON.parse(run.stdout) as Report };
}

/** Databases on the test server whose name says they are a throwaway of `url`'s database. */
async function throwawaysOf(url: string): Promise<string[]> {
  const name = new URL(url).pathname.slice(1);
  const rows = await query<{ datname: string }>(url, `SELECT datname FROM pg_database WHERE datname LIKE '${name}\\_migtest\\_%' ORDER BY 1`);
  return rows.map((row) => row.datname);
}

const statuses = (report: Report) => Object.fromEntries(report.checks.map((check) => [check.name, check.status]));

/** Every check up to `failed` passed (model skipped: the example has no target_metadata), the rest did not run. */
function failedAt(check: string): Record<string, string> {
  const order = ['heads', 'upgrade', 'model', 'stairway', 'leftovers'];
  const passed = { heads: 'passed', upgrade: 'passed', model: 'skipped', stairway: 'passed', leftovers: 'passed' } as Record<string, string>;
  const index = order.indexOf(check);
  return Object.fromEntries(order.map((name, at) => [name, at < index ? (passed[name] as string) : at === index ? 'failed' : 'not-run']));
}

async function expectUntouched(url: string): Promise<void> {
  expect(await tablesOf(url)).toEqual([]);
  expect(await throwawaysOf(url)).toEqual([]);
}

describe('test-migrations', () => {
  it('passes the example on a throwaway database, keeping the URL form, and leaves DATABASE_URL untouched', async () => {
    const url = new URL(db.url);
    url.searchParams.set('connect_timeout', '10');
    const sqlalchemyUrl = url.toString().replace(/^postgresql:/, 'postgresql+psycopg2:');
    const run = await testMigrations({ DATABASE_URL: sqlalchemyUrl });
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
    await expectUntouched(db.url);
  });

  it('a downgrade that raises fails the stairway, naming the revision, the step and the error', async () => {
    const run = await testMigrations({ ALEMBIC_CONFIG: await project([RAISING_DOWNGRADE]) });
    expect(run.exitCode).toBe(70);
    expect(run.report.failure).toEqual({
      check: 'stairway',
      step: 'downgrade',
      revision: RAISING_DOWNGRADE.id,
      error: 'sqlalchemy.exc.ProgrammingError: (psycopg2.errors.UndefinedTable) table "no_such_table" does not exist',
      command: `alembic downgrade ${RAISING_DOWNGRADE.id}@-1`,
    });
    expect(statuses(run.report)).toEqual(failedAt('stairway'));
    await expectUntouched(db.url);
  });

  it('a downgrade that forgets its table fails at the re-upgrade', async () => {
    const run = await testMigrations({ ALEMBIC_CONFIG: await project([FORGETFUL_DOWNGRADE]) });
    expect(run.exitCode).toBe(70);
    expect(run.report.failure).toEqual({
      check: 'stairway',
      step: 're-upgrade',
      revision: FORGETFUL_DOWNGRADE.id,
      error: 'sqlalchemy.exc.ProgrammingError: (psycopg2.errors.DuplicateTable) relation "forgotten" already exists',
      command: `alembic upgrade ${FORGETFUL_DOWNGRADE.id}`,
    });
    expect(statuses(run.report)).toEqual(failedAt('stairway'));
    await expectUntouched(db.url);
  });

  it('a type left behind at base fails the leftovers check, naming the revision whose downgrade left it', async () => {
    const run = await testMigrations({ ALEMBIC_CONFIG: await project([LEFTOVER_TYPE]) });
    expect(run.exitCode).toBe(70);
    expect(run.report.failure).toEqual({
      check: 'leftovers',
      step: 'leftovers',
      revision: LEFTOVER_TYPE.id,
      error: `after downgrading to base, the database still has type public.mood: the downgrade of ${LEFTOVER_TYPE.id} leaves type public.mood behind`,
    });
    expect(statuses(run.report)).toEqual(failedAt('leftovers'));
    await expectUntouched(db.url);
  });

  it('models that match the migrations pass the model check; a column the migrations lack fails it', async () => {
    const matching = await testMigrations({ ALEMBIC_CONFIG: await project([], { models: exampleModels() }) });
    expect(matching.exitCode).toBe(0);
    expect(statuses(matching.report)).toEqual({ heads: 'passed', upgrade: 'passed', model: 'passed', stairway: 'passed', leftovers: 'passed' });

    const run = await testMigrations({ ALEMBIC_CONFIG: await project([], { models: exampleModels('price') }) });
    expect(run.exitCode).toBe(70);
    expect(run.report.failure).toMatchObject({ check: 'model', step: 'model', revision: HEAD, command: 'alembic check' });
    expect(run.report.failure?.error).toMatch(/^FAILED: New upgrade operations detected: \[\('add_column', None, 'items', Column\('price', Integer\(\)/);
    expect(statuses(run.report)).toEqual({ heads: 'passed', upgrade: 'passed', model: 'failed', stairway: 'not-run', leftovers: 'not-run' });
    await expectUntouched(db.url);
  });

  it('two heads fail before any database is created; MIGRATION_TARGET=heads walks both branches', async () => {
    const branch: FullRevision = { id: 'b1a2c3d4e5f6', parent: REVISIONS[2], upgrade: ['op.create_table("branch", sa.Column("id", sa.Integer, primary_key=True))'], downgrade: ['op.drop_table("branch")'] };
    const alembicConfig = await project([branch]);
    const run = await testMigrations({ ALEMBIC_CONFIG: alembicConfig });
    expect(run.exitCode).toBe(70);
    expect(run.report.failure).toMatchObject({ check: 'heads', step: 'heads', revision: `${branch.id}, ${HEAD}` });
    expect(run.report.failure?.error).toMatch(/alembic merge heads.*MIGRATION_TARGET=heads/);
    expect(statuses(run.report)).toEqual(failedAt('heads'));
    expect(run.report.database).toBeUndefined();
    expect(eventsNamed(asRun({ stdout: run.stderr }), 'wait')).toEqual([]);

    const both = await testMigrations({ ALEMBIC_CONFIG: alembicConfig, MIGRATION_TARGET: 'heads' });
    expect(both.exitCode).toBe(0);
    expect(both.report.revisions.map((timing) => timing.revision)).toEqual([...REVISIONS.slice(0, 3), branch.id, HEAD]);
    await expectUntouched(db.url);
  });

  it('walks a merge point down and up again', async () => {
    const branch: FullRevision = { id: 'b1a2c3d4e5f6', parent: REVISIONS[2], upgrade: ['op.create_table("branch", sa.Column("id", sa.Integer, primary_key=True))'], downgrade: ['op.drop_table("branch")'] };
    const merge: FullRevision = { id: 'aa00000000e1', parent: HEAD, identifiers: `revision = "aa00000000e1"\ndown_revision = ("${HEAD}", "${branch.id}")`, upgrade: ['pass'], downgrade: ['pass'] };
    const run = await testMigrations({ ALEMBIC_CONFIG: await project([branch, merge]) });
    expect(run.exitCode).toBe(0);
    expect(run.report.heads).toEqual([merge.id]);
    expect(run.report.revisions.map((timing) => timing.revision)).toEqual([...REVISIONS.slice(0, 3), branch.id, HEAD, merge.id]);
  });

  it('SIGTERM mid-run stops alembic and drops the throwaway database (143)', async () => {
    const alembicConfig = await project([{ ...slowRevision(60), downgrade: ['op.drop_table("slow_table")'] }]);
    const running = startSupervisor(['test-migrations'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig }, timeoutMs: 120_000 });
    await waitForOutput(running, new RegExp(`"step":"upgrade","revision":"${HEAD}"`), 120_000);
    expect(await throwawaysOf(db.url)).toHaveLength(1);
    running.kill('SIGTERM');
    const run = asRun(await running);
    expectNoPassword(run);
    expect(run.exitCode).toBe(143);
    expect(run.events.at(-1)).toMatchObject({ event: 'test-migrations', ok: false, exitCode: 143, error: 'stopped by SIGTERM' });
    await expectUntouched(db.url);
  });

  it('tests on an empty --database-url and leaves it there; refuses one that is not empty (65)', async () => {
    const given = await createDatabase(inject('adminUrl'));
    const run = await testMigrations({}, ['--database-url', given]);
    expect(run.exitCode).toBe(0);
    expect(run.report).toMatchObject({ ok: true, throwaway: false });
    expect(await tablesOf(given)).toEqual(['alembic_version']);
    await expectUntouched(db.url);

    await query(given, 'CREATE TABLE precious (id int)');
    const refused = await testMigrations({}, ['--database-url', given]);
    expect(refused.exitCode).toBe(65);
    expect(refused.report.error).toMatch(/^--database-url postgresql:\/\/postgres:\*\*\*@.* is not empty \(table public\.alembic_version, table public\.precious\)/);
    expect(statuses(refused.report)).toEqual({ heads: 'passed', upgrade: 'not-run', model: 'not-run', stairway: 'not-run', leftovers: 'not-run' });
  });

  it('without CREATEDB says so and what to do (69)', async () => {
    const admin = inject('adminUrl');
    const role = `nocreatedb_${process.pid}_${Date.now().toString(36)}`;
    await query(admin, `CREATE ROLE ${role} LOGIN PASSWORD 'S3cr3t-p@ss:w/rd'`);
    const url = new URL(db.url);
    await query(admin, `ALTER DATABASE ${url.pathname.slice(1)} OWNER TO ${role}`);
    url.username = role;
    const run = await testMigrations({ DATABASE_URL: url.toString() });
    expect(run.exitCode).toBe(69);
    expect(run.report.error).toBe(`the user ${role} of DATABASE_URL may not create databases (no CREATEDB), and test-migrations needs one to throw away: grant it (ALTER ROLE ${role} CREATEDB) or create an empty database and pass its URL with --database-url`);
    await expectUntouched(db.url);
  });

  it('refuses an env.py that does not take its URL from DATABASE_URL, before migrating anything (64)', async () => {
    const copy = await historyWith([]);
    removals.push(copy.remove);
    await replaceIn(`${copy.dir}/alembic/env.py`, 'database_url()', 'database_url(os.environ["APP_DATABASE_URL"])');
    const run = await testMigrations({ ALEMBIC_CONFIG: copy.alembicConfig, APP_DATABASE_URL: db.url });
    expect(run.exitCode).toBe(64);
    expect(run.report.error).toMatch(/^alembic reached a database although DATABASE_URL named one that does not exist \(\w+_migtest_[0-9a-f]{8}\): env\.py takes its URL from elsewhere/);
    await expectUntouched(db.url);
  });
});
