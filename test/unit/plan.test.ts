import { describe, expect, it } from 'vitest';
import { classify, describePlan, headsOf, plan, planWithoutScripts, type DatabaseSnapshot, type ScriptGraph } from '../../src/migrations/plan.js';

const linear = graph({ a1: [], b2: ['a1'], c3: ['b2'] });
const forked = graph({ a1: [], b2: ['a1'], x9: ['a1'] });
const merged = graph({ a1: [], b2: ['a1'], x9: ['a1'], m4: ['b2', 'x9'] });
const noScripts = graph({});

function graph(revisions: Record<string, string[]>): ScriptGraph {
  const map = new Map(Object.entries(revisions));
  return { revisions: map, heads: headsOf(map), details: new Map() };
}

function db(versions: string[] | null, userTables: string[] = [], otherVersionTables: string[] = []): DatabaseSnapshot {
  const versionTable = versions === null ? undefined : 'public.alembic_version';
  return {
    versionTable,
    versionTableSource: versionTable ? 'default' : undefined,
    versionTableExists: versions !== null,
    versions: versions ?? [],
    userTables,
    otherVersionTables,
    ambiguousVersionTables: false,
  };
}

const stamp = { unversionedDatabase: 'stamp' } as const;
const refuse = { unversionedDatabase: 'refuse' } as const;

describe('headsOf', () => {
  it('finds the revisions nothing revises', () => {
    expect(linear.heads).toEqual(['c3']);
    expect(forked.heads).toEqual(['b2', 'x9']);
    expect(merged.heads).toEqual(['m4']);
    expect(noScripts.heads).toEqual([]);
  });
});

