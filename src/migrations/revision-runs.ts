/**
 * What alembic says about its work while it runs, read from its own output lines:
 * `Running upgrade A -> B, message` as it starts each revision, and a Python traceback (or a
 * `FAILED:` line) when it fails.
 */
import { monotonicMs } from '../clock.js';

export interface RevisionStep {
  direction: 'upgrade' | 'downgrade';
  /** The revision applied (upgrade) or undone (downgrade). */
  revision: string;
  from: string[];
  to: string[];
  message?: string;
}

export interface RevisionRun extends RevisionStep {
  durationMs: number;
  /** `failed`: alembic failed while running it. */
  outcome: 'done' | 'failed';
}

/** "e9d05b3a2c04 (seed data)": the id and, when it has one, the message. */
export function describeRevision(step: RevisionStep): string {
  return `${step.revision}${step.message ? ` (${step.message})` : ''}`;
}

/** "applied 4 revisions base -> e9d05b3a2c04 in 812 ms", or "rolled back 1 revision ...". */
export function summarise(runs: readonly RevisionRun[], elapsedMs: number): string {
  const first = runs[0];
  const last = runs.at(-1);
  if (!first || !last) return `no revision to run (${elapsedMs} ms)`;
  const end = (list: readonly string[]) => list.join(', ') || 'base';
  const to = last.direction === 'upgrade' ? last.revision : end(last.to);
  const verb = first.direction === 'upgrade' ? 'applied' : 'rolled back';
  return `${verb} ${runs.length} revision${runs.length === 1 ? '' : 's'} ${end(first.from)} -> ${to} in ${elapsedMs} ms`;
}

const RUNNING = /Running (upgrade|downgrade) (.*?) -> (.*)$/;

/**
 * One `Running upgrade|downgrade` line, or null. Alembic joins several revisions and the message
 * with the same ", ", so the revision ids are told apart from the message by `isRevision`.
 */
export function parseRunningLine(line: string, isRevision: (id: string) => boolean): RevisionStep | null {
  const match = RUNNING.exec(line);
  if (!match) return null;
  const [, direction, left = '', right = ''] = match;
  const from = left.split(',').map((part) => part.trim()).filter(Boolean);
  const parts = right.split(', ');
  const to: string[] = [];
  // An empty first part is the base (a downgrade of the first revision: "Running downgrade a1 -> , message").
  if (parts[0]?.trim() === '') parts.shift();
  else while (parts.length > 0 && isRevision(parts[0]?.trim() ?? '')) to.push((parts.shift() as string).trim());
  const message = parts.join(', ').trim() || undefined;
  const step = direction === 'upgrade' ? to[0] : from[0];
  if (step === undefined) return null;
  return { direction: direction as RevisionStep['direction'], revision: step, from, to, ...(message ? { message } : {}) };
}

/**
 * Follows alembic's lines as they arrive: times each revision from its `Running` line to the
 * next one (the last one to alembic's exit, so it includes the commit), and remembers the last
 * exception line, the one that says what went wrong.
 */
export class RevisionTracker {
  readonly runs: RevisionRun[] = [];
  private running: { step: RevisionStep; startedAt: number } | undefined;
  private inTraceback = false;
  private lastException: string | undefined;

  constructor(
    private readonly isRevision: (id: string) => boolean,
    private readonly onDone: (run: RevisionRun) => void = () => {},
    private readonly now: () => number = monotonicMs,
  ) {}

  /** `at`: when the line arrived, for a line read later than that (see migrate.ts, which holds lines until the scripts are read). */
  readonly onLine = (line: string, stream: 'stdout' | 'stderr', at = this.now()): void => {
    // Offline mode prints `-- Running upgrade A -> B` comments in its SQL, and SQL on stdout may start at the margin.
    const step = line.startsWith('--') ? null : parseRunningLine(line, this.isRevision);
    if (step) {
      this.finishRunning('done', at);
      this.running = { step, startedAt: at };
      return;
    }
    if (stream === 'stdout') return;
    if (line.startsWith('Traceback (most recent call last)')) {
      this.inTraceback = true;
    } else if (this.inTraceback && !/^\s/.test(line)) {
      // After the indented frames, the first line at the margin is "Type: message"; with chained
      // exceptions the last traceback's is the one that ended alembic.
      this.lastException = line.trim();
      this.inTraceback = false;
    } else {
      const failed = /^\s*FAILED: (.*)$/.exec(line);
      if (failed?.[1]) this.lastException = `FAILED: ${failed[1]}`;
    }
  };

  /** alembic exited: the revision still running finished with it, or failed. */
  end(succeeded: boolean): void {
    this.finishRunning(succeeded ? 'done' : 'failed');
  }

  /** After a failure: the revision alembic was running, and the last exception line it printed. */
  get failure(): { revision?: RevisionRun; exception?: string } {
    const failed = this.runs.find((run) => run.outcome === 'failed');
    return { ...(failed ? { revision: failed } : {}), ...(this.lastException ? { exception: this.lastException } : {}) };
  }

  private finishRunning(outcome: RevisionRun['outcome'], at = this.now()): void {
    if (!this.running) return;
    const run: RevisionRun = { ...this.running.step, durationMs: Math.round(at - this.running.startedAt), outcome };
    this.running = undefined;
    this.runs.push(run);
    this.onDone(run);
  }
}
