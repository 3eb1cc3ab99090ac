/**
 * DATABASE_URL shapes an operator could write, filled with random passwords over all printable
 * ASCII, and the exit code the README promises for each. Seeded, so a failure can be replayed.
 */

export { random } from './random.js';

const PRINTABLE = Array.from({ length: 95 }, (_, index) => String.fromCharCode(32 + index)).join('');

export function randomPassword(next: () => number, minLength = 8, maxLength = 20): string {
  const length = minLength + Math.floor(next() * (maxLength - minLength + 1));
  return Array.from({ length }, () => PRINTABLE[Math.floor(next() * PRINTABLE.length)]).join('');
}

export interface Target {
  user: string;
  /** host:port */
  host: string;
  database: string;
}

export interface UrlCase {
  shape: string;
  url: string;
  /** The secret that must never show, in any 4-character piece. */
  password: string;
  /** What the README promises, given a role `user` whose password is `password`. */
  expectedExit: number;
}

const enc = encodeURIComponent;
const AMBIGUOUS_IN_USERINFO = /[@/:?#\s]/;
const AMBIGUOUS_IN_QUERY = /[@#\s&=+]/;
const BAD_PERCENT = /%(?![0-9a-f]{2})|%00/i;

/** A '%' that is not %XX, %00, or bytes that are not UTF-8: drivers decode these differently, or refuse them. */
function badPercent(text: string): boolean {
  if (BAD_PERCENT.test(text)) return true;
  try {
    decodeURIComponent(text);
    return false;
  } catch {
    return true;
  }
}

/** A password written into the URL as is: refused where drivers could read it differently, else it must work as written. */
function rawUserinfoExit(password: string): number {
  if (AMBIGUOUS_IN_USERINFO.test(password) || badPercent(password)) return 64;
  // Percent sequences are decoded by every driver alike: then it is simply the wrong password.
  return decodeURIComponent(password) === password ? 0 : 69;
}

function rawQueryExit(password: string): number {
  return AMBIGUOUS_IN_QUERY.test(password) || badPercent(password) ? 64 : 0;
}

type Shape = (password: string, target: Target) => Omit<UrlCase, 'shape' | 'password'> & { password?: string };

export const SHAPES: Record<string, Shape> = {
  encoded: (pw, { user, host, database }) => ({ url: `postgresql://${user}:${enc(pw)}@${host}/${database}`, expectedExit: 0 }),
  'postgres:// encoded': (pw, { user, host, database }) => ({ url: `postgres://${user}:${enc(pw)}@${host}/${database}`, expectedExit: 0 }),
  'psycopg2 driver encoded': (pw, { user, host, database }) => ({ url: `postgresql+psycopg2://${user}:${enc(pw)}@${host}/${database}`, expectedExit: 0 }),
  'asyncpg driver encoded': (pw, { user, host, database }) => ({ url: `postgresql+asyncpg://${user}:${enc(pw)}@${host}/${database}`, expectedExit: 0 }),
  '?password= encoded': (pw, { user, host, database }) => ({ url: `postgresql://${user}@${host}/${database}?password=${enc(pw)}`, expectedExit: 0 }),
  '?sslpassword= encoded': (pw, { user, host, database }) => ({ url: `postgresql://${user}:${enc(pw)}@${host}/${database}?sslmode=disable&sslpassword=${enc(pw)}`, expectedExit: 0 }),
  raw: (pw, { user, host, database }) => ({ url: `postgresql://${user}:${pw}@${host}/${database}`, expectedExit: rawUserinfoExit(pw) }),
  "raw with an '@'": (pw, { user, host, database }) => {
    const password = `${pw.slice(0, 4)}@${pw.slice(4)}`;
    return { url: `postgresql://${user}:${password}@${host}/${database}`, expectedExit: 64, password };
  },
  '?sslpassword= raw': (pw, { user, host, database }) => ({ url: `postgresql://${user}:${enc(pw)}@${host}/${database}?sslpassword=${pw}`, expectedExit: rawQueryExit(pw) }),
  'no scheme': (pw, { user, host, database }) => ({ url: `${user}:${pw}@${host}/${database}`, expectedExit: 64 }),
  'jdbc:': (pw, { user, host, database }) => ({ url: `jdbc:postgresql://${user}:${enc(pw)}@${host}/${database}`, expectedExit: 64 }),
  'postgresql:/': (pw, { user, host, database }) => ({ url: `postgresql:/${user}:${enc(pw)}@${host}/${database}`, expectedExit: 64 }),
  'postgresql ://': (pw, { user, host, database }) => ({ url: `postgresql ://${user}:${enc(pw)}@${host}/${database}`, expectedExit: 64 }),
  "'/' in the user": (pw, { user, host, database }) => ({ url: `postgresql://${user}/ops:${enc(pw)}@${host}/${database}`, expectedExit: 64 }),
};

export function urlCase(shape: string, password: string, target: Target): UrlCase {
  const made = (SHAPES[shape] as Shape)(password, target);
  return { shape, password, ...made };
}

/** Every 4-character piece of the password, as written and percent-encoded. */
export function fragmentsOf(password: string, size = 4): string[] {
  const pieces = new Set<string>();
  for (const spelling of [password, enc(password)]) {
    for (let start = 0; start + size <= spelling.length; start += 1) pieces.add(spelling.slice(start, start + size));
  }
  return [...pieces];
}
