/** Naming the throwaway database and pointing the user's URL at it, in the user's own URL form. */
import { parseDatabaseUrl, type DatabaseUrl } from '../config/database-url.js';
import { SupervisorError } from '../errors.js';

// PostgreSQL cuts identifiers at 63 bytes (NAMEDATALEN - 1); a cut name would not be the one we drop.
const MAX_NAME_BYTES = 63;
const MARK = '_migtest_';

/** `<db>_migtest_<suffix>`, with `<db>` shortened so the whole name stays within 63 bytes. */
export function throwawayName(base: string, suffix: string): string {
  const room = MAX_NAME_BYTES - Buffer.byteLength(MARK + suffix);
  let kept = '';
  for (const char of base) {
    if (Buffer.byteLength(kept + char) > room) break;
    kept += char;
  }
  return `${kept}${MARK}${suffix}`;
}

/** The database a URL names; PostgreSQL's default is the user's name. */
export function databaseOf(url: DatabaseUrl): string {
  return url.client.database ?? url.client.user ?? 'postgres';
}

/**
 * `raw` with its database replaced by `database`, everything else (driver prefix, credentials,
 * query) left exactly as the user wrote it, since env.py reads it as it is.
 */
export function withDatabase(raw: string, database: string): string {
  const scheme = /^[a-z0-9+.-]+:\/\//i.exec(raw)?.[0] ?? '';
  const rest = raw.slice(scheme.length);
  // The host follows the last '@' of the credentials; a password may hold an unencoded '@' or '?'.
  const query = rest.indexOf('?');
  const beforeQuery = query === -1 ? rest : rest.slice(0, query);
  const at = beforeQuery.includes('@') ? beforeQuery.lastIndexOf('@') : rest.lastIndexOf('@');
  const hostStart = at + 1;
  const hostEnd = indexOfAny(rest, ['/', '?', '#'], hostStart);
  const pathEnd = rest[hostEnd] === '/' ? indexOfAny(rest, ['?', '#'], hostEnd) : hostEnd;
  const tail = rest.slice(pathEnd).replace(/([?&]dbname=)[^&#]*/g, (_, key: string) => `${key}${encodeURIComponent(database)}`);
  return `${scheme}${rest.slice(0, hostEnd)}/${encodeURIComponent(database)}${tail}`;
}

/** The user's URL pointed at `database`, checked: a URL we misread must never reach the user's own database. */
export function urlOfDatabase(url: DatabaseUrl, database: string, variable: string): DatabaseUrl {
  const rewritten = parseDatabaseUrl(withDatabase(url.raw, database));
  if (rewritten.client.database !== database) {
    throw new SupervisorError(
      'config',
      `cannot point ${variable}=${url.redacted} at the test database ${database} (read it as ${rewritten.redacted}); percent-encode the special characters of its password, or pass an empty database with --database-url`,
      { variable },
    );
  }
  return rewritten;
}

function indexOfAny(text: string, characters: string[], from: number): number {
  for (let index = from; index < text.length; index += 1) {
    if (characters.includes(text[index] as string)) return index;
  }
  return text.length;
}
