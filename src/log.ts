import { writeSync } from 'node:fs';
import pino, { type Logger } from 'pino';

export type { Logger };

export interface LogOptions {
  level: string;
  format: 'json' | 'pretty';
  /** Text that must never reach a log line (the database password in all its spellings). */
  secrets: readonly string[];
  /** 2 when stdout carries a report of its own (test-migrations --json). */
  fd?: 1 | 2;
}

/**
 * pino writing synchronously to stdout: a PID 1 may exit right after its last line, and
 * synchronous writes keep our lines in order with the app's own output.
 */
export function createLogger({ level, format, secrets, fd = 1 }: LogOptions): Logger {
  const destination = { write: (line: string) => writeLine(format === 'pretty' ? prettyLine(line) : line, fd) };
  return pino(
    {
      level,
      base: { name: 'backend-supervisor' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // The last line of defence: every serialised line is scrubbed, whatever put the secret there.
      hooks: { streamWrite: (line) => redact(line, secrets) },
    },
    destination,
  );
}

// Shorter secrets are only scrubbed where a password stands (after ':' or '=', before '@', '&', a
// quote, a space or the end): scrubbing every "b" of a line would garble it and give the password away.
const SCRUB_ANYWHERE_FROM = 6;

export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    result =
      secret.length >= SCRUB_ANYWHERE_FROM
        ? result.split(secret).join('***')
        : result.replace(new RegExp(`(?<=[:=])${escapeRegExp(secret)}(?=[@&"'\\s]|$)`, 'g'), '***');
  }
  return result;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const pause = new Int32Array(new SharedArrayBuffer(4));

function writeLine(line: string, fd: number): void {
  const buffer = Buffer.from(line);
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += writeSync(fd, buffer, offset);
    } catch (error) {
      // A non-blocking stdout pipe may be full while the log collector catches up: wait a
      // millisecond rather than spin. Anything else (stdout closed) drops the line.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

const HIDDEN_IN_PRETTY = new Set(['level', 'time', 'name', 'msg', 'event']);

function prettyLine(line: string): string {
  const entry = JSON.parse(line) as Record<string, unknown>;
  const time = String(entry.time ?? '').slice(11, 23);
  const level = String(entry.level ?? '').toUpperCase().padEnd(5);
  const event = entry.event ? `[${String(entry.event)}] ` : '';
  const fields = Object.entries(entry)
    .filter(([key]) => !HIDDEN_IN_PRETTY.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${time} ${level} ${event}${String(entry.msg ?? '')}${fields ? `  ${fields}` : ''}\n`;
}
