import { describe, expect, it } from 'vitest';
import { parseRunningLine, RevisionTracker, summarise, type RevisionRun } from '../../src/migrations/revision-runs.js';
import { MigrationAttempt, migrationReport, prometheusText } from '../../src/migrations/report.js';
import { InterruptedError, SupervisorError } from '../../src/errors.js';

const known = new Set(['a1', 'b2', 'c3', 'm4', 'x9']);
const isRevision = (id: string) => known.has(id);
const PREFIX = 'INFO  [alembic.runtime.migration] ';

describe('parseRunningLine', () => {
  it.each([
    ['Running upgrade  -> a1, create users', { direction: 'upgrade', revision: 'a1', from: [], to: ['a1'], message: 'create users' }],
    ['Running upgrade a1 -> b2, add a, b and c', { direction: 'upgrade', revision: 'b2', from: ['a1'], to: ['b2'], message: 'add a, b and c' }],
    ['Running upgrade a1 -> b2', { direction: 'upgrade', revision: 'b2', from: ['a1'], to: ['b2'] }],
    ['Running upgrade b2, x9 -> m4, merge heads', { direction: 'upgrade', revision: 'm4', from: ['b2', 'x9'], to: ['m4'], message: 'merge heads' }],
    ['Running downgrade m4 -> b2, x9, merge heads', { direction: 'downgrade', revision: 'm4', from: ['m4'], to: ['b2', 'x9'], message: 'merge heads' }],
    ['Running downgrade a1 -> , create users', { direction: 'downgrade', revision: 'a1', from: ['a1'], to: [], message: 'create users' }],
  ])('%s', (line, step) => {
    expect(parseRunningLine(`${PREFIX}${line}`, isRevision)).toEqual(step);
  });

  it('ignores other lines, stamps included', () => {
    expect(parseRunningLine(`${PREFIX}Will assume transactional DDL.`, isRevision)).toBeNull();
    expect(parseRunningLine(`${PREFIX}Running stamp_revision  -> c3`, isRevision)).toBeNull();
  });
});

describe('RevisionTracker', () => {
  function tracked() {
    let clock = 0;
    const done: RevisionRun[] = [];
    const tracker = new RevisionTracker(isRevision, (run) => done.push(run), () => clock);
    return { tracker, done, at: (ms: number) => (clock = ms) };
  }

  it('times each revision from its line to the next, the last to the end', () => {
    const { tracker, done, at } = tracked();
    tracker.onLine(`${PREFIX}Context impl PostgresqlImpl.`, 'stderr');
    at(10);
    tracker.onLine(`${PREFIX}Running upgrade  -> a1, one`, 'stderr');
    at(25);
    tracker.onLine(`${PREFIX}Running upgrade a1 -> b2, two`, 'stderr');
    at(100);
    tracker.end(true);
    expect(done.map((run) => [run.revision, run.durationMs, run.outcome])).toEqual([
      ['a1', 15, 'done'],
      ['b2', 75, 'done'],
    ]);
    expect(tracker.runs).toEqual(done);
    expect(tracker.failure).toEqual({});
  });

  it('on failure: the revision running and the last traceback exception line, not SQL on stdout', () => {
    const { tracker, at } = tracked();
    tracker.onLine(`${PREFIX}Running upgrade  -> a1, one`, 'stderr');
    tracker.onLine('-- Running upgrade  -> a1', 'stdout');
    tracker.onLine('BEGIN;', 'stdout');
    at(5);
    for (const line of [
      'Traceback (most recent call last):',
      '  File "x.py", line 1, in <module>',
      '    cursor.execute(statement, parameters)',
      'psycopg2.errors.DivisionByZero: division by zero',
      'The above exception was the direct cause of the following exception:',
      'Traceback (most recent call last):',
      '  File "y.py", line 2, in upgrade',
      'sqlalchemy.exc.DataError: (psycopg2.errors.DivisionByZero) division by zero',
      '[SQL: SELECT 1/0]',
    ]) {
      tracker.onLine(line, 'stderr');
      // Offline mode's SQL arrives on stdout in between, at the margin too.
      if (line.startsWith('Traceback')) tracker.onLine('SELECT 1;', 'stdout');
    }
    tracker.onLine('COMMIT;', 'stdout');
    tracker.end(false);
    expect(tracker.failure).toEqual({
      revision: { direction: 'upgrade', revision: 'a1', from: [], to: ['a1'], message: 'one', durationMs: 5, outcome: 'failed' },
      exception: 'sqlalchemy.exc.DataError: (psycopg2.errors.DivisionByZero) division by zero',
    });
  });

  it("alembic's FAILED line is the exception when there is no traceback", () => {
    const { tracker } = tracked();
    tracker.onLine("  FAILED: Can't locate revision identified by 'zz'", 'stderr');
    tracker.end(false);
    expect(tracker.failure).toEqual({ exception: "FAILED: Can't locate revision identified by 'zz'" });
  });
});

