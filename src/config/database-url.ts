import { parseIntoClientConfig } from 'pg-connection-string';
import type { ClientConfig } from 'pg';
import { SupervisorError } from '../errors.js';

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
const SCHEME = /^(postgres|postgresql)(?:\+([a-z0-9_]+))?:\/\//i;
// Drivers that hand the query parameters to libpq, which refuses any keyword it does not know.
const LIBPQ_DRIVERS = new Set([undefined, 'psycopg2', 'psycopg', 'psycopg2cffi']);

const PERCENT_ENCODE = "percent-encode them (@ as %40, / as %2F, : as %3A, ? as %3F, # as %23, % as %25, a space as %20), e.g. python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=\"\"))' 'PASSWORD'";

/**
 * libpq's connection keywords (PostgreSQL 17), and the values libpq accepts where it checks them.
 * A keyword or value libpq refuses would only fail later, inside alembic or the app.
 */
const LIBPQ_KEYWORDS: Record<string, readonly string[] | 'number' | 'any'> = {
  host: 'any', hostaddr: 'any', port: 'any', dbname: 'any', user: 'any', password: 'any', passfile: 'any',
  require_auth: 'any', channel_binding: ['disable', 'prefer', 'require'], connect_timeout: 'number',
  client_encoding: 'any', options: 'any', application_name: 'any', fallback_application_name: 'any',
  keepalives: 'number', keepalives_idle: 'number', keepalives_interval: 'number', keepalives_count: 'number',
  tcp_user_timeout: 'number', replication: 'any', gssencmode: ['disable', 'prefer', 'require'],
  sslmode: ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'], requiressl: ['0', '1'],
  sslnegotiation: ['postgres', 'direct'], sslcompression: ['0', '1'], sslcert: 'any', sslkey: 'any',
  sslpassword: 'any', sslcertmode: ['disable', 'allow', 'require'], sslrootcert: 'any', sslcrl: 'any',
  sslcrldir: 'any', sslsni: ['0', '1'], requirepeer: 'any', ssl_min_protocol_version: 'any',
  ssl_max_protocol_version: 'any', krbsrvname: 'any', gsslib: 'any', gssdelegation: ['0', '1'], service: 'any',
  target_session_attrs: ['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby'],
  load_balance_hosts: ['disable', 'random'],
};

const isPasswordKey = (key: string) => /password/i.test(key);

/** DATABASE_URL rejected before its parts are known: the value is never shown, it may hold the password. */
function unreadable(raw: string, why: string): SupervisorError {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1];
  const shown = scheme ? `${scheme}://… (the rest is not shown: it may hold the password)` : '(not shown: it may hold the password)';
  return new SupervisorError('config', `DATABASE_URL ${shown} is invalid: ${why}`, { variable: 'DATABASE_URL' });
}

function invalid(redacted: string, why: string): SupervisorError {
  return new SupervisorError('config', `DATABASE_URL=${JSON.stringify(redacted)} is invalid: ${why}`, { variable: 'DATABASE_URL' });
}

