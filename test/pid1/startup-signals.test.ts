import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { once } from 'node:events';
import { FakePostgres } from './fake-postgres.js';
import { closedDatabaseUrl, eventsOf, killLeftovers, requireUnshare, start } from './helpers.js';

/** Signals that arrive before the app starts, while the supervisor (PID 1) waits for the database. */

beforeAll(requireUnshare);
afterEach(killLeftovers);

async function waitingForDatabase() {
  const env = { DATABASE_URL: closedDatabaseUrl(await freePort()), DB_WAIT_TIMEOUT: '60', RUN_MIGRATIONS: 'false' };
  const app = start(['sh', '-c', 'echo APP STARTED'], env);
  await app.output(/"event":"wait"/);
  return app;
}

describe('signals during the database wait, as PID 1', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s stops the wait promptly with %i and the app never starts', async (signal, status) => {
    const app = await waitingForDatabase();
    await app.signal(signal);
    const run = await app.finished();
    expect(run.exitCode).toBe(status);
    expect(run.msAfterSignal).toBeLessThan(5_000);
    expect(run.stdout).not.toContain('APP STARTED');
    expect(eventsOf(run.events, 'app')).toEqual([]);
    expect(eventsOf(run.events, 'shutdown')).toEqual(expect.arrayContaining([expect.objectContaining({ signal, exitCode: status })]));
  });

  it('SIGHUP is ignored (logged) while waiting; the wait goes on until SIGTERM stops it with 143', async () => {
    const app = await waitingForDatabase();
    const logged = app.output(/"event":"signal".*"signal":"SIGHUP"/);
    await app.signal('SIGHUP');
    await logged;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(app.running()).toBe(true);
    await app.signal('SIGTERM');
    const run = await app.finished();
    expect(run.exitCode).toBe(143);
    expect(run.stdout).not.toContain('APP STARTED');
    expect(eventsOf(run.events, 'signal')).toEqual(expect.arrayContaining([expect.objectContaining({ signal: 'SIGHUP' })]));
  });

  it('other non-stopping signals (USR1, USR2, WINCH) are ignored too, and USR1 opens no inspector', async () => {
    const app = await waitingForDatabase();
    for (const signal of ['SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const) {
      const logged = app.output(new RegExp(`"event":"signal".*"signal":"${signal}"`));
      await app.signal(signal);
      await logged;
    }
    expect(app.running()).toBe(true);
    await app.signal('SIGTERM');
    const run = await app.finished();
    expect(run.exitCode).toBe(143);
    expect(run.all).not.toContain('Debugger listening');
  });
});

describe('signals between the end of the wait and the start of the app, as PID 1', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s while the wait connection is being closed is not lost: exit %i, the app never starts', async (signal, status) => {
    // The database answers at once, then takes 2 s to close the wait's connection: the supervisor
    // has finished waiting but has not started the app yet (main() awaits prepareDatabase(), whose
    // finally awaits disconnect(db)). A SIGTERM there must still stop it, as the contract says.
    // Against src/main.ts as written this fails: the signal only aborts a controller nobody reads any more.
    const database = await new FakePostgres(2_000).listen();
    try {
      const app = start(['sh', '-c', 'echo APP STARTED; sleep 1'], { DATABASE_URL: database.url(), DB_WAIT_TIMEOUT: '60', RUN_MIGRATIONS: 'false' });
      await once(database, 'terminate');
      await app.signal(signal);
      const run = await app.finished();
      expect(eventsOf(run.events, 'wait')).toEqual(expect.arrayContaining([expect.objectContaining({ msg: 'the database is available' })]));
      expect(run.stdout).not.toContain('APP STARTED');
      expect(run.exitCode).toBe(status);
      expect(run.msAfterSignal).toBeLessThan(5_000);
    } finally {
      await database.close();
    }
  });

  it('the fake database is usable: without a signal the app starts once the connection is closed', async () => {
    const database = await new FakePostgres(200).listen();
    try {
      const run = await start(['sh', '-c', 'echo APP STARTED; exit 7'], { DATABASE_URL: database.url(), RUN_MIGRATIONS: 'false' }).finished();
      expect(run.stdout).toContain('APP STARTED');
      expect(run.exitCode).toBe(7);
    } finally {
      await database.close();
    }
  });
});
