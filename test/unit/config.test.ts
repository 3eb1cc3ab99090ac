import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { parseDatabaseUrl, passwordSpellings } from '../../src/config/database-url.js';
import { parseBoolean, parseCommand, parseSeconds } from '../../src/config/values.js';
import { SupervisorError } from '../../src/errors.js';

function configError(run: () => unknown): SupervisorError {
  try {
    run();
  } catch (error) {
    if (error instanceof SupervisorError) return error;
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('booleans', () => {
  it.each(['true', 'TRUE', '1', 'yes', 'Yes', 'on', ' on '])('%s is true', (value) => {
    expect(parseBoolean('X', value, false)).toBe(true);
  });
  it.each(['false', 'False', '0', 'no', 'NO', 'off'])('%s is false', (value) => {
    expect(parseBoolean('X', value, true)).toBe(false);
  });
  it('unset or empty takes the default', () => {
    expect(parseBoolean('X', undefined, true)).toBe(true);
    expect(parseBoolean('X', '', false)).toBe(false);
  });
  it('anything else names the variable and the value', () => {
    const error = configError(() => parseBoolean('RUN_MIGRATIONS', 'maybe', true));
    expect(error.exitCode).toBe(64);
    expect(error.message).toBe('RUN_MIGRATIONS="maybe" is invalid: expected one of true/false/1/0/yes/no/on/off');
  });
});

describe('seconds', () => {
  it('reads whole and decimal seconds as milliseconds', () => {
    expect(parseSeconds('T', '60', 1)).toBe(60_000);
    expect(parseSeconds('T', '0.25', 1)).toBe(250);
    expect(parseSeconds('T', '0', 1)).toBe(0);
    expect(parseSeconds('T', undefined, 10)).toBe(10_000);
  });
  it('accepts up to the longest a timer can wait', () => {
    expect(parseSeconds('T', '2147483', 1)).toBe(2_147_483_000);
  });
  it.each(['ten', '-1', '1e3', '5s', 'Infinity', '0x10', '2200000'])('rejects %s', (value) => {
    expect(configError(() => parseSeconds('DB_WAIT_TIMEOUT', value, 60)).message).toContain(`DB_WAIT_TIMEOUT="${value}"`);
  });
});

describe('ALEMBIC_COMMAND', () => {
  it('splits on whitespace, never through a shell', () => {
    expect(parseCommand('C', 'python  -m alembic', ['alembic'])).toEqual(['python', '-m', 'alembic']);
    expect(parseCommand('C', 'alembic; rm -rf /', ['alembic'])).toEqual(['alembic;', 'rm', '-rf', '/']);
    expect(parseCommand('C', undefined, ['alembic'])).toEqual(['alembic']);
  });
  it('rejects an empty command', () => {
    expect(configError(() => parseCommand('ALEMBIC_COMMAND', '  ', ['alembic'])).message).toContain('ALEMBIC_COMMAND');
  });
});

describe('DATABASE_URL', () => {
  it.each([
    'postgresql://app:pw@db:5432/app',
    'postgres://app:pw@db:5432/app',
    'postgresql+psycopg2://app:pw@db:5432/app',
    'postgresql+asyncpg://app:pw@db:5432/app',
  ])('accepts %s and keeps it unchanged', (raw) => {
    const url = parseDatabaseUrl(raw);
    expect(url.raw).toBe(raw);
    expect(url.client).toMatchObject({ host: 'db', port: 5432, database: 'app', user: 'app', password: 'pw' });
    expect(url.redacted).not.toContain(':pw@');
  });

  it("leaves a non-libpq driver's own query parameters alone, but still checks libpq's", () => {
    expect(parseDatabaseUrl('postgresql+asyncpg://app:pw@db/app?prepared_statement_cache_size=0').redacted).toBe('postgresql+asyncpg://app:***@db/app?prepared_statement_cache_size=0');
    expect(configError(() => parseDatabaseUrl('postgresql+asyncpg://app:pw@db/app?sslmode=bogus')).exitCode).toBe(64);
  });

  it('decodes a percent-encoded password and redacts every spelling of it', () => {
    const url = parseDatabaseUrl('postgresql://app:p%40ss%3Aw%2Frd@db/app');
    expect(url.client.password).toBe('p@ss:w/rd');
    expect(url.redacted).toBe('postgresql://app:***@db/app');
    expect(url.secrets).toEqual(expect.arrayContaining(['p@ss:w/rd', 'p%40ss%3Aw%2Frd']));
  });

  it('redacts a password given as a query parameter, sslpassword too', () => {
    expect(parseDatabaseUrl('postgresql://db/app?user=app&password=hunter2&sslmode=disable').redacted).toBe('postgresql://db/app?user=app&password=***&sslmode=disable');
    expect(parseDatabaseUrl('postgresql://db/app?password=hunter2').secrets).toContain('hunter2');
    const ssl = parseDatabaseUrl('postgresql://app@db/app?sslpassword=k3y%26pass');
    expect(ssl.redacted).toBe('postgresql://app@db/app?sslpassword=***');
    expect(ssl.secrets).toEqual(expect.arrayContaining(['k3y%26pass', 'k3y&pass']));
  });

  it("never shows a piece of a query password that an unencoded '&' split off (seed 370352253)", () => {
    // libpq drivers refuse the piece as an unknown keyword: the message names neither it nor its value.
    const refused = configError(() => parseDatabaseUrl('postgresql://app:x@db/app?sslpassword=:\\&6Po;;g9=64nTn0'));
    expect(refused.exitCode).toBe(64);
    expect(refused.message).toMatch(/a parameter after the password .*'&' as %26/);
    for (const piece of ['6Po', 'g9=', '64nT']) expect(refused.message).not.toContain(piece);
    // Other drivers accept unknown parameters: the logged URL hides those after a password, keeps libpq's own.
    const accepted = parseDatabaseUrl('postgresql+asyncpg://app@db/app?sslmode=disable&password=ab&cd=ef&connect_timeout=5');
    expect(accepted.redacted).toBe('postgresql+asyncpg://app@db/app?sslmode=disable&password=***&…&connect_timeout=5');
  });

  it('keeps a JSON-escaped spelling of a password with quotes or backslashes', () => {
    const url = parseDatabaseUrl(`postgresql://app:${encodeURIComponent('a"b\\c')}@db/app`);
    expect(url.secrets).toContain('a\\"b\\\\c');
  });

  it.each([
    ['postgresql://app:hunter/2secret@db/x', 'hunter/2secret'],
    ['postgresql://app:hunter#2secret@db/x', 'hunter#2secret'],
    ['postgresql://app:hun@ter2secret@db/x', 'hun@ter2secret'],
    ['host=db user=app password=hunter2secret dbname=x', 'hunter2secret'],
    ["host=db password='hunter 2secret' dbname=x", 'hunter 2secret'],
    ['user:hunter2secret@db/x', 'hunter2secret'],
    ['jdbc:postgresql://app:hunter2secret@db/x', 'hunter2secret'],
    ['postgresql://db/x?sslpassword=hunter2secret', 'hunter2secret'],
  ])('finds the password of %s for the log redactor, even unencoded or not a URL', (raw, password) => {
    expect(passwordSpellings(raw)).toContain(password);
  });

  it.each([
    ['mysql://app:pw@db/app', /^DATABASE_URL mysql:\/\/… \(the rest is not shown.*expected postgresql:\/\//],
    ['db:5432/app', /^DATABASE_URL \(not shown.*expected postgresql:\/\//],
    ['jdbc:postgresql://app:pw@db/app', /drop the "jdbc:" prefix/],
    ['postgresql ://app:pw@db/app', /followed by ":\/\/" with no space/],
    ['postgresql:/app:pw@db/app', /followed by ":\/\/"/],
    ['postgresql://app:Tr0ub@dor3@db/app', /more than one unencoded '@'.*@ as %40/],
    ['postgresql://app:Tr0ub/dor3@db/app', /an '@' follows a '\/' or '\?'/],
    ['postgresql://app/ops:pw@db/app', /an '@' follows a '\/' or '\?'/],
    ['postgresql://app:Tr0ub:dor3@db/app', /unencoded ':'/],
    ['postgresql://app:Tr0ub#dor3@db/app', /unencoded '#'/],
    ['postgresql://app:Tr0ub dor3@db/app', /space/],
    ['postgresql://app:Tr0ub%zzdor3@db/app', /'%' that does not start a %XX/],
    ['postgresql://app:pw@db/app?sslpassword=a+b', /'\+' as %2B/],
    ['postgresql://app:pw@db/app?sslmode=bogus', /sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full$/],
    ['postgresql://app:pw@db/app?constructor=x', /"constructor" is not a libpq connection parameter/],
    ['postgresql://app:pw@db/app?connect_timeout=soon', /connect_timeout must be a whole number$/],
    ['postgresql://app:pw@db:99999/app', /^DATABASE_URL="postgresql:\/\/app:\*\*\*@db:99999\/app" is invalid: .*the port/],
    ['postgresql://app:pw@db:port/app', /^DATABASE_URL="postgresql:\/\/app:\*\*\*@db:port\/app" is invalid/],
    // The app reads the variable as it is: a value at the end would differ by the whitespace.
    ['postgresql://app:pw@db/app?sslpassword=Tr0ubdor3 ', /starts or ends with whitespace/],
    ['postgresql://app:pw@db/app\n', /^DATABASE_URL postgresql:\/\/… \(the rest is not shown.*trailing newline from a secret file/],
    [' postgresql://app:pw@db/app', /starts or ends with whitespace/],
  ])('rejects %s without showing the password', (raw, reason) => {
    const error = configError(() => parseDatabaseUrl(raw));
    expect(error.exitCode).toBe(64);
    expect(error.message).toMatch(reason);
    for (const piece of ['pw@', 'Tr0ub', 'dor3']) expect(error.message).not.toContain(piece);
  });
});

describe('loadConfig', () => {
  it('has the contract defaults', () => {
    const config = loadConfig({}, '/app');
    expect(config).toMatchObject({
      databaseUrl: undefined,
      runMigrations: true,
      alembicConfig: '/app/alembic.ini',
      alembicCommand: ['alembic'],
      dbWaitTimeoutMs: 60_000,
      migrationTimeoutMs: 0,
      migrationLockTimeoutMs: 300_000,
      onMigrationFailure: 'continue',
      unversionedDatabase: 'stamp',
      shutdownTimeoutMs: 8_000,
      shutdownDelayMs: 0,
      signalMap: new Map(),
      signalProcessGroup: false,
      logLevel: 'info',
      logFormat: 'json',
    });
  });

  it('runs migrations only when RUN_MIGRATIONS is true and SKIP_MIGRATIONS is false', () => {
    expect(loadConfig({ RUN_MIGRATIONS: 'true', SKIP_MIGRATIONS: 'false' }, '/').runMigrations).toBe(true);
    expect(loadConfig({ RUN_MIGRATIONS: 'false', SKIP_MIGRATIONS: 'false' }, '/').runMigrations).toBe(false);
    expect(loadConfig({ RUN_MIGRATIONS: 'true', SKIP_MIGRATIONS: 'true' }, '/').runMigrations).toBe(false);
    expect(loadConfig({ RUN_MIGRATIONS: 'false', SKIP_MIGRATIONS: 'true' }, '/').runMigrations).toBe(false);
  });

  it('resolves ALEMBIC_CONFIG against the working directory', () => {
    expect(loadConfig({ ALEMBIC_CONFIG: 'deploy/alembic.ini' }, '/srv').alembicConfig).toBe('/srv/deploy/alembic.ini');
    expect(loadConfig({ ALEMBIC_CONFIG: '/app/alembic.ini' }, '/srv').alembicConfig).toBe('/app/alembic.ini');
  });

  it.each([
    ['ON_MIGRATION_FAILURE', 'ignore'],
    ['UNVERSIONED_DATABASE', 'drop'],
    ['LOG_LEVEL', 'verbose'],
    ['LOG_FORMAT', 'xml'],
    ['SHUTDOWN_TIMEOUT', 'soon'],
  ])('%s=%s is a configuration error naming both', (variable, value) => {
    const error = configError(() => loadConfig({ [variable]: value }, '/'));
    expect(error.exitCode).toBe(64);
    expect(error.message).toContain(`${variable}="${value}"`);
  });
});
