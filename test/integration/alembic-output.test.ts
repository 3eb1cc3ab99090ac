import { describe, expect, it } from 'vitest';
import { perTest } from '../support/per-test.js';
import { runMeasured } from '../support/memory.js';
import { versionsOf } from '../support/postgres.js';
import { HEAD, type ExtraRevision } from '../support/project.js';

const db = perTest();
const MIB = 1024 * 1024;
const LINES = 1_000_000;

/** Waits a moment (so the supervisor's idle peak is read), then prints in big writes: Python is not what is measured. */
function printing(id: string, body: string[]): ExtraRevision {
  return { id, parent: HEAD, upgrade: ['import sys, time', 'time.sleep(0.5)', ...body, 'sys.stdout.flush()'] };
}

describe("alembic's output costs bounded memory", () => {
  it('a revision printing a million lines: every line is logged, the peak RSS stays within 30 MiB of idle', { timeout: 180_000 }, async () => {
    const revision = printing('10000000001e', [`for start in range(0, ${LINES}, 10000):`, '    sys.stdout.write("".join(f"printed line {i}\\n" for i in range(start, start + 10000)))']);
    const run = await runMeasured(['migrate'], { DATABASE_URL: db.url, ALEMBIC_CONFIG: await db.projectWith([revision]) }, {
      idleAt: new RegExp(`Running upgrade ${HEAD} -> ${revision.id}`),
      count: /"event":"alembic","stream":"stdout","msg":"printed line \d+"/,
      keep: /"event":"exit"/,
    });
    expect(run.kept).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.counted).toBe(LINES);
    expect(await versionsOf(db.url)).toEqual([revision.id]);
    expect(run.idlePeak).toBeGreaterThan(0);
    expect(((run.peak as number) - (run.idlePeak as number)) / MIB).toBeLessThan(30);
  });

  it('a 600 MB line does not crash it: cut to its first 16384 bytes with a note, memory bounded', { timeout: 180_000 }, async () => {
    const revision = printing('20000000002e', ['chunk = "x" * 1_000_000', 'for _ in range(600):', '    sys.stdout.write(chunk)', 'sys.stdout.write("\\n")']);
    const run = await runMeasured(['migrate'], { DATABASE_URL: db.url, ALEMBIC_CONFIG: await db.projectWith([revision]) }, {
      idleAt: new RegExp(`Running upgrade ${HEAD} -> ${revision.id}`),
      count: /"event":"alembic","stream":"stdout","msg":"x/,
      keep: /"event":"alembic","stream":"stdout"|"event":"exit"/,
    });
    expect(run.exitCode).toBe(0);
    expect(run.kept).toHaveLength(1);
    expect(JSON.parse(run.kept[0] as string).msg).toBe(`${'x'.repeat(16_384)} … [${600_000_000 - 16_384} more bytes dropped]`);
    // Nothing of the line is kept; what grows is the pipe's read buffers, which V8 frees at its
    // external-memory threshold: a tenth of the line, not the line.
    expect(((run.peak as number) - (run.idlePeak as number)) / MIB).toBeLessThan(64);
  });
});