describe('summarise', () => {
  const run = (revision: string, direction: 'upgrade' | 'downgrade', from: string[], to: string[]): RevisionRun => ({ revision, direction, from, to, durationMs: 1, outcome: 'done' });

  it('upgrades from base', () => {
    expect(summarise([run('a1', 'upgrade', [], ['a1']), run('b2', 'upgrade', ['a1'], ['b2'])], 42)).toBe('applied 2 revisions base -> b2 in 42 ms');
  });

  it('one downgrade to base', () => {
    expect(summarise([run('a1', 'downgrade', ['a1'], [])], 7)).toBe('rolled back 1 revision a1 -> base in 7 ms');
  });
});

describe('migrationReport', () => {
  const finishedAt = (attempt: MigrationAttempt) => new Date(attempt.startedAt.getTime() + 1500);

  it('a success', () => {
    const attempt = new MigrationAttempt('migrate');
    Object.assign(attempt, { from: [], to: ['b2'], target: ['b2'] });
    const report = migrationReport(attempt, { wait: 3, lock: 2, migrate: 1000 }, finishedAt(attempt));
    expect(report).toEqual({
      command: 'migrate',
      outcome: 'success',
      exitCode: 0,
      startedAt: attempt.startedAt.toISOString(),
      finishedAt: finishedAt(attempt).toISOString(),
      durationMs: 1500,
      from: [],
      to: ['b2'],
      target: ['b2'],
      revisions: [],
      lockWaitMs: 2,
      phases: { wait: 3, lock: 2, migrate: 1000 },
      error: null,
    });
  });

  it('a failure names the revision and the exception from the error', () => {
    const attempt = new MigrationAttempt('run');
    attempt.failed(new SupervisorError('migrationFailed', 'revision b2 failed', { revision: 'b2', exception: 'ValueError: no', output: '...' }));
    expect(migrationReport(attempt, {}, finishedAt(attempt))).toMatchObject({ outcome: 'failure', exitCode: 70, from: null, to: null, lockWaitMs: null, error: { message: 'revision b2 failed', revision: 'b2', exception: 'ValueError: no' } });
  });

  it('an interruption', () => {
    const attempt = new MigrationAttempt('migrate');
    attempt.failed(new InterruptedError('SIGTERM'));
    expect(migrationReport(attempt, {}, finishedAt(attempt))).toMatchObject({ outcome: 'interrupted', exitCode: 143, error: { message: 'stopped by SIGTERM' } });
  });
});

describe('prometheusText', () => {
  it('gauges for node-exporter, label values escaped', async () => {
    const attempt = new MigrationAttempt('rollback');
    Object.assign(attempt, { from: ['b2'], to: ['a1'], target: ['say "a1"'] });
    attempt.revisions.push({ direction: 'downgrade', revision: 'b2', from: ['b2'], to: ['a1'], durationMs: 250, outcome: 'done' });
    const text = await prometheusText(migrationReport(attempt, { lock: 4, migrate: 300 }, new Date(Date.UTC(2026, 0, 1))));
    const samples = text.split('\n').filter((line) => line && !line.startsWith('#'));
    expect(samples).toEqual([
      'backend_supervisor_migration_info{command="rollback",outcome="success",from="b2",to="a1",target="say \\"a1\\"",error_revision=""} 1',
      'backend_supervisor_migration_success 1',
      'backend_supervisor_migration_exit_code 0',
      'backend_supervisor_migration_last_run_timestamp_seconds 1767225600',
      `backend_supervisor_migration_duration_seconds ${(Date.UTC(2026, 0, 1) - attempt.startedAt.getTime()) / 1000}`,
      'backend_supervisor_migration_lock_wait_seconds 0.004',
      'backend_supervisor_migration_phase_duration_seconds{phase="lock"} 0.004',
      'backend_supervisor_migration_phase_duration_seconds{phase="migrate"} 0.3',
      'backend_supervisor_migration_revisions 1',
      'backend_supervisor_migration_revision_duration_seconds{revision="b2",direction="downgrade",outcome="done"} 0.25',
    ]);
    expect(text).toContain('# TYPE backend_supervisor_migration_success gauge');
  });
});
