import { describe, expect, it } from 'vitest';
import { eventsNamed } from '../support/expect.js';
import { perTest } from '../support/per-test.js';
import { query, versionsOf } from '../support/postgres.js';
import { slowRevision } from '../support/project.js';
import { ALEMBIC_APP_PREFIX, processesWith, watchAlembicSessions } from '../support/sessions.js';
import { runSupervisor, startSupervisor, waitForOutput } from '../support/supervisor.js';

const db = perTest();

// Outside a PID namespace (a CI step, `docker run --init`, a shell wrapper), nothing but the
// supervisor itself can stop its alembic when the supervisor is SIGKILLed.
describe('a supervisor killed with SIGKILL mid-migration', () => {
  it('takes its alembic with it', async () => {
    const alembicConfig = await db.projectWith([slowRevision(30)]);
    const supervisor = startSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig } });
    await waitForOutput(supervisor, /Running upgrade e9d05b3a2c04 -> 5100000000ff/);
    expect(processesWith(alembicConfig)).toHaveLength(1);
    supervisor.kill('SIGKILL');
    await supervisor;
    await expect.poll(() => processesWith(alembicConfig), { timeout: 3_000 }).toEqual([]);
  });

  it('the next `migrate` at once ends the dead run\'s alembic session, never runs two alembic sessions at once, and reaches head', async () => {
    // Long enough that the dead run's session would still be there when the next alembic starts, even on a busy machine.
    const alembicConfig = await db.projectWith([slowRevision(15)]);
    const env = { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig };
    const sessions = await watchAlembicSessions(db.url);
    const killed = startSupervisor(['migrate'], { env });
    // Killed while the revision's statement runs: the server only notices a vanished client
    // between statements, so that session, its locks and its transaction stay behind.
    const sleeping = "SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query = 'SELECT pg_sleep(15)' AND datname = current_database()";
    await expect.poll(() => query(db.url, sleeping), { timeout: 30_000 }).toHaveLength(1);
    killed.kill('SIGKILL');
    await killed;
    const next = await runSupervisor(['migrate'], { env });
    const highest = await sessions.stop();
    expect(next.exitCode, next.stdout).toBe(0);
    expect(highest).toBe(1);
    expect(await versionsOf(db.url)).toEqual(['5100000000ff']);
    const ended = eventsNamed(next, 'lock').filter((event) => Array.isArray(event.ended));
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ level: 'warn', ended: [expect.objectContaining({ applicationName: expect.stringMatching(new RegExp(`^${ALEMBIC_APP_PREFIX}[0-9a-f]{8}$`)), query: expect.stringContaining('pg_sleep(15)') })] });
    expect(ended[0]?.msg).toMatch(/^ended 1 database session\(s\) of an earlier run's alembic/);
  });
});
