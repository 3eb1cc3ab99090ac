import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventsNamed, expectNoPassword, finalError } from '../support/expect.js';
import { perTest } from '../support/per-test.js';
import { freePort } from '../support/ports.js';
import { TEST_PASSWORD, versionsOf, withClient } from '../support/postgres.js';
import { FAILING_REVISION, HEAD, REVISIONS, slowRevision } from '../support/project.js';
import { asRun, runSupervisor, startSupervisor, waitForOutput, type SupervisorRun } from '../support/supervisor.js';

const db = perTest();
let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bs-report-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const MESSAGES = ['create users and items tables', 'add items.description', 'index items.name', 'seed a user and two items (data migration)'];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** The example's upgrade of `revision` (index into REVISIONS), as the report and the `revision` event show it. */
function upgraded(index: number) {
  return { direction: 'upgrade', revision: REVISIONS[index], from: index === 0 ? [] : [REVISIONS[index - 1]], to: [REVISIONS[index]], message: MESSAGES[index], durationMs: expect.any(Number), outcome: 'done' };
}

async function supervisor(args: string[], env: Record<string, string> = {}): Promise<SupervisorRun> {
  const run = await runSupervisor(args, { env: { DATABASE_URL: db.url, ...env } });
  expectNoPassword(run);
  return run;
}

async function readReport(file = path.join(dir, 'report.json')): Promise<Record<string, unknown>> {
  const text = await readFile(file, 'utf8');
  expect(text).not.toContain(TEST_PASSWORD);
  expect(text).not.toContain(encodeURIComponent(TEST_PASSWORD));
  return JSON.parse(text) as Record<string, unknown>;
}

function expectTimes(report: Record<string, unknown>): void {
  expect(report.startedAt).toMatch(ISO);
  expect(report.finishedAt).toMatch(ISO);
  expect(report.durationMs).toBe(Date.parse(report.finishedAt as string) - Date.parse(report.startedAt as string));
}

describe('revision events and the summary line', () => {
  it('one `revision` event per applied revision, in order, then "applied N revisions A -> B in T ms"', async () => {
    const run = await supervisor(['migrate']);
    expect(run.exitCode).toBe(0);
    const events = eventsNamed(run, 'revision').map(({ level, time: _time, name: _name, ...fields }) => ({ level, ...fields }) as Record<string, unknown>);
    expect(events).toEqual(REVISIONS.map((_, index) => ({ level: 'info', event: 'revision', ...upgraded(index), msg: `applied ${REVISIONS[index]} (${MESSAGES[index]}) in ${String(events[index]?.durationMs)} ms` })));
    const summary = eventsNamed(run, 'migrate').at(-1);
    expect(summary?.msg).toBe(`applied 4 revisions base -> ${HEAD} in ${summary?.durationMs} ms`);
    expect(summary).toMatchObject({ command: 'upgrade head', revisions: 4 });
  });

  it('rollback logs one event per rolled-back revision and "rolled back N revisions A -> B"', async () => {
    expect((await supervisor(['migrate'])).exitCode).toBe(0);
    const run = await supervisor(['rollback', '--steps', '2']);
    expect(run.exitCode).toBe(0);
    expect(eventsNamed(run, 'revision').map((event) => [event.revision, event.direction, event.to, event.msg.replace(/\d+ ms$/, 'T ms')])).toEqual([
      [HEAD, 'downgrade', [REVISIONS[2]], `rolled back ${HEAD} (${MESSAGES[3]}) in T ms`],
      [REVISIONS[2], 'downgrade', [REVISIONS[1]], `rolled back ${REVISIONS[2]} (${MESSAGES[2]}) in T ms`],
    ]);
    expect(eventsNamed(run, 'migrate').at(-1)?.msg).toMatch(new RegExp(`^rolled back 2 revisions ${HEAD} -> ${REVISIONS[1]} in \\d+ ms; the database went from ${HEAD} to ${REVISIONS[1]}$`));
  });

  it('a failing revision: its event says so, and the error names it with the exception', async () => {
    const run = await supervisor(['migrate'], { ALEMBIC_CONFIG: await db.projectWith([FAILING_REVISION]) });
    expect(run.exitCode).toBe(70);
    expect(eventsNamed(run, 'revision').at(-1)).toMatchObject({ level: 'error', revision: FAILING_REVISION.id, outcome: 'failed', msg: expect.stringMatching(/^revision f00000000bad \(test revision f00000000bad\) failed after \d+ ms$/) });
    expect(finalError(run)).toMatchObject({
      exitCode: 70,
      revision: FAILING_REVISION.id,
      exception: 'sqlalchemy.exc.DataError: (psycopg2.errors.DivisionByZero) division by zero',
      msg: expect.stringMatching(/^alembic .*upgrade head exited with code 1 in revision f00000000bad \(upgrade e9d05b3a2c04 -> f00000000bad\): sqlalchemy\.exc\.DataError: \(psycopg2\.errors\.DivisionByZero\) division by zero; after the rollback the database is empty, as before$/),
    });
  });
});

