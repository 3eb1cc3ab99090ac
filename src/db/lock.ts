import { unlessAborted } from '../abort.js';
import type { DatabaseUrl } from '../config/database-url.js';
import { InterruptedError, SupervisorError } from '../errors.js';
import type { Connection } from './connect.js';
import { endSessionOf } from './sessions.js';

/**
 * One advisory lock key for every replica of every backend-supervisor on a database: while one
 * holds it, the others wait, then re-inspect. In pg_locks: locktype advisory, classid 1651741346, objid 4111992433.
 */
const LOCK_KEY = '7094175066633012849';

export interface LockOptions {
  /** For a side connection that ends an interrupted wait on the server. */
  url: DatabaseUrl;
  timeoutMs: number;
  signal: AbortSignal;
  /** Called once if another replica holds the lock, before waiting for it. */
  onContended: () => void;
}

/** Takes the migration lock on this connection's session; release it with releaseMigrationLock. */
export async function acquireMigrationLock(client: Connection, { url, timeoutMs, signal, onContended }: LockOptions): Promise<void> {
  // The lock lasts as long as this session: no role or database default may cut its wait short
  // (statement_timeout) or end the session while alembic runs (idle_session_timeout, PostgreSQL 14+).
  await client.query('SET statement_timeout = 0');
  await client.query('SET idle_session_timeout = 0').catch(() => {});
  const tried = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [LOCK_KEY]);
  if (tried.rows[0]?.locked) return;
  onContended();
  // lock_timeout 0 would mean "wait forever" to PostgreSQL; MIGRATION_LOCK_TIMEOUT=0 means "don't wait".
  if (timeoutMs === 0) throw lockTimeout(timeoutMs);
  try {
    await client.query(`SET lock_timeout = ${Math.round(timeoutMs)}`);
    await unlessAborted(client.query('SELECT pg_advisory_lock($1::bigint)', [LOCK_KEY]), signal);
  } catch (error) {
    if ((error as { code?: string }).code === '55P03') throw lockTimeout(timeoutMs);
    // Interrupted: the server would keep this session queued for the lock until it is granted.
    if (error instanceof InterruptedError) await endSessionOf(url, client);
    throw error;
  } finally {
    if (!signal.aborted) await client.query('RESET lock_timeout').catch(() => {});
  }
}

export async function releaseMigrationLock(client: Connection): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1::bigint)', [LOCK_KEY]).catch(() => {});
}

function lockTimeout(timeoutMs: number): SupervisorError {
  return new SupervisorError(
    'lockTimeout',
    `another replica held the migration lock for longer than MIGRATION_LOCK_TIMEOUT=${timeoutMs / 1000}s; check for a stuck migration (pg_locks where locktype = 'advisory') or raise MIGRATION_LOCK_TIMEOUT`,
  );
}
