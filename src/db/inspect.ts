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
    const schema = (await client.query<{ schema: string | null }>('SELECT current_schema() AS schema')).rows[0]?.schema;
    if (!schema) throw new Error(await whyNoSchema(client));
    // pg_catalog, not information_schema: the latter hides tables this user has no privilege on,
    // which would make a database full of tables look empty. Objects of extensions
    // (pg_stat_statements, PostGIS's spatial_ref_sys) are not the app's: they do not make it "unversioned".
    const tables = await client.query<{ table_name: string }>(
      `SELECT c.relname AS table_name FROM pg_catalog.pg_class c
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                           WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY c.relname`,
      [schema],
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

/** current_schema() is NULL both when no schema of the search_path exists and when the user may not use any: say which. */
async function whyNoSchema(client: Connection): Promise<string> {
  const { path, user } = (await client.query<{ path: string; user: string }>("SELECT current_setting('search_path') AS path, current_user AS user")).rows[0] ?? { path: '', user: '' };
  const names = path.split(',').map((name) => name.trim().replace(/^"(.*)"$/, '$1')).map((name) => (name === '$user' ? user : name));
  const unusable = (
    await client.query<{ name: string }>("SELECT nspname AS name FROM pg_catalog.pg_namespace WHERE nspname = ANY($1) AND NOT has_schema_privilege(oid, 'USAGE') ORDER BY nspname", [names])
  ).rows.map((row) => row.name);
  if (unusable.length === 0) return `no schema of the search_path (${path}) exists`;
  return `the user ${user} has no USAGE privilege on schema ${unusable.join(', ')} (search_path: ${path}); grant it (GRANT USAGE, CREATE ON SCHEMA ${unusable[0]} TO ${user}) or set the user's search_path to a schema it may use`;
}
