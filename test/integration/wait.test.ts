import { describe, expect, inject, it } from 'vitest';
import { eventsNamed, expectNoPassword, finalError } from '../support/expect.js';
import { createDatabase, startEmbeddedPostgres, TEST_PASSWORD, versionsOf } from '../support/postgres.js';
import { freePort } from '../support/ports.js';
import { exampleWith, HEAD } from '../support/project.js';
import { asRun, runSupervisor, startSupervisor, waitForOutput } from '../support/supervisor.js';

const password = encodeURIComponent(TEST_PASSWORD);

describe('waiting for the database', () => {
  it('`wait` exits 0 once the database answers', async () => {
    const url = await createDatabase(inject('adminUrl'));
    const result = await runSupervisor(['wait'], { env: { DATABASE_URL: url } });
    expectNoPassword(result);
    expect(result.exitCode).toBe(0);
    expect(eventsNamed(result, 'wait')[0]).toMatchObject({ durationMs: expect.any(Number) });
  });

  it('a database that never comes up gives 69 after DB_WAIT_TIMEOUT, naming the variable; a refused port is tried again every 25 ms, logged once', async () => {
    const port = await freePort();
    const result = await runSupervisor(['--', 'sh', '-c', 'echo APP RAN'], {
      env: { DATABASE_URL: `postgresql://app:${password}@127.0.0.1:${port}/app`, DB_WAIT_TIMEOUT: '1' },
    });
    expectNoPassword(result);
    expect(result.exitCode).toBe(69);
    expect(result.stdout).not.toContain('APP RAN');
    expect(finalError(result)?.msg).toMatch(/DB_WAIT_TIMEOUT=1s/);
    // About 40 attempts in the second (a 100 ms cap made about 11): the app starts soon after the server listens.
    expect(Number(finalError(result)?.attempts)).toBeGreaterThan(25);
    expect(eventsNamed(result, 'wait').filter((entry) => entry.msg === 'waiting for the database')).toHaveLength(1);
  });

  it('the scripts are read while the database is reached: a broken one stops the wait at once and is the error reported', async () => {
    const project = await exampleWith([{ id: 'b40000000000', parent: HEAD, upgrade: ['op.execute("SELECT 1"'] }]);
    try {
      const port = await freePort();
      const started = Date.now();
      const result = await runSupervisor(['--', 'sh', '-c', 'echo APP RAN'], {
        env: { DATABASE_URL: `postgresql://app:${password}@127.0.0.1:${port}/app`, DB_WAIT_TIMEOUT: '60', ALEMBIC_CONFIG: project.alembicConfig },
      });
      expectNoPassword(result);
      expect(result.exitCode).toBe(70);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(result.stdout).not.toContain('APP RAN');
      expect(finalError(result)).toMatchObject({ alembic: { exception: expect.stringMatching(/SyntaxError/) } });
      // The wait began before the scripts were known to be broken, and says it stopped, not that the database is down.
      expect(eventsNamed(result, 'wait').map((entry) => entry.msg)).toEqual(['waiting for the database', 'stopped waiting for the database']);
    } finally {
      await project.remove();
    }
  });

  it('a password with an unencoded @ is refused (64) before any wait, and not shown', async () => {
    const port = await freePort();
    const result = await runSupervisor(['wait'], { env: { DATABASE_URL: `postgresql://app:unenc@oded-Secret@127.0.0.1:${port}/app`, DB_WAIT_TIMEOUT: '0.5' } });
    expect(result.exitCode).toBe(64);
    expect(result.stdout).not.toContain('oded-Secret');
    expect(result.stdout).not.toContain('unenc@');
    expect(result.events.filter((entry) => entry.event === 'wait')).toEqual([]);
    expect(finalError(result)?.msg).toMatch(/^DATABASE_URL postgresql:\/\/… \(the rest is not shown: it may hold the password\) is invalid: it holds more than one unencoded '@'/);
  });

  it('a host name that does not resolve is retried until the timeout, not hammered (pauses up to 100 ms), then 69', async () => {
    const result = await runSupervisor(['wait'], {
      env: { DATABASE_URL: `postgresql://app:${password}@db.invalid:5432/app`, DB_WAIT_TIMEOUT: '1' },
    });
    expectNoPassword(result);
    expect(result.exitCode).toBe(69);
    expect(Number(finalError(result)?.attempts)).toBeGreaterThan(1);
    expect(Number(finalError(result)?.attempts)).toBeLessThan(16);
  });

  it('a wrong password gives 69 at the first attempt, without echoing it', async () => {
    const url = new URL(await createDatabase(inject('adminUrl')));
    url.password = encodeURIComponent('wrong-' + TEST_PASSWORD);
    const result = await runSupervisor(['migrate'], { env: { DATABASE_URL: url.toString(), DB_WAIT_TIMEOUT: '30' } });
    expect(result.exitCode).toBe(69);
    expect(finalError(result)).toMatchObject({ attempts: 1 });
    expect(finalError(result)?.msg).toMatch(/password authentication failed.*check the password in DATABASE_URL/);
    expect(result.stdout).not.toContain('wrong-');
    expectNoPassword(result);
  });

  it('a missing database gives 69 at the first attempt, saying what to do', async () => {
    const url = new URL(inject('adminUrl'));
    url.pathname = '/no_such_database';
    const result = await runSupervisor(['migrate'], { env: { DATABASE_URL: url.toString(), DB_WAIT_TIMEOUT: '30' } });
    expectNoPassword(result);
    expect(result.exitCode).toBe(69);
    expect(finalError(result)).toMatchObject({ attempts: 1 });
    expect(finalError(result)?.msg).toMatch(/does not exist.*create the database/);
  });

  it('`status` waits 5 s at most when DB_WAIT_TIMEOUT is not set, not the 60 s default of the other commands', async () => {
    const port = await freePort();
    // Killed after 20 s if it waited the full default.
    const result = await runSupervisor(['status'], {
      env: { DATABASE_URL: `postgresql://app:${password}@127.0.0.1:${port}/app`, DB_WAIT_TIMEOUT: undefined },
      timeoutMs: 20_000,
    });
    expectNoPassword(result);
    expect(result.exitCode).toBe(69);
    expect(finalError(result)?.msg).toMatch(/did not become available within DB_WAIT_TIMEOUT=5s/);
  });

  it('a server without SSL and sslmode=require is a permanent error: 69 at the first attempt, naming sslmode', async () => {
    const url = `${await createDatabase(inject('adminUrl'))}?sslmode=require`;
    const result = await runSupervisor(['migrate'], { env: { DATABASE_URL: url, DB_WAIT_TIMEOUT: '30' } });
    expectNoPassword(result);
    expect(result.exitCode).toBe(69);
    expect(finalError(result)).toMatchObject({ attempts: 1 });
    expect(finalError(result)?.msg).toMatch(/does not support SSL.*fix the sslmode in DATABASE_URL/);
  });

  it('a database that starts late is waited for, then migrated', async () => {
    const port = await freePort();
    const supervisor = startSupervisor(['migrate'], {
      env: { DATABASE_URL: `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`, DB_WAIT_TIMEOUT: '60' },
    });
    await waitForOutput(supervisor, /"event":"wait".*waiting for the database/);
    const server = await startEmbeddedPostgres(port);
    try {
      const result = asRun(await supervisor);
      expectNoPassword(result);
      expect(result.exitCode).toBe(0);
      expect(result.events.find((entry) => entry.event === 'wait' && entry.durationMs !== undefined)?.msg).toBe('the database is available');
      expect(await versionsOf(server.adminUrl)).toEqual([HEAD]);
    } finally {
      await server.stop();
    }
  });
});
