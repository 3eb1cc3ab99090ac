import { describe, expect, it } from 'vitest';
import { blameLeftovers, downgradeOne, errorLine, leftOver, noTargetMetadata, walkOrder } from '../../src/migration-tests/plan.js';
import { headsOf, type ScriptGraph } from '../../src/migrations/plan.js';

function graph(revisions: Record<string, string[]>): ScriptGraph {
  const map = new Map(Object.entries(revisions));
  return { revisions: map, heads: headsOf(map), details: new Map() };
}

describe('walkOrder', () => {
  it('walks a linear history from base to head', () => {
    expect(walkOrder(graph({ c3: ['b2'], a1: [], b2: ['a1'] }))).toEqual(['a1', 'b2', 'c3']);
  });

  it('puts every parent before its children in branches and merges, ties by id', () => {
    expect(walkOrder(graph({ a1: [], x9: ['a1'], b2: ['a1'], m4: ['x9', 'b2'], z0: [] }))).toEqual(['a1', 'b2', 'x9', 'm4', 'z0']);
  });

  it('every generated history: each revision comes once, after all of its parents', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < 200; run += 1) {
      const ids = Array.from({ length: 1 + Math.floor(random() * 30) }, (_, index) => `r${index}`);
      const revisions: Record<string, string[]> = {};
      ids.forEach((id, index) => {
        const parents = new Set<string>();
        const count = index === 0 ? 0 : random() < 0.1 ? 0 : random() < 0.2 ? 2 : 1;
        while (parents.size < Math.min(count, index)) parents.add(ids[Math.floor(random() * index)] as string);
        revisions[id] = [...parents];
      });
      const order = walkOrder(graph(revisions));
      expect([...order].sort()).toEqual([...ids].sort());
      for (const [id, parents] of Object.entries(revisions)) {
        for (const parent of parents) expect(order.indexOf(parent)).toBeLessThan(order.indexOf(id));
      }
    }
  });

  it('names the revisions of a cycle', () => {
    expect(() => walkOrder(graph({ a1: [], b2: ['c3'], c3: ['b2'] }))).toThrow('the revisions b2, c3 form a cycle');
  });
});

describe('downgradeOne', () => {
  it('stays on the revision own branch, down to base for a first revision', () => {
    expect(downgradeOne('b2', ['a1'])).toEqual(['downgrade', 'b2@-1']);
    expect(downgradeOne('a1', [])).toEqual(['downgrade', 'a1@-1']);
  });

  it('undoes a merge point by going to one of its parents', () => {
    expect(downgradeOne('m4', ['x9', 'b2'])).toEqual(['downgrade', 'x9']);
  });
});

describe('errorLine', () => {
  it("finds the exception in a Python traceback followed by SQLAlchemy's statement and link", () => {
    const output = [
      'INFO  [alembic.runtime.migration] Running downgrade d0 -> e9, test',
      'Traceback (most recent call last):',
      '  File "/venv/lib/python3.11/site-packages/sqlalchemy/engine/base.py", line 1967, in _exec_single_context',
      '    self.dialect.do_execute(',
      'psycopg2.errors.UndefinedTable: table "x" does not exist',
      'The above exception was the direct cause of the following exception:',
      'sqlalchemy.exc.ProgrammingError: (psycopg2.errors.UndefinedTable) table "x" does not exist',
      'DETAIL:  nothing',
      '[SQL: ',
      'DROP TABLE x]',
      '(Background on this error at: https://sqlalche.me/e/20/f405)',
    ].join('\n');
    expect(errorLine(output)).toBe('sqlalchemy.exc.ProgrammingError: (psycopg2.errors.UndefinedTable) table "x" does not exist');
  });

  it("takes alembic's own FAILED line, and a plain exception", () => {
    expect(errorLine("INFO  [x] y\nERROR [alembic.util.messaging] Can't locate revision\nFAILED: Can't locate revision identified by 'ab'\n")).toBe("FAILED: Can't locate revision identified by 'ab'");
    expect(errorLine('Traceback (most recent call last):\n  File "a.py", line 1\nRuntimeError: boom')).toBe('RuntimeError: boom');
  });

  it('falls back to the last line, or says there was none', () => {
    expect(errorLine('first\nsomething odd happened\n\n')).toBe('something odd happened');
    expect(errorLine('  \n')).toBe('alembic printed nothing');
  });
});

describe('leftovers', () => {
  it('finds what is new, whatever the order', () => {
    expect(leftOver(['table public.a'], ['type public.t', 'table public.a', 'sequence public.s'])).toEqual(['type public.t', 'sequence public.s']);
  });

  it("blames the highest revision whose downgrade leaves one of the objects still there at base", () => {
    const walk = ['a1', 'b2', 'c3'];
    const before = new Map([['a1', []], ['b2', ['table public.a']], ['c3', ['table public.a', 'table public.b']]]);
    const after = new Map([
      ['c3', ['table public.a', 'table public.b', 'index-like public.gone']],
      ['b2', ['table public.a', 'type public.mood']],
      ['a1', ['type public.mood']],
    ]);
    // c3 left something that a lower downgrade removed again: not to blame for what is left at base.
    expect(blameLeftovers(walk, before, after, ['type public.mood'])).toEqual({ revision: 'b2', objects: ['type public.mood'] });
    expect(blameLeftovers(walk, before, after, ['view public.v'])).toBeUndefined();
  });
});

describe('noTargetMetadata', () => {
  it("recognises alembic's answer when env.py has no target_metadata", () => {
    expect(noTargetMetadata("FAILED: Can't proceed with --autogenerate option; environment script /app/alembic/env.py does not provide a MetaData object or sequence of objects to the context.")).toBe(true);
    expect(noTargetMetadata('FAILED: New upgrade operations detected: []')).toBe(false);
  });
});
