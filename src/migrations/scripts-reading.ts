import { monotonicMs } from '../clock.js';
import type { ScriptGraph } from './plan.js';

/**
 * The migration scripts while they are read beside the database work: `graph` once they are. A long
 * history takes longer to read than the wait and the lock, and on an empty database alembic (whose
 * Python takes longer still to start) need not wait for it.
 */
export class ScriptsReading {
  graph: ScriptGraph | undefined;
  /** Aborts when they cannot be read: what runs beside the read (the wait) stops at once. */
  readonly failed: AbortSignal;

  constructor(readonly read: Promise<ScriptGraph>) {
    const failure = new AbortController();
    this.failed = failure.signal;
    read.then(
      (graph) => {
        this.graph = graph;
      },
      () => failure.abort(),
    );
  }

  static done(graph: ScriptGraph): ScriptsReading {
    const reading = new ScriptsReading(Promise.resolve(graph));
    reading.graph = graph;
    return reading;
  }

  /**
   * alembic's lines for `tracker`, which tells revision ids apart by the scripts: until they are read,
   * the lines wait, each with the time it arrived. `flush`, after the last line, hands over the rest.
   */
  linesFor(tracker: LineConsumer): { onLine: (line: string, stream: Stream) => void; flush: () => Promise<void> } {
    const waiting: Array<[string, Stream, number]> = [];
    const handOver = () => {
      for (const [line, stream, at] of waiting.splice(0)) tracker.onLine(line, stream, at);
    };
    void this.read.then(handOver, () => {});
    return {
      onLine: (line, stream) => {
        if (this.graph && waiting.length === 0) tracker.onLine(line, stream, monotonicMs());
        else waiting.push([line, stream, monotonicMs()]);
      },
      flush: async () => {
        await this.read;
        handOver();
      },
    };
  }
}

type Stream = 'stdout' | 'stderr';

interface LineConsumer {
  onLine(line: string, stream: Stream, at: number): void;
}
