import { describe, expect, it } from 'vitest';
import type { ScriptGraph } from '../../src/migrations/plan.js';
import { ScriptsReading } from '../../src/migrations/scripts-reading.js';

const graph: ScriptGraph = { revisions: new Map([['a1', []]]), heads: ['a1'], details: new Map() };

function recorder() {
  const seen: Array<[string, string, number]> = [];
  return { seen, onLine: (line: string, stream: string, at: number) => void seen.push([line, stream, at]) };
}

describe('ScriptsReading: alembic lines wait for the scripts, in order, with their arrival times', () => {
  it('holds the lines that arrive before the scripts are read, then hands them over in order', async () => {
    let read!: (graph: ScriptGraph) => void;
    const reading = new ScriptsReading(new Promise((resolve) => (read = resolve)));
    const tracker = recorder();
    const lines = reading.linesFor(tracker);
    lines.onLine('one', 'stderr');
    await new Promise((resolve) => setTimeout(resolve, 20));
    lines.onLine('two', 'stdout');
    expect(tracker.seen).toEqual([]);
    read(graph);
    await lines.flush();
    expect(tracker.seen.map(([line, stream]) => [line, stream])).toEqual([['one', 'stderr'], ['two', 'stdout']]);
    const [first, second] = tracker.seen.map(([, , at]) => at) as [number, number];
    expect(second - first).toBeGreaterThanOrEqual(15);
    expect(reading.graph).toBe(graph);
    lines.onLine('three', 'stderr');
    expect(tracker.seen.at(-1)?.[0]).toBe('three');
  });

  it('passes lines straight on once the scripts are read', () => {
    const tracker = recorder();
    ScriptsReading.done(graph).linesFor(tracker).onLine('now', 'stderr');
    expect(tracker.seen.map(([line]) => line)).toEqual(['now']);
  });

  it('flush fails with the read when the scripts cannot be read', async () => {
    const reading = new ScriptsReading(Promise.reject(new Error('unreadable')));
    const lines = reading.linesFor(recorder());
    lines.onLine('held', 'stderr');
    await expect(lines.flush()).rejects.toThrow('unreadable');
    expect(reading.graph).toBeUndefined();
  });
});
