import { describe, expect, it } from 'vitest';
import { alembicWrapper } from '../support/alembic-wrapper.js';
import { alembicLines, eventsNamed, expectNoPassword, finalError } from '../support/expect.js';
import { perTest } from '../support/per-test.js';
import { tablesOf, versionsOf } from '../support/postgres.js';
import { HEAD } from '../support/project.js';
import { runSupervisor } from '../support/supervisor.js';

const db = perTest();

describe('verify: the database is read again after alembic, and must be at head', () => {
  it('an upgrade that reports success but leaves the database off head fails with 70', async () => {
    const alembic = await alembicWrapper({ fake: true });
    const run = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_COMMAND: alembic.command } });
    expectNoPassword(run);
    expect(alembic.started()).toBe(true);
    expect(run.exitCode).toBe(70);
    const verify = eventsNamed(run, 'verify');
    expect(verify).toHaveLength(1);
    expect(verify[0]).toMatchObject({ level: 'error', durationMs: expect.any(Number) });
    expect(finalError(run)?.msg).toMatch(new RegExp(`after migrating, the database is empty.*${HEAD}`));
    expect(await tablesOf(db.url)).toEqual([]);
  });

  it('in `run`, the same failure follows ON_MIGRATION_FAILURE=exit: 70, no app', async () => {
    const alembic = await alembicWrapper({ fake: true });
    const run = await runSupervisor(['--', 'sh', '-c', 'echo APP RAN'], {
      env: { DATABASE_URL: db.url, ALEMBIC_COMMAND: alembic.command, ON_MIGRATION_FAILURE: 'exit' },
    });
    expectNoPassword(run);
    expect(run.exitCode).toBe(70);
    expect(eventsNamed(run, 'verify')[0]?.level).toBe('error');
    expect(run.stdout).not.toContain('APP RAN');
  });
});

describe('at head, nothing but PostgreSQL is asked', () => {
  it.each([
    ['migrate', ['migrate']],
    ['run', ['--', 'sh', '-c', 'echo APP RAN']],
  ])('%s starts no Python and takes no lock', async (_name, args) => {
    expect((await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url } })).exitCode).toBe(0);
    expect(await versionsOf(db.url)).toEqual([HEAD]);
    const alembic = await alembicWrapper();
    const run = await runSupervisor(args, { env: { DATABASE_URL: db.url, ALEMBIC_COMMAND: alembic.command } });
    expectNoPassword(run);
    expect(run.exitCode).toBe(0);
    expect(alembic.started()).toBe(false);
    expect(alembicLines(run)).toEqual([]);
    expect(eventsNamed(run, 'lock')).toEqual([]);
    expect(eventsNamed(run, 'inspect')).toHaveLength(1);
    expect(eventsNamed(run, 'inspect')[0]).toMatchObject({ plan: 'nothing', state: { kind: 'at-head', heads: [HEAD] } });
  });

  it('the wrapper does see a real migration (so its silence above means something)', async () => {
    const alembic = await alembicWrapper();
    const run = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_COMMAND: alembic.command } });
    expect(run.exitCode).toBe(0);
    expect(alembic.started()).toBe(true);
    expect(await versionsOf(db.url)).toEqual([HEAD]);
  });
});
