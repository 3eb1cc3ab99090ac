import { describe, expect, inject, it } from 'vitest';
import { eventsNamed, expectNoPassword, finalError } from '../support/expect.js';
import { perTest } from '../support/per-test.js';
import { query, tablesOf, versionsOf, withClient } from '../support/postgres.js';
import { FAILING_REVISION, HEAD } from '../support/project.js';
import { runSupervisor, type SupervisorRun } from '../support/supervisor.js';

const db = perTest();
const APP = ['--', 'sh', '-c', 'echo APP RAN'];
const DIVISION = 'sqlalchemy.exc.DataError: (psycopg2.errors.DivisionByZero) division by zero';

async function run(env: Record<string, string>, args = APP): Promise<SupervisorRun> {
  const result = await runSupervisor(args, { env: { DATABASE_URL: db.url, ...env } });
  expectNoPassword(result);
  return result;
}

/** The traceback alembic printed: logged once, at error level, and nowhere else. */
function expectTracebackOnce(result: SupervisorRun, exception: string): void {
  const withTraceback = result.events.filter((entry) => entry.traceback !== undefined);
  expect(withTraceback).toHaveLength(1);
  expect(withTraceback[0]).toMatchObject({ level: 'error', event: 'alembic', msg: `alembic failed: ${exception}` });
  expect(String(withTraceback[0]?.traceback)).toMatch(/^Traceback \(most recent call last\):\n/);
  expect(result.stdout.split('Traceback (most recent call last)').length - 1).toBe(String(withTraceback[0]?.traceback).split('Traceback (most recent call last)').length - 1);
}

