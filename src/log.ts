import { writeSync } from 'node:fs';
import { prettyLine } from './log-pretty.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
type Method = Exclude<LogLevel, 'silent'>;

/** One event: its fields (`event` first by convention, an `err` is serialised) and its message. */
export type Logger = Record<Method, (fields: Record<string, unknown>, message?: string) => void>;

export interface LogOptions {
  level: LogLevel | string;
  format: 'json' | 'pretty';
  /** Text that must never reach a log line (the database password in all its spellings). */
  secrets: readonly string[];
  /** 2 when stdout carries a command's answer (`status`), 1 otherwise. */
  fd?: 1 | 2;
  /** ANSI colours in the pretty format (a terminal, no NO_COLOR). */
  colour?: boolean;
  /** Where a finished line goes; by default written synchronously to `fd`. */
  write?: (line: string) => void;
}

/**
 * JSON lines written synchronously: a PID 1 may exit right after its last line, and synchronous
 * writes keep our lines in order with the app's own output. The shape is pino's (`level` as a
 * label, ISO `time`, `name`, the fields, `msg`; an `err` as type, message, stack and its own
 * fields), which log shippers already parse; pino itself is not used, because loading it (with
 * sonic-boom, worker_threads and assert) cost about a quarter of a bare node start, at every
 * container start, for a logger this one function covers (README, "Why each dependency is there").
 */
export function createLogger({ level, format, secrets, fd = 1, colour = false, write = (line) => writeLine(fd, line) }: LogOptions): Logger {
  // LOG_LEVEL is checked by the configuration; a level it never saw still logs what matters.
  const known = LOG_LEVELS.indexOf(level as LogLevel);
  const threshold = level === 'silent' ? -1 : known >= 0 ? known : LOG_LEVELS.indexOf('info');
  const method = (name: Method) => {
    if (LOG_LEVELS.indexOf(name) > threshold) return () => {};
    return (fields: Record<string, unknown>, message?: string) => {
      // The last line of defence: every serialised line is scrubbed, whatever put the secret there.
      const line = `${redact(serialise(name, fields, message), secrets)}\n`;
      write(format === 'pretty' ? prettyLine(line, colour) : line);
    };
  };
  return { fatal: method('fatal'), error: method('error'), warn: method('warn'), info: method('info'), debug: method('debug'), trace: method('trace') };
}

function serialise(level: Method, fields: Record<string, unknown>, message: string | undefined): string {
  const entry = { level, time: new Date().toISOString(), name: 'backend-supervisor', ...fields, msg: message };
  try {
    return JSON.stringify(entry, plainValue);
  } catch {
    // A circular structure: mark every object met twice, rather than lose the event.
    const seen = new WeakSet<object>();
    return JSON.stringify(entry, (key, value: unknown) => {
      if (typeof value !== 'object' || value === null) return plainValue(key, value);
      if (seen.has(value)) return '[Circular]';
      seen.add(value);
      return plainValue(key, value);
    });
  }
}

function plainValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  return value instanceof Error ? serialiseError(value) : value;
}

function serialiseError(error: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = { type: error.constructor.name, message: error.message, stack: error.stack };
  for (const [key, value] of Object.entries(error)) fields[key] ??= value;
  if (error.cause !== undefined) fields.cause ??= error.cause;
  return fields;
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
