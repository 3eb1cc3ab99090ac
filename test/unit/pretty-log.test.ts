import { describe, expect, it } from 'vitest';
import { prettyLine, useColour } from '../../src/log-pretty.js';

const line = (fields: Record<string, unknown>) => JSON.stringify({ level: 'info', time: '2026-11-28T16:56:51.464Z', name: 'backend-supervisor', ...fields });

describe('prettyLine', () => {
  it('an event: time, level, [event], message, then the other fields', () => {
    expect(prettyLine(line({ event: 'wait', durationMs: 3, database: 'postgresql://a:***@db/x', msg: 'the database is available' }), false)).toBe(
      '16:56:51.464 INFO  [wait] the database is available  durationMs=3 database=postgresql://a:***@db/x\n',
    );
  });

  it("alembic's logging line keeps its own level, once", () => {
    expect(prettyLine(line({ event: 'alembic', stream: 'stderr', msg: 'WARNI [alembic.env] no version table' }), false)).toBe('16:56:51.464 WARN  [alembic.env] no version table\n');
    expect(prettyLine(line({ event: 'alembic', stream: 'stderr', msg: 'INFO  [alembic.runtime.migration] Running upgrade  -> a1, one' }), false)).toBe(
      '16:56:51.464 INFO  [alembic.runtime.migration] Running upgrade  -> a1, one\n',
    );
  });

  it('a traceback line of alembic as it was, under the lines before', () => {
    expect(prettyLine(line({ event: 'alembic', stream: 'stderr', msg: '  File "x.py", line 1' }), false)).toBe('  |   File "x.py", line 1\n');
  });

  it("an internal error's stack: once, as a block", () => {
    const err = { type: 'Error', message: 'boom', stack: 'Error: boom\n    at f (x.js:1:1)' };
    expect(prettyLine(line({ level: 'error', event: 'internal', err, msg: 'internal error in the supervisor' }), false)).toBe(
      '16:56:51.464 ERROR [internal] internal error in the supervisor\n  | Error: boom\n  |     at f (x.js:1:1)\n',
    );
  });

  it('colour: the level by severity, the event, the fields dimmed', () => {
    expect(prettyLine(line({ level: 'warn', event: 'lock', waited: true, msg: 'waiting' }), true)).toBe(
      '\u001b[90m16:56:51.464\u001b[39m \u001b[33mWARN \u001b[39m \u001b[36m[lock]\u001b[39m waiting  \u001b[90mwaited=true\u001b[39m\n',
    );
  });
});

describe('useColour', () => {
  it.each([
    [{}, true, true],
    [{}, false, false],
    [{ NO_COLOR: '1' }, true, false],
    [{ NO_COLOR: '' }, true, true],
    [{ TERM: 'dumb' }, true, false],
    [{ FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '0' }, false, false],
    [{ FORCE_COLOR: '1', NO_COLOR: '1' }, true, false],
  ])('%j on a terminal: %s -> %s', (env, isTerminal, expected) => {
    expect(useColour(env, isTerminal)).toBe(expected);
  });
});