describe('MIGRATION_REPORT', () => {
  it('after a successful migrate: every field', async () => {
    const run = await supervisor(['migrate'], { MIGRATION_REPORT: path.join(dir, 'report.json') });
    expect(run.exitCode).toBe(0);
    const report = await readReport();
    expect(Object.keys(report)).toEqual(['command', 'outcome', 'exitCode', 'startedAt', 'finishedAt', 'durationMs', 'from', 'to', 'target', 'revisions', 'lockWaitMs', 'phases', 'error']);
    expect(report).toMatchObject({ command: 'migrate', outcome: 'success', exitCode: 0, from: [], to: [HEAD], target: [HEAD], error: null });
    expect(report.revisions).toEqual(REVISIONS.map((_, index) => upgraded(index)));
    expectTimes(report);
    const phases = report.phases as Record<string, number>;
    expect(Object.keys(phases).sort()).toEqual(['inspect', 'lock', 'migrate', 'scripts', 'verify', 'wait']);
    expect(Object.values(phases).every((ms) => Number.isInteger(ms) && ms >= 0)).toBe(true);
    expect(report.lockWaitMs).toBe(phases.lock);
    expect(eventsNamed(run, 'report')[0]).toMatchObject({ path: path.join(dir, 'report.json'), outcome: 'success' });
  });

  it('at head: no revision, no lock (lockWaitMs null), from = to', async () => {
    expect((await supervisor(['migrate'])).exitCode).toBe(0);
    expect((await supervisor(['migrate'], { MIGRATION_REPORT: path.join(dir, 'report.json') })).exitCode).toBe(0);
    const report = await readReport();
    expect(report).toMatchObject({ command: 'migrate', outcome: 'success', exitCode: 0, from: [HEAD], to: [HEAD], target: [HEAD], revisions: [], lockWaitMs: null, error: null });
    expect(Object.keys(report.phases as object).sort()).toEqual(['inspect', 'scripts', 'wait']);
  });

  it('after a failed revision: the failure, the revision and the last exception line; the database where it was', async () => {
    const run = await supervisor(['migrate'], { ALEMBIC_CONFIG: await db.projectWith([FAILING_REVISION]), MIGRATION_REPORT: path.join(dir, 'report.json') });
    expect(run.exitCode).toBe(70);
    const report = await readReport();
    expect(report).toMatchObject({ command: 'migrate', outcome: 'failure', exitCode: 70, from: [], to: [], target: [FAILING_REVISION.id] });
    expect(report.revisions).toEqual([
      ...REVISIONS.map((_, index) => upgraded(index)),
      { direction: 'upgrade', revision: FAILING_REVISION.id, from: [HEAD], to: [FAILING_REVISION.id], message: `test revision ${FAILING_REVISION.id}`, durationMs: expect.any(Number), outcome: 'failed' },
    ]);
    expect(report.error).toEqual({
      message: finalError(run)?.msg,
      revision: FAILING_REVISION.id,
      exception: 'sqlalchemy.exc.DataError: (psycopg2.errors.DivisionByZero) division by zero',
    });
    expectTimes(report);
  });

  it('after a rollback: command, the target asked for, from and to', async () => {
    expect((await supervisor(['migrate'])).exitCode).toBe(0);
    expect((await supervisor(['rollback', '--steps', '1'], { MIGRATION_REPORT: path.join(dir, 'report.json') })).exitCode).toBe(0);
    const report = await readReport();
    expect(report).toMatchObject({ command: 'rollback', outcome: 'success', exitCode: 0, from: [HEAD], to: [REVISIONS[2]], target: ['-1'], error: null });
    expect(report.revisions).toEqual([{ direction: 'downgrade', revision: HEAD, from: [HEAD], to: [REVISIONS[2]], message: MESSAGES[3], durationMs: expect.any(Number), outcome: 'done' }]);
    expect(Object.keys(report.phases as object).sort()).toEqual(['lock', 'migrate', 'scripts', 'wait']);
  });

  it('when the database is unreachable: exit code 69 and the error, password-free', async () => {
    const port = await freePort();
    const url = `postgresql://app:${encodeURIComponent(TEST_PASSWORD)}@127.0.0.1:${port}/app`;
    const run = await supervisor(['migrate'], { DATABASE_URL: url, DB_WAIT_TIMEOUT: '1', MIGRATION_REPORT: path.join(dir, 'report.json') });
    expect(run.exitCode).toBe(69);
    const report = await readReport();
    expect(report).toMatchObject({ command: 'migrate', outcome: 'failure', exitCode: 69, from: null, to: null, target: null, revisions: [], lockWaitMs: null });
    expect((report.error as { message: string }).message).toBe(finalError(run)?.msg);
    expect((report.error as { message: string }).message).toContain('postgresql://app:***@127.0.0.1');
  });

  it('lockWaitMs counts the wait for another replica', async () => {
    const file = path.join(dir, 'report.json');
    await withClient(db.url, async (holder) => {
      await holder.query('SELECT pg_advisory_lock(7094175066633012849)');
      const waiting = startSupervisor(['migrate'], { env: { DATABASE_URL: db.url, MIGRATION_REPORT: file } });
      await waitForOutput(waiting, /another replica is migrating/);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await holder.query('SELECT pg_advisory_unlock(7094175066633012849)');
      const run = asRun(await waiting);
      expect(run.exitCode).toBe(0);
      const report = await readReport(file);
      expect(report.lockWaitMs).toBeGreaterThanOrEqual(500);
      expect(report.lockWaitMs).toBe((report.phases as Record<string, number>).lock);
    });
  });

  it('in `run` with ON_MIGRATION_FAILURE=continue: the failure is reported and the app starts', async () => {
    // `continue` applies to a database the app already ran on (behind), not to an empty one.
    expect((await supervisor(['migrate'])).exitCode).toBe(0);
    const run = await supervisor(['--', 'sh', '-c', 'echo APP RAN'], { ALEMBIC_CONFIG: await db.projectWith([FAILING_REVISION]), MIGRATION_REPORT: path.join(dir, 'report.json') });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('APP RAN');
    expect(await readReport()).toMatchObject({ command: 'run', outcome: 'failure', exitCode: 70, error: { revision: FAILING_REVISION.id } });
  });

  it('after an interruption (SIGTERM while alembic runs): outcome interrupted, 143, the revision that was running', async () => {
    const file = path.join(dir, 'report.json');
    const alembicConfig = await db.projectWith([slowRevision(30)]);
    const running = startSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig, MIGRATION_REPORT: file } });
    await waitForOutput(running, /Running upgrade e9d05b3a2c04 -> 5100000000ff/);
    running.kill('SIGTERM');
    const run = asRun(await running);
    expect(run.exitCode).toBe(143);
    const report = await readReport(file);
    expect(report).toMatchObject({ command: 'migrate', outcome: 'interrupted', exitCode: 143, from: [], to: null, target: ['5100000000ff'], error: { message: 'stopped by SIGTERM' } });
    expect((report.revisions as Array<{ revision: string; outcome: string }>).map((entry) => [entry.revision, entry.outcome])).toEqual([...REVISIONS.map((revision) => [revision, 'done']), ['5100000000ff', 'failed']]);
    expect(await versionsOf(db.url)).toEqual([]);
  });

  it('a path ending in .prom gets the Prometheus text format', async () => {
    const file = path.join(dir, 'migration.prom');
    expect((await supervisor(['migrate'], { MIGRATION_REPORT: file })).exitCode).toBe(0);
    const samples = (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    const names = samples.map((line) => line.replace(/[{ ].*$/, ''));
    expect([...new Set(names)]).toEqual(
      ['info', 'success', 'exit_code', 'last_run_timestamp_seconds', 'duration_seconds', 'lock_wait_seconds', 'phase_duration_seconds', 'revisions', 'revision_duration_seconds'].map((name) => `backend_supervisor_migration_${name}`),
    );
    expect(samples).toContain(`backend_supervisor_migration_info{command="migrate",outcome="success",from="",to="${HEAD}",target="${HEAD}",error_revision=""} 1`);
    expect(samples).toContain('backend_supervisor_migration_success 1');
    expect(samples).toContain('backend_supervisor_migration_exit_code 0');
    expect(samples).toContain('backend_supervisor_migration_revisions 4');
    expect(samples.filter((line) => line.startsWith('backend_supervisor_migration_revision_duration_seconds{')).map((line) => line.replace(/} .*$/, '}'))).toEqual(
      REVISIONS.map((revision) => `backend_supervisor_migration_revision_duration_seconds{revision="${revision}",direction="upgrade",outcome="done"}`),
    );
    expect(samples.filter((line) => line.startsWith('backend_supervisor_migration_phase_duration_seconds{')).map((line) => /phase="(\w+)"/.exec(line)?.[1]).sort()).toEqual(['inspect', 'lock', 'migrate', 'scripts', 'verify', 'wait']);
  });

  it('a directory that cannot be written is a configuration error (64) before anything starts', async () => {
    const run = await supervisor(['migrate'], { MIGRATION_REPORT: path.join(dir, 'missing', 'report.json') });
    expect(run.exitCode).toBe(64);
    expect(finalError(run)?.msg).toMatch(/^MIGRATION_REPORT=".*missing\/report\.json" is invalid: its directory .*missing cannot be written \(ENOENT\)/);
    expect(eventsNamed(run, 'wait')).toEqual([]);
    expect(await versionsOf(db.url)).toEqual([]);
  });
});