describe('the contract state table', () => {
  it('empty: no version table, no user tables -> upgrade head', () => {
    const state = classify(db(null), linear);
    expect(state).toEqual({ kind: 'empty' });
    expect(plan(state, stamp).action).toBe('upgrade');
    expect(plan(state, refuse).action).toBe('upgrade');
  });

  it('empty: a version table with no row and no user tables is empty too', () => {
    expect(classify(db([]), linear)).toEqual({ kind: 'empty' });
  });

  it('unversioned: user tables but no version table -> stamp head by default', () => {
    const state = classify(db(null, ['users']), linear);
    expect(state).toEqual({ kind: 'unversioned', userTables: ['users'], versionTables: [] });
    expect(plan(state, stamp).action).toBe('stamp');
  });

  it('a version table without a row but with user tables is never stamped: it means a history', () => {
    const state = classify(db([], ['users']), linear);
    expect(state).toEqual({ kind: 'unversioned', userTables: ['users'], versionTables: ['public.alembic_version'] });
    const decided = plan(state, stamp);
    expect(decided.action).toBe('refuse');
    expect(decided.action === 'refuse' && decided.reason).toMatch(/version table exists \(public\.alembic_version\), so it is not stamped; set ALEMBIC_VERSION_TABLE/);
  });

  it('a version table elsewhere than the one read forbids stamping', () => {
    const decided = plan(classify(db(null, ['users'], ['ver.my_version']), linear), stamp);
    expect(decided).toMatchObject({ action: 'refuse', state: { kind: 'unversioned', versionTables: ['ver.my_version'] } });
  });

  it('several candidate version tables and none chosen: refused, naming them and ALEMBIC_VERSION_TABLE', () => {
    const snapshot = { ...db(null, [], ['a.alembic_version', 'b.my_version']), ambiguousVersionTables: true };
    const decided = plan(classify(snapshot, linear), stamp);
    expect(decided.state).toEqual({ kind: 'ambiguous-version-table', versionTables: ['a.alembic_version', 'b.my_version'] });
    expect(decided.action === 'refuse' && decided.reason).toMatch(/a\.alembic_version, b\.my_version.*ALEMBIC_VERSION_TABLE=\[schema\.\]table/);
  });

  it('unversioned with UNVERSIONED_DATABASE=refuse -> refuse, naming the tables and the fix', () => {
    const decided = plan(classify(db(null, ['users', 'items']), linear), refuse);
    expect(decided.action).toBe('refuse');
    expect(decided.action === 'refuse' && decided.reason).toMatch(/users, items.*UNVERSIONED_DATABASE=stamp/);
  });

  it('behind: an ancestor of the head -> upgrade head', () => {
    const state = classify(db(['a1'], ['users']), linear);
    expect(state).toEqual({ kind: 'behind', current: ['a1'], heads: ['c3'] });
    expect(plan(state, stamp).action).toBe('upgrade');
  });

  it('behind: both branches of a merge applied, merge pending', () => {
    expect(classify(db(['b2', 'x9']), merged)).toEqual({ kind: 'behind', current: ['b2', 'x9'], heads: ['m4'] });
  });

  it('at head: nothing to do', () => {
    const state = classify(db(['c3'], ['users']), linear);
    expect(state).toEqual({ kind: 'at-head', heads: ['c3'] });
    expect(plan(state, stamp).action).toBe('nothing');
  });

  it('at head: duplicate rows of the head still count as at head', () => {
    expect(classify(db(['c3', 'c3']), linear).kind).toBe('at-head');
  });

  it('ahead / unknown: a revision the scripts do not contain -> refuse naming it', () => {
    const state = classify(db(['ffff'], ['users']), linear);
    expect(state).toEqual({ kind: 'unknown-revision', unknown: ['ffff'], heads: ['c3'] });
    const decided = plan(state, stamp);
    expect(decided.action).toBe('refuse');
    expect(decided.action === 'refuse' && decided.reason).toMatch(/ffff/);
  });

  it('ahead / unknown: one known and one unknown row is still unknown', () => {
    expect(classify(db(['a1', 'ffff']), linear)).toMatchObject({ kind: 'unknown-revision', unknown: ['ffff'] });
  });

  it('several heads: refused whatever the database holds, naming the heads', () => {
    for (const snapshot of [db(null), db(['a1']), db(null, ['users']), db(['b2'])]) {
      const decided = plan(classify(snapshot, forked), stamp);
      expect(decided.action).toBe('refuse');
      expect(decided.action === 'refuse' && decided.reason).toMatch(/b2, x9/);
    }
  });

  it('MIGRATION_TARGET=heads: several heads are wanted, at head means at every head', () => {
    expect(classify(db(['b2', 'x9']), forked, 'heads')).toEqual({ kind: 'at-head', heads: ['b2', 'x9'] });
    expect(classify(db(['b2']), forked, 'heads')).toEqual({ kind: 'behind', current: ['b2'], heads: ['b2', 'x9'] });
    expect(classify(db(null), forked, 'heads')).toEqual({ kind: 'empty' });
    expect(classify(db(['b2', 'x9']), forked, 'head').kind).toBe('several-heads');
    const decided = plan(classify(db(['a1']), forked, 'heads'), stamp);
    expect(describePlan(decided, 'heads')).toBe('at a1, behind head b2, x9; plan: alembic upgrade heads');
    expect(describePlan(plan(classify(db(null, ['users']), forked, 'heads'), stamp), 'heads')).toMatch(/plan: alembic stamp heads$/);
  });

  // A start may plan before it has read the scripts (migrateToHead): only where they cannot change the plan.
  it('the plan without scripts is the plan with any scripts, but for several heads under MIGRATION_TARGET=head', () => {
    const snapshots = [db(null), db([]), db(['a1']), db(['b2', 'x9']), db(null, ['users']), db([], ['users']), db(null, [], ['a.v']), { ...db(null, [], ['a.v', 'b.v']), ambiguousVersionTables: true }];
    const withoutScripts = snapshots.map((snapshot) => planWithoutScripts(snapshot)?.action);
    expect(withoutScripts).toEqual(['upgrade', 'upgrade', undefined, undefined, undefined, undefined, 'upgrade', undefined]);
    for (const snapshot of snapshots) {
      const early = planWithoutScripts(snapshot);
      if (!early) continue;
      for (const scripts of [linear, forked, merged, noScripts]) {
        for (const target of ['head', 'heads'] as const) {
          for (const policy of [stamp, refuse]) {
            const decided = plan(classify(snapshot, scripts, target), { ...policy, migrationTarget: target });
            if (scripts.heads.length > 1 && target === 'head') expect(decided.action).toBe('refuse');
            else expect(decided).toEqual(early);
          }
        }
      }
    }
  });

  it('several heads with MIGRATION_TARGET=head names the variable for projects that want them', () => {
    const decided = plan(classify(db(null), forked), stamp);
    expect(decided.action === 'refuse' && decided.reason).toMatch(/MIGRATION_TARGET=heads/);
  });

  it('no migration scripts at all: an empty database needs nothing but an upgrade no-op', () => {
    expect(classify(db(null), noScripts)).toEqual({ kind: 'empty' });
    expect(classify(db(['a1']), noScripts).kind).toBe('unknown-revision');
  });
});

describe('describePlan', () => {
  it('says where the database is and what happens next', () => {
    expect(describePlan(plan(classify(db(['a1']), linear), stamp))).toBe('at a1, behind head c3; plan: alembic upgrade head');
    expect(describePlan(plan(classify(db(null, ['users']), linear), stamp))).toBe('unversioned (tables users, no Alembic version); plan: alembic stamp head');
    expect(describePlan(plan(classify(db(['c3']), linear), stamp))).toBe('at head c3; plan: nothing to do');
    expect(describePlan(plan(classify(db(['zz']), linear), stamp))).toBe('at zz, which the scripts do not contain; plan: refused');
  });
});
