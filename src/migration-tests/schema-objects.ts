import type { Connection } from '../db/connect.js';
import type { SchemaObject } from './plan.js';

// Every schema a user can create things in. Objects of extensions are not the migrations' doing.
// Types: enums, domains, ranges and free-standing composites, not the row type every table and
// view brings along, nor array types. The version table is recognised by its shape (one column,
// version_num) wherever env.py keeps it and whatever it is called: alembic leaves it behind on purpose.
const SNAPSHOT = `
WITH user_schemas AS (
  SELECT oid, nspname FROM pg_catalog.pg_namespace
   WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname !~ '^pg_(toast|temp_|toast_temp_)'
)
SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ELSE 'table' END AS kind,
       s.nspname AS schema, c.relname AS name,
       c.relkind = 'r' AND ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a
                                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) = ARRAY['version_num'] AS version_table
  FROM pg_catalog.pg_class c JOIN user_schemas s ON s.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
UNION ALL
SELECT 'type', s.nspname, t.typname, false
  FROM pg_catalog.pg_type t JOIN user_schemas s ON s.oid = t.typnamespace
 WHERE t.typtype <> 'p' AND t.typcategory <> 'A'
   AND (t.typrelid = 0 OR EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c'))
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY 1, 2, 3`;

/** The user tables, views, sequences and types of the database, e.g. "table public.users". */
export async function schemaObjects(db: Connection, { withVersionTable }: { withVersionTable: boolean }): Promise<SchemaObject[]> {
  const rows = (await db.query<{ kind: string; schema: string; name: string; version_table: boolean }>(SNAPSHOT)).rows;
  return rows.filter((row) => withVersionTable || !row.version_table).map((row) => `${row.kind} ${row.schema}.${row.name}`);
}
