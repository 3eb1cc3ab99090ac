import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { eventsNamed, expectNoPassword, finalError } from '../support/expect.js';
import { perTest } from '../support/per-test.js';
import { tablesOf } from '../support/postgres.js';
import { runSupervisor } from '../support/supervisor.js';

const db = perTest();

describe('the migration lock holder, named', () => {
  it('is logged when the wait starts and every 5 s, and named by the 75 error', async () => {
    const holder = new pg.Client({ connectionString: db.url, application_name: 'lock-squatter' });
    await holder.connect();
    try {
      const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
      await holder.query('SELECT pg_advisory_lock(7094175066633012849)');
      const result = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, MIGRATION_LOCK_TIMEOUT: '6' } });
      expectNoPassword(result);
      expect(result.exitCode).toBe(75);
      const expected = {
        pid,
        applicationName: 'lock-squatter',
        clientAddr: '127.0.0.1',
        since: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        state: 'idle',
        query: 'SELECT pg_advisory_lock(7094175066633012849)',
      };
      const waiting = eventsNamed(result, 'lock').filter((event) => event.holder !== undefined);
      expect(waiting.map((event) => event.msg)).toEqual([
        'another replica is migrating; waiting for it to finish',
        expect.stringMatching(new RegExp(`^still waiting for the migration lock, held by pid ${pid} \\(application_name "lock-squatter", client 127\\.0\\.0\\.1, connected since \\S+, idle: "SELECT pg_advisory_lock\\(7094175066633012849\\)"\\)$`)),
      ]);
      for (const event of waiting) expect(event.holder).toEqual(expected);
      expect(finalError(result)?.msg).toMatch(new RegExp(`longer than MIGRATION_LOCK_TIMEOUT=6s: pid ${pid} \\(application_name "lock-squatter", client 127\\.0\\.0\\.1, `));
      expect(finalError(result)?.holder).toEqual(expected);
    } finally {
      await holder.end();
    }
    expect(await tablesOf(db.url)).toEqual([]);
  });
});
