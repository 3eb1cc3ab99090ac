import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/config/database-url.js';
import { databaseOf, throwawayName, urlOfDatabase, withDatabase } from '../../src/migration-tests/database-name.js';

describe('throwawayName', () => {
  it('is <db>_migtest_<suffix>', () => {
    expect(throwawayName('app', '0a1b2c3d')).toBe('app_migtest_0a1b2c3d');
  });

  it('shortens the database part so the whole name fits in 63 bytes, never splitting a character', () => {
    const long = throwawayName('x'.repeat(80), '0a1b2c3d');
    expect(long).toBe(`${'x'.repeat(46)}_migtest_0a1b2c3d`);
    expect(Buffer.byteLength(long)).toBe(63);
    const accented = throwawayName('é'.repeat(40), '0a1b2c3d');
    expect(accented).toBe(`${'é'.repeat(23)}_migtest_0a1b2c3d`);
    expect(Buffer.byteLength(accented)).toBe(63);
  });
});

describe('withDatabase', () => {
  it('replaces the database and keeps the driver prefix, the credentials and the query as written', () => {
    expect(withDatabase('postgresql+asyncpg://app:p%40ss@db:5432/app?ssl=require&application_name=x', 't1')).toBe('postgresql+asyncpg://app:p%40ss@db:5432/t1?ssl=require&application_name=x');
    expect(withDatabase('postgres://app@db/app#frag', 't1')).toBe('postgres://app@db/t1#frag');
  });

  it('adds a database to a URL without one', () => {
    expect(withDatabase('postgresql://app:pw@db:5432', 't1')).toBe('postgresql://app:pw@db:5432/t1');
    expect(withDatabase('postgresql://app:pw@db?sslmode=disable', 't1')).toBe('postgresql://app:pw@db/t1?sslmode=disable');
    expect(withDatabase('postgresql://db/', 't1')).toBe('postgresql://db/t1');
  });

  it('finds the host after a password with unencoded @, / or ?, and ignores an @ in the query', () => {
    expect(withDatabase('postgresql://app:p@ss@db:5432/app', 't1')).toBe('postgresql://app:p@ss@db:5432/t1');
    expect(withDatabase('postgresql://app:pa/ss?w@db:5432/app', 't1')).toBe('postgresql://app:pa/ss?w@db:5432/t1');
    expect(withDatabase('postgresql://app:pw@db/app?application_name=me@host', 't1')).toBe('postgresql://app:pw@db/t1?application_name=me@host');
    expect(withDatabase('postgresql://app:pw@[::1]:5432/app', 't1')).toBe('postgresql://app:pw@[::1]:5432/t1');
  });

  it('replaces a dbname given in the query too', () => {
    expect(withDatabase('postgresql://app@db/app?dbname=app&x=1', 't1')).toBe('postgresql://app@db/t1?dbname=t1&x=1');
  });

  it('every generated URL keeps its user, password, host and port and names the new database', () => {
    let seed = 11;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
    for (let run = 0; run < 300; run += 1) {
      const password = Array.from({ length: 1 + Math.floor(random() * 12) }, () => pick(['a', 'Z', '9', '-', '%40', '%2F', '%3F', '%23', '%25', '%3A'])).join('');
      const raw = `${pick(['postgresql', 'postgres', 'postgresql+psycopg2', 'postgresql+asyncpg'])}://${pick(['app', 'u_1'])}${pick([`:${password}`, ''])}@${pick(['db', '127.0.0.1', 'db.example.com'])}${pick(['', ':5432', ':6543'])}${pick(['', '/', '/app', '/my%20db'])}${pick(['', '?sslmode=disable', '?application_name=a&connect_timeout=3'])}`;
      const original = parseDatabaseUrl(raw);
      const moved = parseDatabaseUrl(withDatabase(raw, 'app_migtest_0a1b2c3d'));
      expect(moved.client.database, raw).toBe('app_migtest_0a1b2c3d');
      for (const key of ['user', 'password', 'host', 'port'] as const) expect(moved.client[key], `${key} of ${raw}`).toEqual(original.client[key]);
      expect(moved.raw.split('://')[0]).toBe(raw.split('://')[0]);
    }
  });
});

describe('urlOfDatabase', () => {
  it('points the URL at the database, with the password redacted in its printable form', () => {
    const url = urlOfDatabase(parseDatabaseUrl('postgresql+psycopg2://app:secret99@db/app'), 'app_migtest_0a1b2c3d', 'DATABASE_URL');
    expect(url.raw).toBe('postgresql+psycopg2://app:secret99@db/app_migtest_0a1b2c3d');
    expect(url.redacted).toBe('postgresql+psycopg2://app:***@db/app_migtest_0a1b2c3d');
    expect(databaseOf(url)).toBe('app_migtest_0a1b2c3d');
  });

  it('defaults the database to the user name, as PostgreSQL does', () => {
    expect(databaseOf(parseDatabaseUrl('postgresql://app@db'))).toBe('app');
  });
});
