import { setTimeout as sleep } from 'node:timers/promises';
import { unlessAborted } from '../abort.js';
import { InterruptedError, SupervisorError } from '../errors.js';
import { disconnect, type Connection } from './connect.js';
import { asConnectionLost, ConnectionLostError, isConnectionLost } from './connection-errors.js';

/**
 * One advisory lock key for every replica of every backend-supervisor on a database: while one
 * holds it, the others wait, then re-inspect. In pg_locks: locktype advisory, classid 1651741346, objid 4111992433.
 */
const LOCK_KEY = '7094175066633012849';

/** The session holding the migration lock, as pg_locks and pg_stat_activity show it. */
export interface LockHolder {
  pid: number;
  applicationName: string | null;
  clientAddr: string | null;
  /** When the holding session connected: about when it took the lock. */
  since: string | null;
  state: string | null;
  /** Its current (or last) statement, cut at 100 characters. */
  query: string | null;
}

export interface LockWaitOptions {
  timeoutMs: number;
  signal: AbortSignal;
  /** A new connection, waiting out a database that is down (DB_WAIT_TIMEOUT, then 69). */
  connect: () => Promise<Connection>;
  /** Called when the wait starts and every few seconds while it lasts, naming who holds the lock. */
  onWaiting: (holder: LockHolder | undefined, waitedMs: number, first: boolean) => void;
}

// Each check is a short connection of its own: a waiting replica holds none between checks, so
// tens of replicas waiting never take the connections the migrating one needs (max_connections).
const POLL_MS = 1_000;
const REPORT_EVERY_MS = 5_000;

/**
 * Takes the migration lock on `client`'s session if it is free. The lock lasts as long as the
 * session: no role or database default may end it while alembic runs (idle_session_timeout,
 * PostgreSQL 14+), nor cut a statement on it short (statement_timeout).
 */
export async function tryMigrationLock(client: Connection): Promise<boolean> {
  try {
    await client.query('SET statement_timeout = 0');
    await client.query('SET idle_session_timeout = 0').catch(() => {});
    const tried = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [LOCK_KEY]);
    return tried.rows[0]?.locked === true;
  } catch (error) {
    throw asConnectionLost(error, 'taking the migration lock');
  }
}

/**
 * Waits for the lock held by another session, checking on a new short connection every
 * ~POLL_MS (jittered, so replicas spread out). Resolves with the connection that holds it.
 */
export async function waitForMigrationLock({ timeoutMs, signal, connect, onWaiting }: LockWaitOptions): Promise<Connection> {
  const started = Date.now();
  let holder: LockHolder | undefined;
  let reportedAt: number | undefined;
  for (;;) {
    const client = await unlessAborted(connect(), signal);
    let locked = false;
    try {
      locked = await unlessAborted(tryMigrationLock(client), signal);
      if (locked) return client;
      holder = (await unlessAborted(lockHolder(client), signal)) ?? holder;
    } catch (error) {
      // Lost mid-check (a restart): the next check's connect waits for the database.
      if (!(error instanceof ConnectionLostError) && !isConnectionLost(error)) throw error;
    } finally {
      // pg_try_advisory_lock never queues: closing leaves nothing waiting on the server.
      if (!locked) await disconnect(client);
    }
    const waitedMs = Date.now() - started;
    if (reportedAt === undefined || Date.now() - reportedAt >= REPORT_EVERY_MS) {
      onWaiting(holder, waitedMs, reportedAt === undefined);
      reportedAt = Date.now();
    }
    if (waitedMs >= timeoutMs) throw lockTimeout(timeoutMs, holder);
    await sleep(Math.min(POLL_MS * (0.5 + Math.random()), timeoutMs - waitedMs), undefined, { signal }).catch(() => {
      throw new InterruptedError(signal.reason as NodeJS.Signals);
    });
  }
}

export async function releaseMigrationLock(client: Connection): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1::bigint)', [LOCK_KEY]).catch(() => {});
}

async function lockHolder(client: Connection): Promise<LockHolder | undefined> {
  const result = await client.query<LockHolder>(
    `SELECT a.pid, a.application_name AS "applicationName", host(a.client_addr) AS "clientAddr",
            to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS since,
            a.state, left(a.query, 100) AS query
       FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 1651741346 AND l.objid = 4111992433 AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())`,
  );
  return result.rows[0];
}

/** "pid 123 (application_name "x", client 10.0.0.5, connected since ..., idle: SELECT ...)" */
export function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'a session that has since released it';
  const client = holder.clientAddr ?? 'local socket';
  return `pid ${holder.pid} (application_name ${JSON.stringify(holder.applicationName ?? '')}, client ${client}, connected since ${holder.since ?? '?'}, ${holder.state ?? 'state hidden'}: ${JSON.stringify(holder.query ?? '')})`;
}

function lockTimeout(timeoutMs: number, holder: LockHolder | undefined): SupervisorError {
  return new SupervisorError(
    'lockTimeout',
    `another session held the migration lock for longer than MIGRATION_LOCK_TIMEOUT=${timeoutMs / 1000}s: ${describeHolder(holder)}; check for a stuck migration (pg_locks where locktype = 'advisory') or raise MIGRATION_LOCK_TIMEOUT`,
    { holder },
  );
}
