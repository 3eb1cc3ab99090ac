import { describe, expect, it } from 'vitest';
import { expectNoPassword } from '../support/expect.js';
import { perTest } from '../support/per-test.js';
import { versionsOf } from '../support/postgres.js';
import { HEAD } from '../support/project.js';
import { runSupervisor } from '../support/supervisor.js';

const db = perTest();

describe('LOG_FORMAT=pretty', () => {
  it('prints the same events for people: no JSON, every phase, alembic lines, the password scrubbed', async () => {
    const run = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, LOG_FORMAT: 'pretty' } });
    expectNoPassword(run);
    expect(run.exitCode).toBe(0);
    expect(await versionsOf(db.url)).toEqual([HEAD]);
    const lines = run.stdout.trim().split('\n');
    expect(lines.filter((line) => line.trimStart().startsWith('{'))).toEqual([]);
    for (const text of ['the database is available', 'holding the migration lock', 'Running upgrade', `the database is at head ${HEAD}`]) {
      expect(lines.filter((line) => line.includes(text)).length, text).toBeGreaterThan(0);
    }
    // The URL is shown, its password is not.
    expect(run.stdout).toContain(`${new URL(db.url).username}:***@`);
  });
});