describe('ON_MIGRATION_FAILURE=continue and what a failure says', () => {
  it('an empty database whose migration failed stops with 70, naming revision, exception and state; no app', async () => {
    const result = await run({ ALEMBIC_CONFIG: await db.projectWith([FAILING_REVISION]), ON_MIGRATION_FAILURE: 'continue' });
    expect(result.exitCode).toBe(70);
    expect(result.stdout).not.toContain('APP RAN');
    expect(await tablesOf(db.url)).toEqual([]);
    const error = finalError(result);
    expect(error).toMatchObject({ level: 'error', exitCode: 70, stateBefore: 'empty', revision: FAILING_REVISION.id, exception: DIVISION, versions: [] });
    expect(error?.msg).toContain(`in revision ${FAILING_REVISION.id} (upgrade ${HEAD} -> ${FAILING_REVISION.id}): ${DIVISION}; after the rollback the database is empty, as before`);
    expect(error?.msg).toContain('ON_MIGRATION_FAILURE=continue does not start the app: the database was empty before');
    expectTracebackOnce(result, DIVISION);
  });

  it('a database that was behind: continue warns with the same facts and starts the app', async () => {
    expect((await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url } })).exitCode).toBe(0);
    const result = await run({ ALEMBIC_CONFIG: await db.projectWith([FAILING_REVISION]) });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('APP RAN');
    const warning = result.events.find((entry) => entry.level === 'warn' && /starting the app anyway/.test(entry.msg));
    expect(warning?.msg).toContain(`in revision ${FAILING_REVISION.id} (upgrade ${HEAD} -> ${FAILING_REVISION.id}): ${DIVISION}; after the rollback the database is at ${HEAD}, as before`);
    expect(await versionsOf(db.url)).toEqual([HEAD]);
    expectTracebackOnce(result, DIVISION);
  });

  it('a read-only database is named as a permanent cause; empty, so continue does not apply (70)', async () => {
    const name = new URL(db.url).pathname.slice(1);
    await withClient(inject('adminUrl'), (client) => client.query(`ALTER DATABASE ${name} SET default_transaction_read_only = on`));
    const result = await run({});
    expect(result.exitCode).toBe(70);
    expect(result.stdout).not.toContain('APP RAN');
    expect(finalError(result)).toMatchObject({ cause: 'read-only', stateBefore: 'empty' });
    expect(finalError(result)?.msg).toMatch(/before running any revision: sqlalchemy\.exc\.InternalError: \(psycopg2\.errors\.ReadOnlySqlTransaction\) cannot execute CREATE TABLE in a read-only transaction; permanent: the database is read-only .*; after the rollback the database is empty, as before/);
  });

  it('an unversioned database whose stamp failed stops with 70 even with continue', async () => {
    await query(db.url, 'CREATE TABLE users (id serial primary key)');
    const name = new URL(db.url).pathname.slice(1);
    await withClient(inject('adminUrl'), (client) => client.query(`ALTER DATABASE ${name} SET default_transaction_read_only = on`));
    const result = await run({});
    expect(result.exitCode).toBe(70);
    expect(result.stdout).not.toContain('APP RAN');
    expect(finalError(result)).toMatchObject({ cause: 'read-only', stateBefore: 'unversioned' });
    expect(finalError(result)?.msg).toMatch(/before running any revision: .*read-only transaction; permanent: .*; after the rollback the database is unversioned \(tables, no Alembic version\), as before/);
  });

  it('a failed rollback says the same: revision, exception, permanent cause, where the database stands', async () => {
    expect((await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url } })).exitCode).toBe(0);
    const name = new URL(db.url).pathname.slice(1);
    await withClient(inject('adminUrl'), (client) => client.query(`ALTER DATABASE ${name} SET default_transaction_read_only = on`));
    const result = await runSupervisor(['rollback', '--steps', '1'], { env: { DATABASE_URL: db.url } });
    expect(result.exitCode).toBe(70);
    expect(finalError(result)).toMatchObject({ cause: 'read-only', stateBefore: 'at-head', revision: HEAD, versions: [HEAD] });
    expect(finalError(result)?.msg).toMatch(
      new RegExp(`in revision ${HEAD} \\(downgrade ${HEAD} -> c47a1e9d5b03\\): sqlalchemy\\.exc\\.InternalError: \\(psycopg2\\.errors\\.ReadOnlySqlTransaction\\) .*; permanent: the database is read-only .*; after the rollback the database is at ${HEAD}, as before$`),
    );
  });

  it('a role without CREATE on the schema is named as a permanent cause (70)', async () => {
    const role = `nocreate_${process.pid}_${Date.now().toString(36)}`;
    await withClient(inject('adminUrl'), (client) => client.query(`CREATE ROLE ${role} LOGIN PASSWORD 'nocreate-pw'`));
    await withClient(db.url, (client) => client.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`));
    try {
      const url = new URL(db.url);
      url.username = role;
      url.password = 'nocreate-pw';
      const result = await runSupervisor(['migrate'], { env: { DATABASE_URL: url.toString() } });
      expect(result.exitCode).toBe(70);
      expect(finalError(result)).toMatchObject({ cause: 'privilege', stateBefore: 'empty' });
      expect(finalError(result)?.msg).toMatch(/before running any revision: sqlalchemy\.exc\.ProgrammingError: \(psycopg2\.errors\.InsufficientPrivilege\) permission denied for schema public.*; permanent: the user in DATABASE_URL lacks a privilege.*; after the rollback the database is empty, as before/);
    } finally {
      await withClient(inject('adminUrl'), (client) => client.query(`DROP ROLE IF EXISTS ${role}`));
    }
  });

  it('alembic missing is named as a permanent cause; empty, so continue does not apply (70)', async () => {
    // A Python without alembic; run elsewhere than the project, whose alembic/ folder Python would take for the package.
    const result = await runSupervisor(APP, { cwd: '/', env: { DATABASE_URL: db.url, ALEMBIC_COMMAND: '/usr/bin/python3 -m alembic' } });
    expect(result.exitCode).toBe(70);
    expect(result.stdout).not.toContain('APP RAN');
    expect(finalError(result)).toMatchObject({ cause: 'alembic-missing', stateBefore: 'empty', exception: '/usr/bin/python3: No module named alembic' });
    expect(finalError(result)?.msg).toMatch(/before running any revision: \/usr\/bin\/python3: No module named alembic; permanent: alembic is not installed.*; after the rollback the database is empty, as before/);
    expect(eventsNamed(result, 'alembic').filter((entry) => entry.level === 'error')).toEqual([]);
  });
});
