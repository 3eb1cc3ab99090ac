import { setTimeout as sleep } from 'node:timers/promises';
import type { DatabaseUrl } from '../config/database-url.js';
import { connect, disconnect, type Connection } from './connect.js';

const SIDE_CONNECT_TIMEOUT_MS = 2_000;

/**
 * Terminates the server sessions of a stopped alembic, found by its application_name. A killed
 * client's session goes on (and keeps its locks) until the server next talks to it; this ends it
 * now, so its transaction rolls back at once. Best effort, on a connection of its own, since the
 * supervisor's may be the one that failed.
 */
export async function endSessionsNamed(url: DatabaseUrl, applicationName: string): Promise<void> {
  await onSideConnection(url, 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database() AND pid <> pg_backend_pid()', [applicationName]);
}

export interface EndedSession {
  pid: number;
  applicationName: string;
  state: string | null;
  /** When its current statement started. */
  since: string | null;
  query: string | null;
}

const GONE_WITHIN_MS = 5_000;

/**
 * Terminates every session of this database whose application_name starts with `prefix`, and
 * waits (up to 5 s) until they are gone; resolves with those it found. For the holder of the
 * migration lock: such a session belongs to an alembic whose supervisor died (no other can
 * run without the lock), and may still hold locks and an open transaction.
 */
export async function endSessionsStartingWith(client: Connection, prefix: string): Promise<EndedSession[]> {
  const found = await client.query<EndedSession>(
    `SELECT pid, application_name AS "applicationName", state, left(query, 100) AS query,
            to_char(query_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS since
       FROM pg_catalog.pg_stat_activity
      WHERE left(application_name, length($1)) = $1 AND datname = current_database() AND pid <> pg_backend_pid()`,
    [prefix],
  );
  if (found.rows.length === 0) return [];
  const pids = found.rows.map((row) => row.pid);
  await client.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
  const deadline = Date.now() + GONE_WITHIN_MS;
  while (Date.now() < deadline) {
    const left = await client.query('SELECT 1 FROM pg_catalog.pg_stat_activity WHERE pid = ANY($1::int[])', [pids]);
    if (left.rows.length === 0) break;
    await sleep(50);
  }
  return found.rows;
}

async function onSideConnection(url: DatabaseUrl, sql: string, values: unknown[]): Promise<void> {
  const side = await connect(url, SIDE_CONNECT_TIMEOUT_MS).catch(() => undefined);
  try {
    await side?.query(sql, values);
  } catch {
    // Best effort: the server ends the session itself once it notices the client is gone.
  } finally {
    await disconnect(side);
  }
}
