import { describe, expect, inject, it } from 'vitest';
import { eventsNamed, expectNoPassword, finalError } from '../support/expect.js';
import { perTest } from '../support/per-test.js';
import { freePort } from '../support/ports.js';
import { tablesOf, withClient } from '../support/postgres.js';
import { runSupervisor } from '../support/supervisor.js';

const db = perTest();

describe('small promises', () => {
  it('an sslmode libpq does not know is a configuration error (64), before anything connects', async () => {
    const result = await runSupervisor(['migrate'], { env: { DATABASE_URL: `${db.url}?sslmode=bogus` } });
    expectNoPassword(result);
    expect(result.exitCode).toBe(64);
    expect(finalError(result)?.msg).toMatch(/^DATABASE_URL=".*\?sslmode=bogus" is invalid: sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full$/);
    expect(eventsNamed(result, 'wait')).toEqual([]);
  });

  it('a query parameter libpq does not know is a configuration error (64)', async () => {
    const result = await runSupervisor(['wait'], { env: { DATABASE_URL: `${db.url}?ssl=true` } });
    expect(result.exitCode).toBe(64);
    expect(finalError(result)?.msg).toContain('"ssl" is not a libpq connection parameter');
  });

  it('`run -- ""` is a configuration error (64) and nothing touches the database', async () => {
    const result = await runSupervisor(['run', '--', ''], { env: { DATABASE_URL: db.url } });
    expect(result.exitCode).toBe(64);
    expect(finalError(result)?.msg).toBe('the app command is an empty word: give a program, e.g. backend-supervisor run -- uvicorn app.main:app');
    expect(eventsNamed(result, 'wait')).toEqual([]);
    expect(await tablesOf(db.url)).toEqual([]);
  });

  it("the pg driver's multi-line sslmode warning goes through the logger as one event", async () => {
    const result = await runSupervisor(['wait'], { env: { DATABASE_URL: `${db.url}?sslmode=require`, DB_WAIT_TIMEOUT: '2' } });
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n').filter(Boolean).every((line) => line.startsWith('{'))).toBe(true);
    const warnings = eventsNamed(result, 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', warning: 'Warning' });
    expect(warnings[0]?.msg).toMatch(/^SECURITY WARNING: The SSL modes 'prefer', 'require', and 'verify-ca' are treated as aliases for 'verify-full'\.\n/);
  });

  it('a role without USAGE on the schema is told so (69)', async () => {
    const role = `nousage_${process.pid}_${Date.now().toString(36)}`;
    await withClient(inject('adminUrl'), (client) => client.query(`CREATE ROLE ${role} LOGIN PASSWORD 'nousage-pw'`));
    await withClient(db.url, (client) => client.query('REVOKE ALL ON SCHEMA public FROM PUBLIC'));
    try {
      const url = new URL(db.url);
      url.username = role;
      url.password = 'nousage-pw';
      const result = await runSupervisor(['migrate'], { env: { DATABASE_URL: url.toString() } });
      expect(result.exitCode).toBe(69);
      expect(finalError(result)?.msg).toBe(
        `cannot inspect the database: the user ${role} has no USAGE privilege on schema public (search_path: "$user", public); grant it (GRANT USAGE, CREATE ON SCHEMA public TO ${role}) or set the user's search_path to a schema it may use; check that the user in DATABASE_URL may read its schema`,
      );
    } finally {
      await withClient(inject('adminUrl'), (client) => client.query(`DROP ROLE IF EXISTS ${role}`));
    }
  });

  it('`status` waits DB_WAIT_TIMEOUT when it is set, 5 s when not', async () => {
    const port = await freePort();
    const url = `postgresql://app:pw@127.0.0.1:${port}/app`;
    const [set, unset] = await Promise.all([
      runSupervisor(['status'], { env: { DATABASE_URL: url, DB_WAIT_TIMEOUT: '6' } }),
      runSupervisor(['status'], { env: { DATABASE_URL: url, DB_WAIT_TIMEOUT: undefined } }),
    ]);
    expect(set.exitCode).toBe(69);
    expect(finalError(set)?.msg).toContain('did not become available within DB_WAIT_TIMEOUT=6s');
    expect(unset.exitCode).toBe(69);
    expect(finalError(unset)?.msg).toContain('did not become available within DB_WAIT_TIMEOUT=5s');
  });

  it.each([
    [{ RUN_MIGRATIONS: 'false' }, 'RUN_MIGRATIONS=false'],
    [{ SKIP_MIGRATIONS: 'yes' }, 'SKIP_MIGRATIONS=yes'],
  ])('`run` with %o logs one line naming the variable that skipped migrations', async (env, named) => {
    const result = await runSupervisor(['run', '--', 'true'], { env: { DATABASE_URL: db.url, ...env } });
    expect(result.exitCode).toBe(0);
    expect(result.events.filter((entry) => entry.skipped === true)).toEqual([expect.objectContaining({ level: 'info', event: 'migrate', msg: `migrations skipped: ${named}` })]);
    expect(await tablesOf(db.url)).toEqual([]);
  });
});
