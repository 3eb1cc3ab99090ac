import { describe, expect, it } from 'vitest';
import { classify, describePlan, headsOf, plan, type DatabaseSnapshot, type ScriptGraph } from '../../src/migrations/plan.js';

const linear = graph({ a1: [], b2: ['a1'], c3: ['b2'] });
const forked = graph({ a1: [], b2: ['a1'], x9: ['a1'] });
const merged = graph({ a1: [], b2: ['a1'], x9: ['a1'], m4: ['b2', 'x9'] });
const noScripts = graph({});

function graph(revisions: Record<string, string[]>): ScriptGraph {
  const map = new Map(Object.entries(revisions));
  return { revisions: map, heads: headsOf(map), details: new Map() };
}

function db(versions: string[] | null, userTables: string[] = []): DatabaseSnapshot {
  return { versionTableExists: versions !== null, versions: versions ?? [], userTables };
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
    expect(state).toEqual({ kind: 'unversioned', userTables: ['users'] });
    expect(plan(state, stamp).action).toBe('stamp');
  });

  it('unversioned: a version table without a row but with user tables', () => {
    expect(classify(db([], ['users']), linear).kind).toBe('unversioned');
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
