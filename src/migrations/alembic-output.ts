import type { Readable } from 'node:stream';
import type { Logger } from '../log.js';

/**
 * Alembic's output as it streams: every line is re-emitted at once and then forgotten, so a
 * revision printing millions of lines, or one endless line, costs no memory. Kept are only the
 * last line, the step alembic was running, and a Python traceback (bounded), which is held back
 * and logged once, at error level, when alembic fails.
 */

/** Longer lines are cut here, with a note of how much was dropped. */
export const MAX_LINE_BYTES = 16_384;
const TRACEBACK_LINES = 200;

export type StreamName = 'stdout' | 'stderr';

/**
 * Splits a byte stream into lines, never holding more than MAX_LINE_BYTES of one line. Lines are
 * cut from the bytes ('\n' never occurs inside a UTF-8 sequence), so no chunk-sized string
 * lingers behind them: the garbage of a million lines stays short-lived.
 */
export async function readLines(stream: Readable | null, onLine: (line: string) => void): Promise<void> {
  if (!stream) return;
  let pieces: Buffer[] = [];
  let kept = 0;
  let dropped = 0;
  const add = (bytes: Buffer) => {
    const room = MAX_LINE_BYTES - kept;
    const piece = bytes.length <= room ? bytes : bytes.subarray(0, room);
    if (piece.length > 0) pieces.push(Buffer.from(piece));
    kept += piece.length;
    dropped += bytes.length - piece.length;
  };
  const end = () => {
    let text = (pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces)).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    onLine(dropped > 0 ? `${text} … [${dropped} more bytes dropped]` : text);
    pieces = [];
    kept = 0;
    dropped = 0;
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline >= 0; newline = chunk.indexOf(10, start)) {
      if (pieces.length === 0 && newline - start <= MAX_LINE_BYTES) {
        let text = chunk.toString('utf8', start, newline);
        if (text.endsWith('\r')) text = text.slice(0, -1);
        onLine(text);
      } else {
        add(chunk.subarray(start, newline));
        end();
      }
      start = newline + 1;
    }
    if (start < chunk.length) add(chunk.subarray(start));
  }
  if (pieces.length > 0 || dropped > 0) end();
}

/** What alembic said about a failure, read from its output. */
export interface AlembicFailure {
  /** The step it was running, e.g. "upgrade e9d05b3a2c04 -> f00000000bad". */
  step?: string;
  /** The revision that step runs (or undoes). */
  revision?: string;
  /**
   * The last line of the exception, e.g. "sqlalchemy.exc.DataError: (psycopg2.errors.DivisionByZero)
   * division by zero"; without a traceback, alembic's "FAILED: ..." or else the last line it printed.
   */
  exception?: string;
}

const STEP = /Running (upgrade|downgrade|stamp_revision) (\S*) ?-> ([^,\s]*)/;
const LOG_LINE = /^(INFO|WARNING|WARN|ERROR|DEBUG|CRITICAL)\s+\[/;
const FRAME = /^\s+File "/;

export class AlembicOutput {
  private lastLine: string | undefined;
  private traceback: string[] | undefined;
  private tracebackOmitted = 0;
  private sawFrame = false;
  private exception: string | undefined;
  private step: { kind: string; from: string; to: string } | undefined;
  /** stdout, for the runs whose output the supervisor reads (`alembic history`). */
  readonly stdout: string[] = [];

  constructor(
    private readonly log: Logger,
    private readonly level: 'info' | 'debug',
    private readonly keepStdout: boolean,
  ) {}

  line(stream: StreamName, line: string): void {
    if (line.trim() === '') return;
    if (stream === 'stdout' && this.keepStdout) this.stdout.push(line);
    this.lastLine = line;
    const step = STEP.exec(line);
    if (step) this.step = { kind: step[1] as string, from: step[2] as string, to: step[3] as string };
    if (/^FAILED: /.test(line)) this.exception = line;

    if (line.startsWith('Traceback (most recent call last)')) {
      this.traceback ??= [];
      this.sawFrame = false;
    } else if (this.traceback && LOG_LINE.test(line)) {
      // A traceback alembic went on after was not fatal: show it now, as a warning.
      this.flushTraceback('warn', 'alembic printed a traceback and carried on');
    }
    if (!this.traceback) {
      this.log[this.level]({ event: 'alembic', stream }, line);
      return;
    }
    this.traceback.push(line);
    if (this.traceback.length > TRACEBACK_LINES) {
      this.traceback.splice(1, 1);
      this.tracebackOmitted += 1;
    }
    if (FRAME.test(line)) this.sawFrame = true;
    else if (this.sawFrame && !/^\s/.test(line)) {
      // The first unindented line after the frames is the exception; later ones continue its message.
      this.exception = line;
      this.sawFrame = false;
    }
  }

  /** Logs a held-back traceback: once, at error level when alembic failed. */
  finish(failed: boolean): void {
    if (failed) this.flushTraceback('error', `alembic failed: ${this.exception ?? 'see the traceback'}`);
    else this.flushTraceback('warn', 'alembic printed a traceback and succeeded');
  }

  failure(): AlembicFailure {
    const step = this.step;
    // Without a traceback, the last line may still say what went wrong ("No module named alembic"); a log line does not.
    const exception = this.exception ?? (this.lastLine !== undefined && !LOG_LINE.test(this.lastLine) ? this.lastLine : undefined);
    return {
      ...(step ? { step: `${step.kind.replace('_revision', '')} ${step.from || 'base'} -> ${step.to}`, revision: step.kind === 'downgrade' ? step.from : step.to } : {}),
      ...(exception ? { exception } : {}),
    };
  }

  private flushTraceback(level: 'warn' | 'error', message: string): void {
    if (!this.traceback) return;
    const lines = this.tracebackOmitted > 0 ? [this.traceback[0] as string, `  … ${this.tracebackOmitted} lines omitted …`, ...this.traceback.slice(1)] : this.traceback;
    this.log[level]({ event: 'alembic', stream: 'stderr', traceback: lines.join('\n') }, message);
    this.traceback = undefined;
    this.tracebackOmitted = 0;
  }
}
