import { describe, expect, it } from 'vitest';
import { customProjects } from '../support/custom-project.js';
import { eventsNamed, expectNoPassword, finalError } from '../support/expect.js';
import { perTest } from '../support/per-test.js';
import { query, TEST_PASSWORD } from '../support/postgres.js';
import { HEAD, REVISIONS } from '../support/project.js';
import { runSupervisor, type SupervisorRun } from '../support/supervisor.js';

const db = perTest();
const project = customProjects();

async function migrate(alembicConfig: string, env: Record<string, string> = {}): Promise<SupervisorRun> {
  const run = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig, ...env } });
  expectNoPassword(run);
  return run;
}

/** Revision 2 adds items.description: its absence after "migrating" means revisions were skipped. */
async function itemsColumns(schema = 'public'): Promise<string[]> {
  const rows = await query<{ column_name: string }>(db.url, `SELECT column_name FROM information_schema.columns WHERE table_schema = '${schema}' AND table_name = 'items' ORDER BY column_name`);
  return rows.map((row) => row.column_name);
}

async function versionsIn(table: string): Promise<string[]> {
  return (await query<{ version_num: string }>(db.url, `SELECT version_num FROM ${table}`)).map((row) => row.version_num);
}

async function tableExists(qualified: string): Promise<boolean> {
  return (await query<{ found: string | null }>(db.url, `SELECT to_regclass('${qualified}')::text AS found`))[0]?.found !== null;
}

/** The inspect phase's event (the first, before any lock). */
function inspected(run: SupervisorRun) {
  return eventsNamed(run, 'inspect').find((entry) => entry.plan !== undefined);
}

const WITH_DESCRIPTION = ['description', 'id', 'name', 'owner_id'];

