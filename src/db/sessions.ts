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

/** Terminates the server session behind `client`, e.g. one still queued for the lock when interrupted. */
export async function endSessionOf(url: DatabaseUrl, client: Connection): Promise<void> {
  const pid = (client as Connection & { processID?: number | null }).processID;
  if (pid) await onSideConnection(url, 'SELECT pg_terminate_backend($1)', [pid]);
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
