import { describe, expect, it } from 'vitest';
import { pendingRevisions } from '../../src/migrations/pending.js';

const graph = (revisions: Record<string, string[]>) => new Map(Object.entries(revisions));

describe('pendingRevisions', () => {
  const linear = graph({ a1: [], b2: ['a1'], c3: ['b2'], d4: ['c3'] });

  it('from base: every revision, oldest first', () => {
    expect(pendingRevisions(linear, [], ['d4'])).toEqual(['a1', 'b2', 'c3', 'd4']);
  });

  it('behind: only what comes after the current revision', () => {
    expect(pendingRevisions(linear, ['b2'], ['d4'])).toEqual(['c3', 'd4']);
  });

  it('at the target: nothing', () => {
    expect(pendingRevisions(linear, ['d4'], ['d4'])).toEqual([]);
  });

  it('a merge: both branches before the merge point, each parent before its child', () => {
    const merged = graph({ a1: [], b2: ['a1'], x9: ['a1'], y8: ['x9'], m5: ['b2', 'y8'] });
    expect(pendingRevisions(merged, ['a1'], ['m5'])).toEqual(['b2', 'x9', 'y8', 'm5']);
    expect(pendingRevisions(merged, ['b2'], ['m5'])).toEqual(['x9', 'y8', 'm5']);
  });

  it('every generated linear history: the revisions after the current one, in order', () => {
    for (let length = 1; length <= 30; length += 1) {
      const ids = Array.from({ length }, (_, index) => `r${String(length - index).padStart(3, '0')}`);
      const history = new Map(ids.map((id, index) => [id, index === 0 ? [] : [ids[index - 1] as string]]));
      for (let at = -1; at < length; at += 1) {
        expect(pendingRevisions(history, at < 0 ? [] : [ids[at] as string], [ids.at(-1) as string])).toEqual(ids.slice(at + 1));
      }
    }
  });
});
