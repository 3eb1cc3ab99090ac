import { describe, expect, inject, it } from 'vitest';
import { perTest } from '../support/per-test.js';
import { alembicLines, eventsNamed, expectNoPassword, finalError } from '../support/expect.js';
import { createDatabase, query, tablesOf, TEST_PASSWORD, versionsOf } from '../support/postgres.js';
import { FAILING_REVISION, HEAD, REVISIONS } from '../support/project.js';
import { runSupervisor, type SupervisorRun } from '../support/supervisor.js';

const db = perTest();

async function migrate(env: Record<string, string> = {}): Promise<SupervisorRun> {
  const run = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ...env } });
  expectNoPassword(run);
  return run;
}

describe('migrate', () => {
  it('upgrades a fresh database to head and logs every phase', async () => {
    const run = await migrate();
    expect(run.exitCode).toBe(0);
    expect(await versionsOf(db.url)).toEqual([HEAD]);
    expect(await tablesOf(db.url)).toEqual(['alembic_version', 'items', 'users']);
    expect(alembicLines(run).filter((line) => line.includes('Running upgrade'))).toHaveLength(4);
    // Each phase ends with one event carrying its duration, and the startup event sums them up.
    const phases = ['scripts', 'wait', 'lock', 'inspect', 'migrate', 'verify'];
    for (const phase of phases) {
      const timed = eventsNamed(run, phase).filter((entry) => entry.durationMs !== undefined);
      expect(timed.length, phase).toBeGreaterThan(0);
      for (const entry of timed) expect(entry.durationMs, phase).toEqual(expect.any(Number));
    }
    expect(eventsNamed(run, 'inspect').filter((entry) => typeof entry.durationMs === 'number')).toHaveLength(2);
    const startup = eventsNamed(run, 'startup');
    expect(startup).toHaveLength(1);
    expect(Object.keys(startup[0]?.phases as object).sort()).toEqual([...phases].sort());
    for (const phase of phases) expect((startup[0]?.phases as Record<string, unknown>)[phase], phase).toEqual(expect.any(Number));
  });

  it('upgrades a database that is behind', async () => {
    expect((await migrate()).exitCode).toBe(0);
    const down = await runSupervisor(['rollback', '--steps', '2'], { env: { DATABASE_URL: db.url } });
    expect(down.exitCode).toBe(0);
    expect(await versionsOf(db.url)).toEqual([REVISIONS[1]]);
    const run = await migrate();
    expect(run.exitCode).toBe(0);
    expect(eventsNamed(run, 'inspect')[0]?.state).toMatchObject({ kind: 'behind', current: [REVISIONS[1]] });
    expect(await versionsOf(db.url)).toEqual([HEAD]);
  });

  it('stamps an unversioned database at head, with a warning', async () => {
    await query(db.url, 'CREATE TABLE users (id serial primary key, email text)');
    const run = await migrate();
    expect(run.exitCode).toBe(0);
    expect(await versionsOf(db.url)).toEqual([HEAD]);
    expect(await tablesOf(db.url)).toEqual(['alembic_version', 'users']);
    expect(run.events.some((entry) => entry.level === 'warn' && /stamping/.test(entry.msg))).toBe(true);
  });

  it("an extension's tables do not make a fresh database look unversioned", async () => {
    await query(db.url, 'CREATE EXTENSION pg_stat_statements');
    const run = await migrate();
    expect(run.exitCode).toBe(0);
    expect(eventsNamed(run, 'inspect')[0]).toMatchObject({ plan: 'upgrade', state: { kind: 'empty' } });
    expect(await tablesOf(db.url)).toEqual(expect.arrayContaining(['alembic_version', 'items', 'users']));
  });

  it('refuses an unversioned database with UNVERSIONED_DATABASE=refuse (65)', async () => {
    await query(db.url, 'CREATE TABLE users (id serial primary key)');
    const run = await migrate({ UNVERSIONED_DATABASE: 'refuse' });
    expect(run.exitCode).toBe(65);
    expect(finalError(run)?.msg).toMatch(/users.*UNVERSIONED_DATABASE/);
    expect(await tablesOf(db.url)).toEqual(['users']);
  });

  it('refuses a database at a revision the scripts do not contain (65), naming it', async () => {
    await query(db.url, "CREATE TABLE alembic_version (version_num varchar(32) primary key); INSERT INTO alembic_version VALUES ('abcdef999999')");
    const run = await migrate();
    expect(run.exitCode).toBe(65);
    expect(finalError(run)?.msg).toContain('abcdef999999');
  });

  it('refuses scripts with several heads (65), naming them, before touching the database', async () => {
    const alembicConfig = await db.projectWith([{ id: 'b1a2c3d4e5f6', parent: REVISIONS[2], upgrade: ['pass'] }]);
    const run = await migrate({ ALEMBIC_CONFIG: alembicConfig });
    expect(run.exitCode).toBe(65);
    expect(finalError(run)?.msg).toMatch(new RegExp(`(b1a2c3d4e5f6.*${HEAD}|${HEAD}.*b1a2c3d4e5f6)`));
    expect(await tablesOf(db.url)).toEqual([]);
  });

  it('a failing revision leaves nothing half-applied and exits 70', async () => {
    const alembicConfig = await db.projectWith([FAILING_REVISION]);
    const run = await migrate({ ALEMBIC_CONFIG: alembicConfig });
    expect(run.exitCode).toBe(70);
    expect(finalError(run)?.msg).toMatch(/alembic.*upgrade head exited with code 1/);
    expect(alembicLines(run).join('\n')).toMatch(/division by zero/);
    // All revisions ran in one transaction: none of them is left behind.
    expect(await tablesOf(db.url)).toEqual([]);
  });

  it('a failing revision on top of an up-to-date database keeps it at its revision', async () => {
    expect((await migrate()).exitCode).toBe(0);
    const alembicConfig = await db.projectWith([FAILING_REVISION]);
    const run = await migrate({ ALEMBIC_CONFIG: alembicConfig });
    expect(run.exitCode).toBe(70);
    expect(await versionsOf(db.url)).toEqual([HEAD]);
    expect(await tablesOf(db.url)).not.toContain('half_applied');
  });

  it('asks alembic for the revision graph when a script cannot be read without Python', async () => {
    const alembicConfig = await db.projectWith([
      { id: 'c0c0c0c0c0c0', parent: HEAD, upgrade: ['op.create_table("computed", sa.Column("id", sa.Integer, primary_key=True))'], identifiers: `PARENT = "${HEAD}"\nrevision = "c0c0c0c0c0c0"\ndown_revision = PARENT` },
    ]);
    const run = await migrate({ ALEMBIC_CONFIG: alembicConfig });
    expect(run.exitCode).toBe(0);
    expect(run.events.some((entry) => entry.event === 'scripts' && entry.level === 'warn' && /down_revision = PARENT/.test(String(entry.reason)))).toBe(true);
    expect(await versionsOf(db.url)).toEqual(['c0c0c0c0c0c0']);
    // At head now: the second start needs alembic's history again, but no upgrade.
    const again = await migrate({ ALEMBIC_CONFIG: alembicConfig });
    expect(again.exitCode).toBe(0);
    expect(eventsNamed(again, 'inspect')[0]?.plan).toBe('nothing');
  });

  it('a database it cannot fully read is an error (69), never "empty"', async () => {
    expect((await migrate()).exitCode).toBe(0);
    const role = `reader_${Date.now().toString(36)}`;
    await query(db.url, `CREATE ROLE ${role} LOGIN PASSWORD '${TEST_PASSWORD}'`);
    const asReader = new URL(db.url);
    asReader.username = role;
    asReader.password = encodeURIComponent(TEST_PASSWORD);
    const run = await runSupervisor(['migrate'], { env: { DATABASE_URL: asReader.toString() } });
    expectNoPassword(run);
    expect(run.exitCode).toBe(69);
    expect(finalError(run)?.msg).toMatch(/cannot inspect the database: permission denied for table alembic_version/);
    expect(alembicLines(run)).toEqual([]);
  });

  it('runs `python -m alembic` from ALEMBIC_COMMAND, split on spaces without a shell', async () => {
    const run = await migrate({ ALEMBIC_COMMAND: 'python -m alembic' });
    expect(run.exitCode).toBe(0);
    expect(await versionsOf(db.url)).toEqual([HEAD]);
  });

  it('a missing alembic is a configuration error naming ALEMBIC_COMMAND (64)', async () => {
    const run = await migrate({ ALEMBIC_COMMAND: 'no-such-alembic' });
    expect(run.exitCode).toBe(64);
    expect(finalError(run)?.msg).toMatch(/ALEMBIC_COMMAND="no-such-alembic" cannot be started/);
  });

  it('accepts the SQLAlchemy URL forms (url-passthrough.test.ts proves they reach alembic unchanged)', async () => {
    for (const scheme of ['postgres', 'postgresql+psycopg2', 'postgresql+asyncpg']) {
      const database = await createDatabase(inject('adminUrl'));
      const variant = database.replace(/^postgresql/, scheme);
      const run = await runSupervisor(['migrate'], { env: { DATABASE_URL: variant } });
      expectNoPassword(run);
      expect(run.exitCode, scheme).toBe(0);
      expect(await versionsOf(database)).toEqual([HEAD]);
    }
  });

  it.each([
    ['RUN_MIGRATIONS', 'false'],
    ['SKIP_MIGRATIONS', 'true'],
  ])('migrate with %s=%s does nothing, says so, and exits 0', async (variable, value) => {
    const run = await migrate({ [variable]: value });
    expect(run.exitCode).toBe(0);
    expect(run.events.some((entry) => entry.level === 'warn' && /migrations are disabled/.test(entry.msg))).toBe(true);
    expect(await tablesOf(db.url)).toEqual([]);
  });
});

describe('status and rollback', () => {
  it('status reports the state and the plan and changes nothing', async () => {
    const run = await runSupervisor(['status'], { env: { DATABASE_URL: db.url } });
    expect(run.exitCode).toBe(1);
    expect(eventsNamed(run, 'status')[0]).toMatchObject({ state: 'empty', plan: 'upgrade', msg: 'the database is empty; plan: alembic upgrade head' });
    expect(await tablesOf(db.url)).toEqual([]);
  });

  it('rollback --steps and --to downgrade under the lock', async () => {
    expect((await migrate()).exitCode).toBe(0);
    const steps = await runSupervisor(['rollback', '--steps', '1'], { env: { DATABASE_URL: db.url } });
    expect(steps.exitCode).toBe(0);
    expect(eventsNamed(steps, 'lock')).toHaveLength(1);
    expect(await versionsOf(db.url)).toEqual([REVISIONS[2]]);
    const base = await runSupervisor(['rollback', '--to', 'base'], { env: { DATABASE_URL: db.url } });
    expect(base.exitCode).toBe(0);
    expect(await tablesOf(db.url)).toEqual(['alembic_version']);
  });
});
