import { describe, expect, it } from 'vitest';
import { exampleModels, FORGETFUL_DOWNGRADE, LEFTOVER_TYPE, RAISING_DOWNGRADE } from '../support/migration-histories.js';
import { HEAD } from '../support/project.js';
import { expectUntouched, failedAt, statuses, TEST_MIGRATIONS_TIMEOUT_MS, testMigrationsSetup } from '../support/test-migrations.js';

const tm = testMigrationsSetup();

describe('test-migrations on broken histories: each fails naming the revision and the step', { timeout: TEST_MIGRATIONS_TIMEOUT_MS }, () => {
  it('a downgrade that raises fails the stairway, naming the revision, the step and the error', async () => {
    const run = await tm.run({ ALEMBIC_CONFIG: await tm.config([RAISING_DOWNGRADE]) });
    expect(run.exitCode).toBe(70);
    expect(run.report.failure).toEqual({
      check: 'stairway',
      step: 'downgrade',
      revision: RAISING_DOWNGRADE.id,
      error: 'sqlalchemy.exc.ProgrammingError: (psycopg2.errors.UndefinedTable) table "no_such_table" does not exist',
      command: `alembic downgrade ${RAISING_DOWNGRADE.id}@-1`,
    });
    expect(statuses(run.report)).toEqual(failedAt('stairway'));
    await expectUntouched(tm.db.url);
  });

  it('a downgrade that forgets its table fails at the re-upgrade', async () => {
    const run = await tm.run({ ALEMBIC_CONFIG: await tm.config([FORGETFUL_DOWNGRADE]) });
    expect(run.exitCode).toBe(70);
    expect(run.report.failure).toEqual({
      check: 'stairway',
      step: 're-upgrade',
      revision: FORGETFUL_DOWNGRADE.id,
      error: 'sqlalchemy.exc.ProgrammingError: (psycopg2.errors.DuplicateTable) relation "forgotten" already exists',
      command: `alembic upgrade ${FORGETFUL_DOWNGRADE.id}`,
    });
    expect(statuses(run.report)).toEqual(failedAt('stairway'));
    await expectUntouched(tm.db.url);
  });

  it('a type left behind at base fails the leftovers check, naming the revision whose downgrade left it', async () => {
    const run = await tm.run({ ALEMBIC_CONFIG: await tm.config([LEFTOVER_TYPE]) });
    expect(run.exitCode).toBe(70);
    expect(run.report.failure).toEqual({
      check: 'leftovers',
      step: 'leftovers',
      revision: LEFTOVER_TYPE.id,
      error: `after downgrading to base, the database still has type public.mood: the downgrade of ${LEFTOVER_TYPE.id} leaves type public.mood behind`,
    });
    expect(statuses(run.report)).toEqual(failedAt('leftovers'));
    await expectUntouched(tm.db.url);
  });

  it('models that match the migrations pass the model check; a column the migrations lack fails it', async () => {
    const matching = await tm.run({ ALEMBIC_CONFIG: await tm.config([], { models: exampleModels() }) });
    expect(matching.exitCode).toBe(0);
    expect(statuses(matching.report)).toEqual({ heads: 'passed', upgrade: 'passed', model: 'passed', stairway: 'passed', leftovers: 'passed' });

    const run = await tm.run({ ALEMBIC_CONFIG: await tm.config([], { models: exampleModels('price') }) });
    expect(run.exitCode).toBe(70);
    expect(run.report.failure).toMatchObject({ check: 'model', step: 'model', revision: HEAD, command: 'alembic check' });
    expect(run.report.failure?.error).toMatch(/^FAILED: New upgrade operations detected: \[\('add_column', None, 'items', Column\('price', Integer\(\)/);
    expect(statuses(run.report)).toEqual({ heads: 'passed', upgrade: 'passed', model: 'failed', stairway: 'not-run', leftovers: 'not-run' });
    await expectUntouched(tm.db.url);
  });

});
