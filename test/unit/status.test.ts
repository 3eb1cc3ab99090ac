import { describe, expect, it } from 'vitest';
import { statusReport, statusText } from '../../src/migrations/status.js';
import { statusFormat } from '../../src/migrations/status-format.js';
import { classify, headsOf, plan, type DatabaseSnapshot, type ScriptGraph } from '../../src/migrations/plan.js';

const revisions = new Map(Object.entries({ a1: [], b2: ['a1'], c3: ['b2'] }));
const scripts: ScriptGraph = {
  revisions,
  heads: headsOf(revisions),
  details: new Map([
    ['b2', { file: '/app/alembic/versions/0002_b.py', message: 'add b' }],
    ['c3', { file: '/app/alembic/versions/0003_c.py', message: 'add the c column' }],
  ]),
};
const db = (versions: string[], userTables: string[] = []): DatabaseSnapshot => ({
  versionTable: versions.length > 0 ? 'public.alembic_version' : undefined,
  versionTableSource: versions.length > 0 ? 'default' : undefined,
  versionTableExists: versions.length > 0,
  versions,
  userTables,
  otherVersionTables: [],
  ambiguousVersionTables: false,
});
const report = (snapshot: DatabaseSnapshot, unversionedDatabase: 'stamp' | 'refuse' = 'stamp') => statusReport(snapshot, plan(classify(snapshot, scripts), { unversionedDatabase }), scripts);

describe('statusReport: the exit code says what migrate would do', () => {
  it.each([
    ['at the target', db(['c3']), 'stamp', 0],
    ['behind', db(['a1']), 'stamp', 1],
    ['empty', db([]), 'stamp', 1],
    ['unversioned, stamp', db([], ['users']), 'stamp', 1],
    ['unversioned, refuse', db([], ['users']), 'refuse', 65],
    ['unknown revision', db(['zz']), 'stamp', 65],
  ] as const)('%s -> %i', (_, snapshot, policy, exitCode) => {
    expect(report(snapshot, policy).exitCode).toBe(exitCode);
  });

  it('lists what is pending, with message and file where known', () => {
    expect(report(db(['a1']))).toEqual({
      state: 'behind',
      plan: 'upgrade',
      exitCode: 1,
      current: ['a1'],
      target: ['c3'],
      pending: [
        { revision: 'b2', file: '/app/alembic/versions/0002_b.py', message: 'add b' },
        { revision: 'c3', file: '/app/alembic/versions/0003_c.py', message: 'add the c column' },
      ],
      summary: 'the database is at a1, behind head c3; plan: alembic upgrade head',
    });
  });
});

describe('statusText', () => {
  it('aligned columns, files relative to the working directory', () => {
    expect(statusText(report(db(['a1'])), '/app')).toBe(
      [
        'the database is at a1, behind head c3; plan: alembic upgrade head (exit 1)',
        'current: a1',
        'target:  c3',
        'pending: 2 revisions, oldest first',
        '  b2  add b             alembic/versions/0002_b.py',
        '  c3  add the c column  alembic/versions/0003_c.py',
        '',
      ].join('\n'),
    );
  });

  it('a refusal says why', () => {
    expect(statusText(report(db(['zz'])), '/app')).toMatch(/\nrefused: the database is at revision zz, which the migration scripts do not contain/);
  });
});

describe('statusFormat', () => {
  it.each([
    [{ json: true, sql: false }, 'json', false, 'json'],
    [{ json: false, sql: true }, 'pretty', true, 'sql'],
    [{ json: false, sql: false }, 'json', true, 'text'],
    [{ json: false, sql: false }, 'pretty', false, 'text'],
    [{ json: false, sql: false }, 'json', false, 'log'],
  ] as const)('%j, LOG_FORMAT=%s, terminal %s -> %s', (flags, logFormat, terminal, format) => {
    expect(statusFormat(flags, logFormat, terminal)).toBe(format);
  });
});
