import type { VersionTableName } from '../config/values.js';
import { SupervisorError } from '../errors.js';
import type { Connection } from './connect.js';
import { ConnectionLostError, isConnectionLost } from './connection-errors.js';

export const VERSION_TABLE = 'alembic_version';

/** What inspecting the database found. */
export interface DatabaseSnapshot {
  /** The version table that was read, schema-qualified; undefined when there is none to read. */
  versionTable: string | undefined;
  /** How that table was chosen: ALEMBIC_VERSION_TABLE, alembic's default name, or the only alembic-shaped table found. */
  versionTableSource: 'configured' | 'default' | 'discovered' | undefined;
  versionTableExists: boolean;
  /** Rows of the version table. */
  versions: string[];
  /**
   * Tables other than the version table in the schema alembic uses (the first schema on the search
   * path). Like otherVersionTables, only read when the version table holds no version: with one,
   * they decide nothing, and reading them means scanning every relation of the database.
   */
  userTables: string[];
  /** Other tables of alembic's version-table shape (one column, version_num), schema-qualified. */
  otherVersionTables: string[];
  /** Set when, without ALEMBIC_VERSION_TABLE, several such tables exist and none is the default: nothing was read. */
  ambiguousVersionTables: boolean;
}

interface Candidate {
  schema: string;
  table: string;
  /** The table an unqualified name resolves to on the search path. */
  visible: boolean;
}

/**
 * What the database holds. The version table is read where alembic reads it: ALEMBIC_VERSION_TABLE
 * if set, else `alembic_version` as the search path resolves it, else the one table of alembic's
 * shape anywhere in the database (env.py may have moved it). Failing to read is an error, never
 * "empty": guessing empty would re-run every migration.
 */
export async function inspectDatabase(client: Connection, configured?: VersionTableName): Promise<DatabaseSnapshot> {
  try {
    return (await readUsualVersionTable(client, configured)) ?? (await readWholeCatalog(client, configured));
  } catch (error) {
    if (isConnectionLost(error)) throw new ConnectionLostError('inspecting it', error);
    throw new SupervisorError('unavailable', `cannot inspect the database: ${(error as Error).message}; check that the user in DATABASE_URL may read its schema`);
  }
}

/**
 * The usual case, looked up by name: the table alembic reads (ALEMBIC_VERSION_TABLE, else
 * alembic_version on the search path, of the version table's shape) holds a version. Then the rest
 * of the database decides nothing, and the catalog scan (a measured part of every start at head,
 * and of the verify after a long history) is left out.
 */
async function readUsualVersionTable(client: Connection, configured: VersionTableName | undefined): Promise<DatabaseSnapshot | undefined> {
  const name = configured ? [configured.schema, configured.table].filter((part) => part !== undefined).map((part) => client.escapeIdentifier(part)).join('.') : VERSION_TABLE;
  const { rows } = await client.query<{ schema: string; table: string }>(
    `SELECT n.nspname AS schema, c.relname AS table
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = pg_catalog.to_regclass($1) AND ${configured ? RELATION_KINDS : `c.relkind IN ('r', 'p') AND ${VERSION_TABLE_SHAPE}`}`,
    [name],
  );
  const table = rows[0];
  if (!table) return undefined;
  const source = configured ? 'configured' : 'default';
  const versions = await readVersions(client, table, source);
  if (versions.length === 0) return undefined;
  return { versionTable: qualify(table), versionTableSource: source, versionTableExists: true, versions, userTables: [], otherVersionTables: [], ambiguousVersionTables: false };
}

/** Everything: the version table wherever it is (env.py may have moved it), and the tables beside it. */
async function readWholeCatalog(client: Connection, configured: VersionTableName | undefined): Promise<DatabaseSnapshot> {
  const { schema, candidates, tables, configuredTable } = await readCatalog(client, configured);
  const chosen = chooseVersionTable(candidates, configured, configuredTable);
  const versions = chosen.table ? await readVersions(client, chosen.table, chosen.source) : [];
  const userTables = tables.filter((name) => !(chosen.table && chosen.table.schema === schema && chosen.table.table === name));
  if (!schema && !chosen.table) throw new Error(await whyNoSchema(client));
  const qualified = chosen.table ? qualify(chosen.table) : undefined;
  return {
    versionTable: qualified,
    versionTableSource: chosen.source,
    versionTableExists: qualified !== undefined,
    versions,
    userTables,
    otherVersionTables: candidates.map(qualify).filter((name) => name !== qualified),
    ambiguousVersionTables: chosen.ambiguous,
  };
}

