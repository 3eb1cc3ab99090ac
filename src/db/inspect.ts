import type { DatabaseSnapshot } from '../migrations/plan.js';
import { SupervisorError } from '../errors.js';
import type { Connection } from './connect.js';

export const VERSION_TABLE = 'alembic_version';

/**
 * What the database holds, read in the schema alembic uses (the first schema on the search path).
 * Failing to read it is an error, never "empty": guessing empty would re-run every migration.
 */
export async function inspectDatabase(client: Connection): Promise<DatabaseSnapshot> {
  try {
    const tables = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type IN ('BASE TABLE', 'VIEW')
        ORDER BY table_name`,
    );
    const names = tables.rows.map((row) => row.table_name);
    const versionTableExists = names.includes(VERSION_TABLE);
    const versions = versionTableExists
      ? (await client.query<{ version_num: string }>(`SELECT version_num FROM ${VERSION_TABLE}`)).rows.map((row) => row.version_num)
      : [];
    return { versionTableExists, versions, userTables: names.filter((name) => name !== VERSION_TABLE) };
  } catch (error) {
    throw new SupervisorError('unavailable', `cannot inspect the database: ${(error as Error).message}; check that the user in DATABASE_URL may read its schema`);
  }
}
