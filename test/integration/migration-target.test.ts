import { describe, expect, it } from 'vitest';
import { alembicLines, eventsNamed, expectNoPassword, finalError } from '../support/expect.js';
import { perTest } from '../support/per-test.js';
import { versionsOf } from '../support/postgres.js';
import { HEAD, REVISIONS } from '../support/project.js';
import { runSupervisor } from '../support/supervisor.js';

const db = perTest();
const BRANCH = 'b1a2c3d4e5f6';

describe('MIGRATION_TARGET', () => {
  it('heads: migrate upgrades every head, verify and status follow, and at every head it needs no Python', async () => {
    const alembicConfig = await db.projectWith([{ id: BRANCH, parent: REVISIONS[1], upgrade: ['op.create_table("side", sa.Column("id", sa.Integer, primary_key=True))'] }]);
    const env = { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig, MIGRATION_TARGET: 'heads' };
    const run = await runSupervisor(['migrate'], { env });
    expectNoPassword(run);
    expect(run.exitCode).toBe(0);
    expect(eventsNamed(run, 'inspect')[0]).toMatchObject({ plan: 'upgrade', msg: `the database is empty; plan: alembic upgrade heads` });
    expect(eventsNamed(run, 'migrate').at(-1)).toMatchObject({ command: 'upgrade heads' });
    expect(eventsNamed(run, 'verify')[0]).toMatchObject({ heads: [BRANCH, HEAD].sort() });
    expect((await versionsOf(db.url)).sort()).toEqual([BRANCH, HEAD].sort());

    const again = await runSupervisor(['migrate'], { env });
    expect(again.exitCode).toBe(0);
    expect(eventsNamed(again, 'inspect')[0]).toMatchObject({ plan: 'nothing', state: { kind: 'at-head', heads: [BRANCH, HEAD].sort() } });
    expect(alembicLines(again)).toEqual([]);
    expect(eventsNamed(again, 'lock')).toEqual([]);

    const status = await runSupervisor(['status'], { env });
    expect(eventsNamed(status, 'status')[0]).toMatchObject({ state: 'at-head', plan: 'nothing' });
  });

  it('heads: a database at one of two heads is behind and gets the other one', async () => {
    expect((await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url } })).exitCode).toBe(0);
    const alembicConfig = await db.projectWith([{ id: BRANCH, parent: REVISIONS[1], upgrade: ['pass'] }]);
    const run = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig, MIGRATION_TARGET: 'heads' } });
    expect(run.exitCode).toBe(0);
    expect(eventsNamed(run, 'inspect')[0]).toMatchObject({ state: { kind: 'behind', current: [HEAD] } });
    expect((await versionsOf(db.url)).sort()).toEqual([BRANCH, HEAD].sort());
  });

  it('head (the default): several heads stay refused (65), naming MIGRATION_TARGET=heads', async () => {
    const alembicConfig = await db.projectWith([{ id: BRANCH, parent: REVISIONS[1], upgrade: ['pass'] }]);
    const run = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig, MIGRATION_TARGET: 'head' } });
    expect(run.exitCode).toBe(65);
    expect(finalError(run)?.msg).toBe(`the migration scripts have several heads (${[BRANCH, HEAD].sort().join(', ')}); merge them with 'alembic merge heads' and rebuild the image, or set MIGRATION_TARGET=heads if the project keeps several heads on purpose`);
  });

  it('an unknown MIGRATION_TARGET is a configuration error (64)', async () => {
    const run = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, MIGRATION_TARGET: 'latest' } });
    expect(run.exitCode).toBe(64);
    expect(finalError(run)?.msg).toBe('MIGRATION_TARGET="latest" is invalid: expected one of head, heads');
  });
});