/** %XX sequences as libpq decodes them: a stray '%' or a NUL is an error there, so it is one here. */
function decode(text: string): string | undefined {
  if (/%(?![0-9a-f]{2})|%00/i.test(text)) return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

interface Parts {
  prefix: string;
  driver: string | undefined;
  user: string | undefined;
  password: string | undefined;
  /** host[:port][,host[:port]...] and /database, as written. */
  location: string;
  query: Array<[key: string, value: string]>;
}

/**
 * Splits DATABASE_URL the one way libpq, SQLAlchemy and node-postgres all agree on, or refuses it.
 * They part ways on unencoded '@', '/', ':', '?' or '#' in the user name or password (libpq takes
 * the first '@' before a '/', SQLAlchemy the first after the password's ':', node-postgres the last
 * before the path), on spaces, on '+' in the query (a space to SQLAlchemy and node-postgres, a '+'
 * to libpq) and on '#' (a fragment to node-postgres, text to the others).
 */
function split(raw: string): Parts {
  const scheme = SCHEME.exec(raw);
  if (!scheme) {
    const hint = /^jdbc:/i.test(raw)
      ? 'drop the "jdbc:" prefix: '
      : /^postgres(ql)?(\+\w+)?\s*:/i.test(raw)
        ? 'the scheme must be followed by "://" with no space: '
        : '';
    throw unreadable(raw, `${hint}expected postgresql://user:password@host:port/database (postgres:// and postgresql+driver:// are accepted too)`);
  }
  const rest = raw.slice(scheme[0].length);
  if (/[\s\x00-\x1f\x7f]/.test(rest)) throw unreadable(raw, `it holds a space or a control character; ${PERCENT_ENCODE}`);
  if (rest.includes('#')) throw unreadable(raw, `it holds an unencoded '#', which some drivers read as the end of the URL; ${PERCENT_ENCODE}`);
  const at = rest.indexOf('@');
  if (at !== rest.lastIndexOf('@')) throw unreadable(raw, `it holds more than one unencoded '@', so drivers disagree on where the password ends; ${PERCENT_ENCODE}`);
  const authorityEnd = rest.search(/[/?]/);
  if (at >= 0 && authorityEnd >= 0 && at > authorityEnd) {
    throw unreadable(raw, `an '@' follows a '/' or '?', so drivers disagree on the user name, password and host; if the user name or password holds '/', '?' or '@', ${PERCENT_ENCODE}`);
  }
  const userinfo = at >= 0 ? rest.slice(0, at) : undefined;
  const afterUserinfo = at >= 0 ? rest.slice(at + 1) : rest;
  const [user, password, ...extra] = userinfo === undefined ? [] : userinfo.split(':');
  if (extra.length > 0) throw unreadable(raw, `the password holds an unencoded ':'; ${PERCENT_ENCODE}`);
  if ((user !== undefined && decode(user) === undefined) || (password !== undefined && decode(password) === undefined)) {
    throw unreadable(raw, `the user name or password holds a '%' that does not start a %XX sequence; ${PERCENT_ENCODE}`);
  }
  const queryStart = afterUserinfo.indexOf('?');
  const location = queryStart >= 0 ? afterUserinfo.slice(0, queryStart) : afterUserinfo;
  const queryText = queryStart >= 0 ? afterUserinfo.slice(queryStart + 1) : '';
  const query: Array<[string, string]> = [];
  for (const parameter of queryStart >= 0 ? queryText.split('&') : []) {
    const [key = '', value, ...more] = parameter.split('=');
    if (value === undefined || more.length > 0 || parameter.includes('+') || decode(key) === undefined || decode(value) === undefined) {
      throw unreadable(raw, `a query parameter is empty or not of the form key=value with special characters percent-encoded ('+' as %2B, '=' as %3D, '&' as %26); ${PERCENT_ENCODE}`);
    }
    query.push([decode(key) as string, value]);
  }
  return { prefix: scheme[0], driver: scheme[2]?.toLowerCase(), user, password, location, query };
}

/** The URL with every password (user info, ?password=, ?sslpassword=) replaced by ***. */
function redactParts({ prefix, user, password, location, query }: Parts): string {
  const userinfo = user === undefined ? '' : `${user}${password === undefined ? '' : ':***'}@`;
  const parameters = query.map(([key, value], index) => (isPasswordKey(key) ? `${key}=***` : mayBePasswordTail(query, index) ? '…' : `${key}=${value}`)).join('&');
  return `${prefix}${userinfo}${location}${parameters ? `?${parameters}` : ''}`;
}

/**
 * An unencoded '&' in a ?password= or ?sslpassword= value splits the password: what follows reads as
 * more parameters. A parameter after a password that is no libpq keyword may be such a piece, so
 * neither the redacted URL nor a message shows it.
 */
function mayBePasswordTail(query: Parts['query'], index: number): boolean {
  const [key] = query[index] ?? [''];
  return !Object.hasOwn(LIBPQ_KEYWORDS, key) && query.slice(0, index).some(([earlier]) => isPasswordKey(earlier));
}

function checkParameters(parts: Parts, redacted: string): void {
  for (const [index, [key, rawValue]] of parts.query.entries()) {
    const allowed = Object.hasOwn(LIBPQ_KEYWORDS, key) ? LIBPQ_KEYWORDS[key] : undefined;
    if (allowed === undefined) {
      if (LIBPQ_DRIVERS.has(parts.driver)) {
        const named = mayBePasswordTail(parts.query, index) ? "a parameter after the password (an unencoded '&' or '=' in the password splits it: percent-encode '&' as %26 and '=' as %3D)" : `"${key}"`;
        throw invalid(redacted, `${named} is not a libpq connection parameter, so libpq (psycopg2) refuses it; see https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS`);
      }
      continue;
    }
    const value = decode(rawValue) as string;
    if (allowed === 'number' && !/^\d+$/.test(value)) throw invalid(redacted, `${key} must be a whole number`);
    if (Array.isArray(allowed) && !allowed.includes(value)) throw invalid(redacted, `${key} must be one of ${allowed.join(', ')}`);
  }
}

/**
 * Any spelling of a password in a DATABASE_URL, well-formed or not, for the log redactor: the
 * text between the last "://" (or the start) and the last '@', from its first ':' on; and the value
 * of any key=value whose key names a password.
 */
export function passwordSpellings(raw: string, ...passwords: unknown[]): string[] {
  const lastAt = raw.lastIndexOf('@');
  const schemeEnd = lastAt >= 0 ? raw.lastIndexOf('://', lastAt) : -1;
  const userinfo = lastAt >= 0 ? raw.slice(schemeEnd >= 0 ? schemeEnd + 3 : 0, lastAt) : '';
  const found = [
    userinfo.includes(':') ? userinfo.slice(userinfo.indexOf(':') + 1) : undefined,
    ...[...raw.matchAll(/([^\s?&=]*password)\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&#]+)/gi)].map((match) => match[2]?.replace(/^'(.*)'$/s, '$1')),
    ...passwords.map((password) => (typeof password === 'string' ? password : undefined)),
  ];
  return spellingsOf(found);
}

/** Each value as written, percent-decoded and JSON-escaped, longest first (so it is scrubbed first). */
function spellingsOf(values: ReadonlyArray<string | undefined>): string[] {
  const spellings = new Set<string>();
  for (const value of values) {
    if (!value) continue;
    for (const spelling of [value, decode(value) ?? value]) {
      spellings.add(spelling);
      spellings.add(JSON.stringify(spelling).slice(1, -1));
    }
  }
  return [...spellings].sort((a, b) => b.length - a.length);
}

/**
 * `pgPassword` is PGPASSWORD: libpq (psycopg2, asyncpg) and node-postgres all use it for a URL without a
 * password, which spares users percent-encoding a password in compose files; it is a secret all the same.
 */
export function parseDatabaseUrl(raw: string, pgPassword?: string): DatabaseUrl {
  if (raw !== raw.trim()) {
    throw unreadable(raw.trim(), 'it starts or ends with whitespace (a trailing newline from a secret file?), which the app would read as part of the URL: a password at the end would differ by it; remove it');
  }
  const parts = split(raw);
  const redacted = redactParts(parts);
  checkParameters(parts, redacted);
  const libpqUrl = `postgresql://${raw.slice(parts.prefix.length)}`;
  let client: ClientConfig;
  try {
    new URL(libpqUrl);
    client = parseIntoClientConfig(libpqUrl);
  } catch {
    // The user info is known to be fine by now: what is left to get wrong is the host or the port.
    throw invalid(redacted, 'not a valid URL: check the host and the port (a number from 1 to 65535)');
  }
  if (client.port !== undefined && !(Number.isInteger(client.port) && client.port > 0 && client.port < 65536)) {
    throw invalid(redacted, 'the port must be a number from 1 to 65535');
  }
  const queryPasswords = parts.query.filter(([key]) => isPasswordKey(key)).map(([, value]) => value);
  const secrets = spellingsOf([...passwordSpellings(raw, client.password, pgPassword), parts.password, ...queryPasswords]);
  return { raw, redacted, client, secrets };
}
