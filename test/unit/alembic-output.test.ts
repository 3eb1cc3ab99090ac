import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { AlembicOutput, MAX_LINE_BYTES, readLines } from '../../src/migrations/alembic-output.js';

async function linesOf(chunks: Array<string | Buffer>): Promise<string[]> {
  const lines: string[] = [];
  await readLines(Readable.from(chunks.map((chunk) => Buffer.from(chunk))), (line) => lines.push(line));
  return lines;
}

function recorder() {
  const entries: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: 'debug', format: 'json', secrets: [], write: (line) => entries.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, entries };
}

const TRACEBACK = `INFO  [alembic.runtime.migration] Running upgrade e9d05b3a2c04 -> f00000000bad, test revision
Traceback (most recent call last):
  File "/venv/lib/python3.12/site-packages/sqlalchemy/engine/base.py", line 1967, in _exec_single_context
    self.dialect.do_execute(
psycopg2.errors.DivisionByZero: division by zero

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/venv/bin/alembic", line 8, in <module>
    sys.exit(main())
             ^^^^^^
sqlalchemy.exc.ProgrammingError: (psycopg2.errors.UndefinedTable) relation "x" does not exist
LINE 1: SELECT * FROM x
                      ^

[SQL: SELECT * FROM x]
(Background on this error at: https://sqlalche.me/e/20/f405)`;

describe('readLines', () => {
  it('splits across chunks, drops \\r, keeps a multi-byte character cut between chunks whole', async () => {
    const euro = Buffer.from('€');
    expect(await linesOf(['a\r\nb', 'c\n', Buffer.concat([Buffer.from('x'), euro.subarray(0, 1)]), Buffer.concat([euro.subarray(1), Buffer.from('y')])])).toEqual(['a', 'bc', 'x€y']);
  });

  it('cuts a long line at MAX_LINE_BYTES and says how much was dropped, also across chunks', async () => {
    const lines = await linesOf(['x'.repeat(MAX_LINE_BYTES - 10), 'y'.repeat(100), '\nnext\n']);
    expect(lines).toEqual([`${'x'.repeat(MAX_LINE_BYTES - 10)}${'y'.repeat(10)} … [90 more bytes dropped]`, 'next']);
  });
});

describe('AlembicOutput', () => {
  it('names the step, the revision and the last line of the final exception; logs the traceback once at error', () => {
    const { log, entries } = recorder();
    const output = new AlembicOutput(log, 'info', false);
    for (const line of TRACEBACK.split('\n')) output.line('stderr', line);
    output.finish(true);
    expect(output.failure()).toEqual({
      step: 'upgrade e9d05b3a2c04 -> f00000000bad',
      revision: 'f00000000bad',
      exception: 'sqlalchemy.exc.ProgrammingError: (psycopg2.errors.UndefinedTable) relation "x" does not exist',
    });
    expect(entries.map((entry) => [entry.level, entry.msg])).toEqual([
      ['info', 'INFO  [alembic.runtime.migration] Running upgrade e9d05b3a2c04 -> f00000000bad, test revision'],
      ['error', 'alembic failed: sqlalchemy.exc.ProgrammingError: (psycopg2.errors.UndefinedTable) relation "x" does not exist'],
    ]);
    expect(String(entries[1]?.traceback).split('\n')).toHaveLength(TRACEBACK.split('\n').filter((line) => line.trim() !== '').length - 1);
  });

  it("a traceback alembic carried on after is logged at warn, and alembic's FAILED line is the exception", () => {
    const { log, entries } = recorder();
    const output = new AlembicOutput(log, 'info', false);
    for (const line of ['Traceback (most recent call last):', '  File "x.py", line 1', 'ValueError: nope', 'INFO  [alembic] going on', "FAILED: Can't locate revision identified by 'abc'"]) output.line('stderr', line);
    output.finish(true);
    expect(entries.map((entry) => [entry.level, entry.msg])).toEqual([
      ['warn', 'alembic printed a traceback and carried on'],
      ['info', 'INFO  [alembic] going on'],
      ['info', "FAILED: Can't locate revision identified by 'abc'"],
    ]);
    expect(output.failure()).toEqual({ exception: "FAILED: Can't locate revision identified by 'abc'" });
  });

  it('keeps stdout only when asked to', () => {
    const { log } = recorder();
    const kept = new AlembicOutput(log, 'debug', true);
    const dropped = new AlembicOutput(log, 'info', false);
    for (const output of [kept, dropped]) output.line('stdout', 'e9d05b3a2c04 (head)');
    expect(kept.stdout).toEqual(['e9d05b3a2c04 (head)']);
    expect(dropped.stdout).toEqual([]);
  });
});
