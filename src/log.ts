import { writeSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { prettyLine } from './log-pretty.js';

export type { Logger };

export interface LogOptions {
  level: string;
  format: 'json' | 'pretty';
  /** Text that must never reach a log line (the database password in all its spellings). */
  secrets: readonly string[];
  /** 2 when stdout carries a command's answer (`status`), 1 otherwise. */
  fd?: 1 | 2;
  /** ANSI colours in the pretty format (a terminal, no NO_COLOR). */
  colour?: boolean;
}

/**
 * pino writing synchronously to stdout: a PID 1 may exit right after its last line, and
 * synchronous writes keep our lines in order with the app's own output.
 */
export function createLogger({ level, format, secrets, fd = 1, colour = false }: LogOptions): Logger {
  const destination = { write: (line: string) => writeLine(fd, format === 'pretty' ? prettyLine(line, colour) : line) };
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

/**
 * Process warnings (e.g. pg-connection-string's multi-line SECURITY WARNING about sslmode) go
 * through the logger as one event, instead of Node's default lines on stderr.
 */
export function routeWarnings(current: () => Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => current().warn({ event: 'warning', warning: warning.name }, warning.message));
}

// Shorter secrets are only scrubbed where a password stands (after ':' or '=', before '@', '&', a
// quote, a space or the end): scrubbing every "b" of a line would garble it and give the password away.
const SCRUB_ANYWHERE_FROM = 6;

export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    // Most lines hold no secret: looking first spares a million alembic lines two copies each.
    if (!result.includes(secret)) continue;
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

// Made on first use: a V8 startup snapshot cannot hold a SharedArrayBuffer.
let pause: Int32Array | undefined;

/** A command's answer on stdout, written like the log lines: synchronously, before the process exits. */
export function writeOut(text: string): void {
  writeLine(1, text);
}

function writeLine(fd: number, line: string): void {
  const buffer = Buffer.from(line);
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += writeSync(fd, buffer, offset);
    } catch (error) {
      // A non-blocking stdout pipe may be full while the log collector catches up: wait a
      // millisecond rather than spin. Anything else (stdout closed) drops the line.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      Atomics.wait((pause ??= new Int32Array(new SharedArrayBuffer(4))), 0, 0, 1);
    }
  }
}
