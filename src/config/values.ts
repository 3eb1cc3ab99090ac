import { configError } from '../errors.js';

/** Parsers for environment values: each names the variable and the bad value when it fails. */

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export function parseBoolean(variable: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value.trim() === '') return fallback;
  const normalised = value.trim().toLowerCase();
  if (TRUE.has(normalised)) return true;
  if (FALSE.has(normalised)) return false;
  throw configError(variable, value, 'expected one of true/false/1/0/yes/no/on/off');
}

// Node's timers and PostgreSQL's lock_timeout both stop at 2^31 - 1 ms (about 24.8 days).
const MAX_SECONDS = 2_147_483;

/** Seconds as a non-negative number (decimals allowed), returned in milliseconds. */
export function parseSeconds(variable: string, value: string | undefined, fallbackSeconds: number): number {
  if (value === undefined || value.trim() === '') return fallbackSeconds * 1000;
  const trimmed = value.trim();
  const seconds = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!(seconds <= MAX_SECONDS)) throw configError(variable, value, `expected a number of seconds from 0 to ${MAX_SECONDS}, e.g. 30`);
  return Math.round(seconds * 1000);
}

/** A whole number from 0 to `max`. */
export function parseCount(variable: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const count = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!(count <= max)) throw configError(variable, value, `expected a whole number from 0 to ${max}, e.g. ${fallback}`);
  return count;
}

export function parseChoice<T extends string>(
  variable: string,
  value: string | undefined,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === undefined || value.trim() === '') return fallback;
  const normalised = value.trim().toLowerCase();
  const match = choices.find((choice) => choice === normalised);
  if (match === undefined) throw configError(variable, value, `expected one of ${choices.join(', ')}`);
  return match;
}

/** A command line split on whitespace, never through a shell. */
export function parseCommand(variable: string, value: string | undefined, fallback: string[]): string[] {
  if (value === undefined) return fallback;
  const words = value.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) throw configError(variable, value, 'expected a command, e.g. "alembic" or "python -m alembic"');
  return words;
}

export interface VersionTableName {
  /** Unset: the table is found on the search path, as alembic finds it without version_table_schema. */
  schema?: string;
  table: string;
}

// Names as env.py passes them to alembic (version_table_schema, version_table): plain identifiers.
const IDENTIFIER = '[A-Za-z_][A-Za-z0-9_$]*';
const VERSION_TABLE = new RegExp(`^(?:(${IDENTIFIER})\\.)?(${IDENTIFIER})$`);

/** `[schema.]table`, as in env.py's context.configure(version_table_schema=..., version_table=...). */
export function parseVersionTable(variable: string, value: string | undefined): VersionTableName | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const match = VERSION_TABLE.exec(value.trim());
  if (!match?.[2]) throw configError(variable, value, 'expected [schema.]table as env.py sets version_table_schema and version_table, e.g. my_version or ver.alembic_version');
  return match[1] ? { schema: match[1], table: match[2] } : { table: match[2] };
}
