import type { Connection } from './connect.js';

/** Terminates the server sessions of a stopped client, found by its application_name. Best effort. */
export async function endSessions(client: Connection, applicationName: string): Promise<void> {
  await client
    .query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()', [applicationName])
    .catch(() => {});
}
