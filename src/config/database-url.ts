import { parseIntoClientConfig } from 'pg-connection-string';
import type { ClientConfig } from 'pg';
import { configError } from '../errors.js';

/** DATABASE_URL as the app and alembic get it (unchanged), and what the supervisor needs of it. */
export interface DatabaseUrl {
  /** Passed on untouched to the app and to alembic. */
  readonly raw: string;
  /** Safe to print: the password replaced by ***. */
  readonly redacted: string;
  /** What node-postgres connects with. */
  readonly client: ClientConfig;
  /** Every spelling of the password that could show up in text, for the log redactor. */
  readonly secrets: readonly string[];
}

// SQLAlchemy names a driver after '+', e.g. postgresql+asyncpg://; libpq only knows the dialect.
const SCHEME = /^(postgres|postgresql)(\+[a-z0-9_]+)?:\/\//i;
// The password of scheme://user:password@host runs to the LAST '@': a password with an unencoded
// '@', '/', '?' or '#' in it must still be found, even in a URL that is otherwise malformed.
const USERINFO_PASSWORD = /^([a-z0-9+.-]+:\/\/[^:/?#@]*:)(.*)@(?=[^@]*$)/is;
// ?password=... in a URL, and password=... in a libpq keyword string given by mistake.
const KEYWORD_PASSWORD = /(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&#]+)/gi;

export function redactUrl(url: string): string {
  return url.replace(USERINFO_PASSWORD, '$1***@').replace(KEYWORD_PASSWORD, '$1***');
}

/** Every spelling of the password(s) in a DATABASE_URL, well-formed or not, and of `passwords` given apart, for the log redactor. */
export function passwordSpellings(raw: string, ...passwords: unknown[]): string[] {
  const found = [
    USERINFO_PASSWORD.exec(raw)?.[2],
    ...[...raw.matchAll(KEYWORD_PASSWORD)].map((match) => match[2]?.replace(/^'(.*)'$/s, '$1')),
    ...passwords.map((password) => (typeof password === 'string' ? password : undefined)),
  ];
  const spellings = new Set<string>();
  for (const value of found) {
    if (!value) continue;
    for (const spelling of [value, safeDecode(value)]) {
      spellings.add(spelling);
      spellings.add(JSON.stringify(spelling).slice(1, -1));
    }
  }
  return [...spellings].sort((a, b) => b.length - a.length);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * `pgPassword` is PGPASSWORD: libpq (psycopg2, asyncpg) and node-postgres all use it for a URL without a
 * password, which spares users percent-encoding a password in compose files; it is a secret all the same.
 */
export function parseDatabaseUrl(raw: string, pgPassword?: string): DatabaseUrl {
  const redacted = redactUrl(raw);
  const scheme = SCHEME.exec(raw);
  if (!scheme) {
    throw configError('DATABASE_URL', redacted, 'expected postgresql://user:password@host:port/database (postgres:// and postgresql+driver:// are accepted too)');
  }
  const libpqUrl = `postgresql://${raw.slice(scheme[0].length)}`;
  let client: ClientConfig;
  try {
    new URL(libpqUrl);
    client = parseIntoClientConfig(libpqUrl);
  } catch {
    throw configError('DATABASE_URL', redacted, 'not a valid URL; percent-encode special characters in the user name and password');
  }
  if (client.port !== undefined && !(Number.isInteger(client.port) && client.port > 0 && client.port < 65536)) {
    throw configError('DATABASE_URL', redacted, 'the port must be a number from 1 to 65535');
  }
  return { raw, redacted, client, secrets: passwordSpellings(raw, client.password, pgPassword) };
}