/** Pure: which table holds the version, given the alembic-shaped tables found. */
export function chooseVersionTable(
  candidates: readonly Candidate[],
  configured: VersionTableName | undefined,
  configuredExists: { schema: string; table: string } | undefined,
): { table: { schema: string; table: string } | undefined; source: DatabaseSnapshot['versionTableSource']; ambiguous: boolean } {
  if (configured) return { table: configuredExists, source: configuredExists ? 'configured' : undefined, ambiguous: false };
  const byDefault = candidates.find((candidate) => candidate.visible && candidate.table === VERSION_TABLE);
  if (byDefault) return { table: byDefault, source: 'default', ambiguous: false };
  if (candidates.length === 1) return { table: candidates[0], source: 'discovered', ambiguous: false };
  return { table: undefined, source: undefined, ambiguous: candidates.length > 1 };
}

// pg_catalog, not information_schema: the latter hides tables this user has no privilege on,
// which would make a database full of tables look empty. Objects of extensions
// (pg_stat_statements, PostGIS's spatial_ref_sys) are not the app's.
const NOT_AN_EXTENSION = `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`;
const RELATION_KINDS = `c.relkind IN ('r', 'p', 'v', 'm', 'f')`;
// Exactly one column, version_num: alembic's version table.
const VERSION_TABLE_SHAPE = `(SELECT array_agg(a.attname::text) FROM pg_catalog.pg_attribute a
  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) = ARRAY['version_num']`;

interface Catalog {
  /** The schema alembic uses (the first usable one on the search path), if any. */
  schema: string | undefined;
  candidates: Candidate[];
  /** The relations of `schema`, sorted. */
  tables: string[];
  /** ALEMBIC_VERSION_TABLE's table, if set and it exists. */
  configuredTable: { schema: string; table: string } | undefined;
}

/**
 * Everything inspect needs to know before reading the version table, in one round trip (it was
 * four, a measured part of every start at head): the schema, every table of alembic's version-table
 * shape (exactly one column, version_num), the configured table (schema-qualified as given, or
 * resolved on the search path as alembic does), and the schema's own relations.
 */
async function readCatalog(client: Connection, configured: VersionTableName | undefined): Promise<Catalog> {
  const { rows } = await client.query<{ schema: string | null; candidates: Candidate[]; tables: string[]; configured: { schema: string; table: string } | null }>(
    `SELECT current_schema() AS schema,
       (SELECT coalesce(json_agg(json_build_object('schema', n.nspname, 'table', c.relname, 'visible', pg_catalog.pg_table_is_visible(c.oid)) ORDER BY n.nspname, c.relname), '[]')
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p') AND ${NOT_AN_EXTENSION}
           AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
           AND ${VERSION_TABLE_SHAPE}) AS candidates,
       (SELECT coalesce(json_agg(c.relname ORDER BY c.relname), '[]')
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND ${RELATION_KINDS} AND ${NOT_AN_EXTENSION}) AS tables,
       (SELECT json_build_object('schema', n.nspname, 'table', c.relname)
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE $1::text IS NOT NULL AND c.relname = $1::text AND ${RELATION_KINDS}
           AND (CASE WHEN $2::text IS NULL THEN pg_catalog.pg_table_is_visible(c.oid) AND n.nspname <> 'pg_catalog' ELSE n.nspname = $2::text END)
         LIMIT 1) AS configured`,
    [configured?.table ?? null, configured?.schema ?? null],
  );
  const row = rows[0];
  return { schema: row?.schema ?? undefined, candidates: row?.candidates ?? [], tables: row?.tables ?? [], configuredTable: row?.configured ?? undefined };
}

async function readVersions(client: Connection, table: { schema: string; table: string }, source: DatabaseSnapshot['versionTableSource']): Promise<string[]> {
  try {
    const rows = await client.query<{ version_num: string }>(`SELECT version_num FROM ${client.escapeIdentifier(table.schema)}.${client.escapeIdentifier(table.table)}`);
    return rows.rows.map((row) => row.version_num);
  } catch (error) {
    // A table found by its shape may be another app's: say how to point at the right one.
    if (source !== 'discovered') throw error;
    throw new Error(`${(error as Error).message} (${qualify(table)} is the only alembic-shaped version table in the database; if env.py uses another, set ALEMBIC_VERSION_TABLE to it)`);
  }
}

function qualify(table: { schema: string; table: string }): string {
  return `${table.schema}.${table.table}`;
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
