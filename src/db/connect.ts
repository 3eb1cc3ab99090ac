import type pg from 'pg';
import type { DatabaseUrl } from '../config/database-url.js';

export type Connection = pg.Client;

/** A connection with the app's own credentials, named so operators can spot it in pg_stat_activity. */
export async function connect(url: DatabaseUrl, connectTimeoutMs: number): Promise<Connection> {
  // Loaded on first use: a plain init (no DATABASE_URL) never pays for the driver.
  const { default: driver } = await import('pg');
  const client = new driver.Client({
    ...url.client,
    application_name: 'backend-supervisor',
    connectionTimeoutMillis: Math.max(1, Math.round(connectTimeoutMs)),
    // The migration lock lives on this connection: notice a dead peer rather than hold a phantom lock.
    keepAlive: true,
  });
  // An idle connection the server drops (restart, failover) must not crash the supervisor.
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

/** Aborts when the connection ends or fails: for work that must not outlive it (the migration lock). */
export function whileConnected(client: Connection): { signal: AbortSignal; release: () => void } {
  const lost = new AbortController();
  const onLost = (error?: Error) => lost.abort(error?.message ?? 'the connection ended');
  client.once('end', onLost);
  client.once('error', onLost);
  return {
    signal: lost.signal,
    release: () => {
      client.off('end', onLost);
      client.off('error', onLost);
    },
  };
}

const DISCONNECT_GRACE_MS = 1_000;

/** Closes politely, but never lets a server that does not answer hold up the app's start. */
export async function disconnect(client: Connection | undefined): Promise<void> {
  if (!client) return;
  let timer: NodeJS.Timeout | undefined;
  const givenUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, DISCONNECT_GRACE_MS);
  });
  await Promise.race([client.end().catch(() => {}), givenUp]);
  clearTimeout(timer);
}