describe('the version table where env.py puts it', () => {
  it('version_table="my_version": a database behind is upgraded, never stamped; the table found is named in the log', async () => {
    const { alembicConfig, alembic } = await project({ configure: 'version_table="my_version"' });
    await alembic(['upgrade', '+1'], db.url);
    const run = await migrate(alembicConfig);
    expect(run.exitCode).toBe(0);
    expect(inspected(run)).toMatchObject({ state: { kind: 'behind', current: [REVISIONS[0]] }, plan: 'upgrade', versionTable: 'public.my_version' });
    expect(run.events.some((entry) => entry.event === 'inspect' && entry.msg === 'reading the version from public.my_version, the only alembic version table in the database (env.py moved it); set ALEMBIC_VERSION_TABLE=public.my_version to say so')).toBe(true);
    expect(await versionsIn('my_version')).toEqual([HEAD]);
    expect(await itemsColumns()).toEqual(WITH_DESCRIPTION);
    expect(await tableExists('alembic_version')).toBe(false);
    expect(eventsNamed(run, 'verify')[0]).toMatchObject({ heads: [HEAD] });
    // At head: the fast path reads the same table, so no lock and no Python.
    const again = await migrate(alembicConfig);
    expect(again.exitCode).toBe(0);
    expect(inspected(again)).toMatchObject({ plan: 'nothing', versionTable: 'public.my_version' });
    expect(eventsNamed(again, 'alembic')).toEqual([]);
  });

  it('ALEMBIC_VERSION_TABLE=my_version says where it is, and a fresh database migrates into it', async () => {
    const { alembicConfig } = await project({ configure: 'version_table="my_version"' });
    const run = await migrate(alembicConfig, { ALEMBIC_VERSION_TABLE: 'my_version' });
    expect(run.exitCode).toBe(0);
    expect(await versionsIn('my_version')).toEqual([HEAD]);
    expect(eventsNamed(run, 'verify')[0]).toMatchObject({ heads: [HEAD] });
    const status = await runSupervisor(['status'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig, ALEMBIC_VERSION_TABLE: 'my_version' } });
    expect(eventsNamed(status, 'status')[0]).toMatchObject({ state: 'at-head', plan: 'nothing' });
  });

  it('version_table_schema="ver": found in its schema, behind is upgraded', async () => {
    await query(db.url, 'CREATE SCHEMA ver');
    const { alembicConfig, alembic } = await project({ configure: 'version_table_schema="ver"' });
    await alembic(['upgrade', '+1'], db.url);
    const run = await migrate(alembicConfig);
    expect(run.exitCode).toBe(0);
    expect(inspected(run)).toMatchObject({ state: { kind: 'behind' }, versionTable: 'ver.alembic_version' });
    expect(await versionsIn('ver.alembic_version')).toEqual([HEAD]);
    expect(await itemsColumns()).toEqual(WITH_DESCRIPTION);
  });

  it('both, stated as ALEMBIC_VERSION_TABLE=ver.my_version', async () => {
    await query(db.url, 'CREATE SCHEMA ver');
    const { alembicConfig, alembic } = await project({ configure: 'version_table="my_version", version_table_schema="ver"' });
    await alembic(['upgrade', '+2'], db.url);
    const run = await migrate(alembicConfig, { ALEMBIC_VERSION_TABLE: 'ver.my_version' });
    expect(run.exitCode).toBe(0);
    expect(inspected(run)).toMatchObject({ state: { kind: 'behind', current: [REVISIONS[1]] }, versionTable: 'ver.my_version' });
    expect(run.events.some((entry) => /the only alembic version table/.test(entry.msg))).toBe(false);
    expect(await versionsIn('ver.my_version')).toEqual([HEAD]);
  });

  it('two candidate tables and neither is alembic_version: refused (65), naming both and ALEMBIC_VERSION_TABLE; set, it migrates', async () => {
    const { alembicConfig, alembic } = await project({ configure: 'version_table="my_version"' });
    await alembic(['upgrade', '+1'], db.url);
    await query(db.url, 'CREATE SCHEMA legacy; CREATE TABLE legacy.old_version (version_num varchar(32) NOT NULL PRIMARY KEY)');
    const run = await migrate(alembicConfig);
    expect(run.exitCode).toBe(65);
    expect(finalError(run)?.msg).toBe(
      "the database holds several tables shaped like alembic's version table (legacy.old_version, public.my_version) and none is alembic_version on the search path; set ALEMBIC_VERSION_TABLE=[schema.]table to the one env.py uses (version_table_schema, version_table)",
    );
    expect(await itemsColumns()).toEqual(['id', 'name', 'owner_id']);
    const chosen = await migrate(alembicConfig, { ALEMBIC_VERSION_TABLE: 'public.my_version' });
    expect(chosen.exitCode).toBe(0);
    expect(await versionsIn('my_version')).toEqual([HEAD]);
  });

  it('ALEMBIC_VERSION_TABLE names a missing table while another version table exists: never stamped (65)', async () => {
    const { alembicConfig, alembic } = await project({ configure: 'version_table="my_version"' });
    await alembic(['upgrade', '+1'], db.url);
    const run = await migrate(alembicConfig, { ALEMBIC_VERSION_TABLE: 'wrong_version' });
    expect(run.exitCode).toBe(65);
    expect(finalError(run)?.msg).toMatch(/^the database has tables \(items, my_version, users\) and no Alembic version in the table read, but a version table exists \(public\.my_version\), so it is not stamped; set ALEMBIC_VERSION_TABLE/);
    expect(await versionsIn('my_version')).toEqual([REVISIONS[0]]);
  });

  it('a search_path that puts another schema first: alembic_version is found where alembic finds it, never stamped', async () => {
    const { alembicConfig, alembic } = await project({});
    await alembic(['upgrade', '+1'], db.url);
    const name = new URL(db.url).pathname.slice(1);
    await query(db.url, `CREATE SCHEMA audit; CREATE TABLE audit.events (id int); ALTER DATABASE ${name} SET search_path = audit, public`);
    const run = await migrate(alembicConfig);
    expect(run.exitCode).toBe(0);
    expect(inspected(run)).toMatchObject({ state: { kind: 'behind', current: [REVISIONS[0]] }, versionTable: 'public.alembic_version' });
    expect(await versionsIn('public.alembic_version')).toEqual([HEAD]);
    expect(await itemsColumns()).toEqual(WITH_DESCRIPTION);
  });

  it("a version table found by its shape that this user cannot read: 69, saying how to point at the right one", async () => {
    await query(db.url, 'CREATE SCHEMA other_app; CREATE TABLE other_app.alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY)');
    const role = `app_${Date.now().toString(36)}`;
    await query(db.url, `CREATE ROLE ${role} LOGIN PASSWORD '${TEST_PASSWORD}'`);
    const asApp = new URL(db.url);
    asApp.username = role;
    asApp.password = encodeURIComponent(TEST_PASSWORD);
    const run = await runSupervisor(['migrate'], { env: { DATABASE_URL: asApp.toString() } });
    expectNoPassword(run);
    expect(run.exitCode).toBe(69);
    expect(finalError(run)?.msg).toBe(
      'cannot inspect the database: permission denied for schema other_app (other_app.alembic_version is the only alembic-shaped version table in the database; if env.py uses another, set ALEMBIC_VERSION_TABLE to it); check that the user in DATABASE_URL may read its schema',
    );
  });

  it('a bad ALEMBIC_VERSION_TABLE is a configuration error naming the variable (64)', async () => {
    const run = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_VERSION_TABLE: 'a.b.c' } });
    expect(run.exitCode).toBe(64);
    expect(finalError(run)?.msg).toMatch(/^ALEMBIC_VERSION_TABLE="a\.b\.c" is invalid: expected \[schema\.\]table/);
  });
});
