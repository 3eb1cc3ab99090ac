import { describe, expect, it } from 'vitest';
import { customProjects, revisionSource } from '../support/custom-project.js';
import { eventsNamed, expectNoPassword, finalError } from '../support/expect.js';
import { perTest } from '../support/per-test.js';
import { tablesOf, versionsOf } from '../support/postgres.js';
import { HEAD } from '../support/project.js';
import { runSupervisor } from '../support/supervisor.js';

const db = perTest();
const project = customProjects();

const COMMITS = 'c0000000005a';
const AFTER = 'c0000000006b';

describe('revisions that commit themselves', () => {
  it('verify names the revision the database stopped at and suggests transaction_per_migration=True (70)', async () => {
    const { alembicConfig } = await project({
      files: {
        'alembic/versions/0005_commits.py': revisionSource(COMMITS, HEAD, ['op.execute("CREATE TABLE t5 (id int)")', 'op.get_bind().commit()', 'op.execute("CREATE TABLE t5b (id int)")']),
        'alembic/versions/0006_after.py': revisionSource(AFTER, COMMITS, ['op.execute("CREATE TABLE t6 (id int)")']),
      },
    });
    const run = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig } });
    expectNoPassword(run);
    expect(run.exitCode).toBe(70);
    // What the commit took with it stays; everything after it was never committed.
    expect(await versionsOf(db.url)).toEqual([HEAD]);
    expect(await tablesOf(db.url)).toEqual(['alembic_version', 'items', 't5', 'users']);
    expect(eventsNamed(run, 'verify')[0]).toMatchObject({ level: 'error', state: { kind: 'behind', current: [HEAD], heads: [AFTER] } });
    expect(finalError(run)?.msg).toBe(
      `after migrating, the database stopped at ${HEAD} instead of head ${AFTER}, although alembic reported success; revision ${COMMITS} probably commits its own transaction (op.get_bind().commit(), autocommit_block()); the work after that commit was lost. Set transaction_per_migration=True in env.py's context.configure(...) so each revision commits on its own, then migrate again`,
    );
  });
});

describe('rollback', () => {
  it('a failed rollback logs where the database was before and where it is after (70)', async () => {
    const broken = 'd0000000005a';
    const { alembicConfig } = await project({
      files: { 'alembic/versions/0005_broken_downgrade.py': revisionSource(broken, HEAD, ['op.execute("CREATE TABLE t5 (id int)")'], ['op.execute("DROP TABLE t5")', 'op.execute("SELECT 1/0")']) },
    });
    const env = { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig };
    expect((await runSupervisor(['migrate'], { env })).exitCode).toBe(0);
    const run = await runSupervisor(['rollback', '--steps', '2'], { env });
    expectNoPassword(run);
    expect(run.exitCode).toBe(70);
    const failed = eventsNamed(run, 'migrate').filter((entry) => entry.before !== undefined);
    expect(failed).toEqual([
      expect.objectContaining({
        level: 'error',
        command: 'downgrade -2',
        before: [broken],
        after: [broken],
        msg: `alembic downgrade -2 failed; the database was at ${broken} and is now at ${broken}`,
      }),
    ]);
    expect(await tablesOf(db.url)).toContain('t5');
  });

  it('a successful rollback says where the database went from and to', async () => {
    expect((await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url } })).exitCode).toBe(0);
    const run = await runSupervisor(['rollback', '--to', '8b2e4d6f1a02'], { env: { DATABASE_URL: db.url } });
    expect(run.exitCode).toBe(0);
    expect(eventsNamed(run, 'migrate').at(-1)).toMatchObject({ before: [HEAD], versions: ['8b2e4d6f1a02'] });
    expect(eventsNamed(run, 'migrate').at(-1)?.msg).toMatch(new RegExp(`^rolled back 2 revisions ${HEAD} -> 8b2e4d6f1a02 in \\d+ ms; the database went from ${HEAD} to 8b2e4d6f1a02$`));
  });
});
