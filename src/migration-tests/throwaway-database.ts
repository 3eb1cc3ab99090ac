/** The database the checks run on: created and dropped on DATABASE_URL's server, or one given empty. */
import { randomBytes } from 'node:crypto';
import type { DatabaseUrl } from '../config/database-url.js';
import { connect, disconnect, type Connection } from '../db/connect.js';
import { SupervisorError } from '../errors.js';
import type { Logger } from '../log.js';
import { databaseOf, throwawayName, urlOfDatabase } from './database-name.js';
import { schemaObjects } from './schema-objects.js';

export interface TestDatabase {
  url: DatabaseUrl;
  throwaway: boolean;
  /** Drops a throwaway database; leaves a given one as it is. Never throws. */
  dispose: () => Promise<void>;
}

/**
 * The database to test on: the one given with --database-url, if empty; else a new one on the
 * server. `probe` gets the URL of a database that does not exist, before anything is created.
 */
export async function openTestDatabase(
  admin: Connection,
  { server, given, log, probe }: { server: DatabaseUrl; given: DatabaseUrl | undefined; log: Logger; probe: (url: DatabaseUrl) => Promise<void> },
): Promise<TestDatabase> {
  const suffix = randomBytes(4).toString('hex');
  if (given) {
    await requireEmpty(admin, given);
    await probe(urlOfDatabase(given, throwawayName(databaseOf(given), `probe_${suffix}`), '--database-url'));
    log.info({ event: 'database', database: given.redacted, throwaway: false }, `testing on ${given.redacted}`);
    return { url: given, throwaway: false, dispose: async () => {} };
  }
  const url = urlOfDatabase(server, throwawayName(databaseOf(server), suffix), 'DATABASE_URL');
  await probe(url);
  const name = databaseOf(url);
  await createThrowaway(admin, server, name);
  log.info({ event: 'database', database: url.redacted, throwaway: true }, `created the throwaway database ${name}`);
  return { url, throwaway: true, dispose: () => dropThrowaway(server, name, log) };
}

const CONNECT_TIMEOUT_MS = 10_000;
const DROP_ATTEMPTS = 3;

/** CREATE DATABASE from a connection to the user's database, which itself stays untouched. */
async function createThrowaway(admin: Connection, server: DatabaseUrl, name: string): Promise<void> {
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const user = server.client.user ?? 'the user';
    if (code === '42501') {
      throw new SupervisorError(
        'unavailable',
        `the user ${user} of DATABASE_URL may not create databases (no CREATEDB), and test-migrations needs one to throw away: grant it (ALTER ROLE ${user} CREATEDB) or create an empty database and pass its URL with --database-url`,
        { variable: 'DATABASE_URL' },
      );
    }
    throw new SupervisorError('unavailable', `cannot create the throwaway database ${name} on ${server.redacted}: ${message}`);
  }
}

/**
 * Drops the throwaway database, ending the sessions still in it first (a stopped alembic's lingers
 * until the server notices). A fresh connection: the run may have ended because the old one failed.
 */
async function dropThrowaway(server: DatabaseUrl, name: string, log: Logger): Promise<void> {
  let admin: Connection | undefined;
  try {
    admin = await connect(server, CONNECT_TIMEOUT_MS);
    for (let attempt = 1; ; attempt += 1) {
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)}`);
        log.info({ event: 'database', database: name }, `dropped the throwaway database ${name}`);
        return;
      } catch (error) {
        // 55006: a session came or stayed in between; end it again.
        if ((error as { code?: string }).code !== '55006' || attempt === DROP_ATTEMPTS) throw error;
      }
    }
  } catch (error) {
    log.error({ event: 'database', database: name }, `could not drop the throwaway database ${name} (${(error as Error).message}); drop it by hand: DROP DATABASE "${name}"`);
  } finally {
    await disconnect(admin);
  }
}

/** A database given with --database-url is migrated up and down: only an empty one may be. */
async function requireEmpty(db: Connection, url: DatabaseUrl): Promise<void> {
  const objects = await schemaObjects(db, { withVersionTable: true });
  if (objects.length === 0) return;
  const shown = objects.length > 5 ? `${objects.slice(0, 5).join(', ')} and ${objects.length - 5} more` : objects.join(', ');
  throw new SupervisorError('refused', `--database-url ${url.redacted} is not empty (${shown}); test-migrations upgrades and downgrades the database it tests: give it an empty one, or leave out --database-url to use a throwaway database`, { variable: '--database-url' });
}
