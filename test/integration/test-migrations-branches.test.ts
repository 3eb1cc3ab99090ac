import { describe, expect, it } from 'vitest';
import { eventsNamed } from '../support/expect.js';
import type { FullRevision } from '../support/migration-histories.js';
import { HEAD, REVISIONS } from '../support/project.js';
import { asRun } from '../support/supervisor.js';
import { expectUntouched, failedAt, statuses, TEST_MIGRATIONS_TIMEOUT_MS, testMigrationsSetup } from '../support/test-migrations.js';

const tm = testMigrationsSetup();

/** A sibling of the example's head: a second head, unless merged. */
const BRANCH: FullRevision = { id: 'b1a2c3d4e5f6', parent: REVISIONS[2], upgrade: ['op.create_table("branch", sa.Column("id", sa.Integer, primary_key=True))'], downgrade: ['op.drop_table("branch")'] };

describe('test-migrations on branched histories', { timeout: TEST_MIGRATIONS_TIMEOUT_MS }, () => {
  it('two heads fail before any database is created; MIGRATION_TARGET=heads walks both branches', async () => {
    const alembicConfig = await tm.config([BRANCH]);
    const run = await tm.run({ ALEMBIC_CONFIG: alembicConfig });
    expect(run.exitCode).toBe(70);
    expect(run.report.failure).toMatchObject({ check: 'heads', step: 'heads', revision: `${BRANCH.id}, ${HEAD}` });
    expect(run.report.failure?.error).toMatch(/alembic merge heads.*MIGRATION_TARGET=heads/);
    expect(statuses(run.report)).toEqual(failedAt('heads'));
    expect(run.report.database).toBeUndefined();
    expect(eventsNamed(asRun({ stdout: run.stderr }), 'wait')).toEqual([]);

    const both = await tm.run({ ALEMBIC_CONFIG: alembicConfig, MIGRATION_TARGET: 'heads' });
    expect(both.exitCode).toBe(0);
    expect(both.report.revisions.map((timing) => timing.revision)).toEqual([...REVISIONS.slice(0, 3), BRANCH.id, HEAD]);
    await expectUntouched(tm.db.url);
  });

  it('walks a merge point down and up again', async () => {
    const merge: FullRevision = { id: 'aa00000000e1', parent: HEAD, identifiers: `revision = "aa00000000e1"\ndown_revision = ("${HEAD}", "${BRANCH.id}")`, upgrade: ['pass'], downgrade: ['pass'] };
    const run = await tm.run({ ALEMBIC_CONFIG: await tm.config([BRANCH, merge]) });
    expect(run.exitCode).toBe(0);
    expect(run.report.heads).toEqual([merge.id]);
    expect(run.report.revisions.map((timing) => timing.revision)).toEqual([...REVISIONS.slice(0, 3), BRANCH.id, HEAD, merge.id]);
    await expectUntouched(tm.db.url);
  });
});
