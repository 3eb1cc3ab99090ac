import type { EnvironmentEntry, ExitCodeEntry } from './command.js';

/** The variables and exit codes several commands share, worded once for every help page. */
export const ENV = {
  DATABASE_URL: { name: 'DATABASE_URL', meaning: 'PostgreSQL URL, passed to the app and alembic unchanged (the password never appears in a log line)' },
  RUN_MIGRATIONS: { name: 'RUN_MIGRATIONS', default: 'true', meaning: '`false` skips migrations' },
  SKIP_MIGRATIONS: { name: 'SKIP_MIGRATIONS', default: 'false', meaning: '`true` skips migrations' },
  ALEMBIC_CONFIG: { name: 'ALEMBIC_CONFIG', default: 'alembic.ini', meaning: 'the alembic.ini to use, relative to the working directory' },
  ALEMBIC_COMMAND: { name: 'ALEMBIC_COMMAND', default: 'alembic', meaning: 'how to start alembic, e.g. "python -m alembic" (split on spaces, no shell)' },
  DB_WAIT_TIMEOUT: { name: 'DB_WAIT_TIMEOUT', default: '60', meaning: 'seconds to wait for the database' },
  MIGRATION_TIMEOUT: { name: 'MIGRATION_TIMEOUT', default: '0: none', meaning: 'seconds before a running migration is stopped and counted as failed' },
  MIGRATION_LOCK_TIMEOUT: { name: 'MIGRATION_LOCK_TIMEOUT', default: '300', meaning: "seconds to wait for another replica's migration" },
  ON_MIGRATION_FAILURE: { name: 'ON_MIGRATION_FAILURE', default: 'continue', meaning: '`continue` starts the app after a failed migration, `exit` stops' },
  UNVERSIONED_DATABASE: { name: 'UNVERSIONED_DATABASE', default: 'stamp', meaning: 'tables but no alembic version: `stamp` head or `refuse`' },
  ALEMBIC_VERSION_TABLE: { name: 'ALEMBIC_VERSION_TABLE', default: 'found', meaning: "[schema.]table where env.py keeps alembic's version table; unset: alembic_version on the search path, else the one table of its shape" },
  MIGRATION_DDL_LOCK_TIMEOUT: { name: 'MIGRATION_DDL_LOCK_TIMEOUT', default: '5', meaning: "lock_timeout (seconds) of alembic's sessions, so a DDL statement never queues traffic behind it for long; 0 = off" },
  MIGRATION_DDL_RETRIES: { name: 'MIGRATION_DDL_RETRIES', default: '5', meaning: 'whole-migration retries after a lock timeout, with growing pauses' },
  MIGRATION_REPORT: { name: 'MIGRATION_REPORT', meaning: 'path of a JSON report (Prometheus text for .prom) written after every migrate or rollback attempt' },
  MIGRATION_TARGET: { name: 'MIGRATION_TARGET', default: 'head', meaning: '`heads` upgrades to every head, for scripts that keep several on purpose' },
  SHUTDOWN_TIMEOUT: { name: 'SHUTDOWN_TIMEOUT', default: '8', meaning: 'seconds between forwarding SIGTERM and sending SIGKILL to the app' },
  SHUTDOWN_DELAY: { name: 'SHUTDOWN_DELAY', default: '0', meaning: 'seconds the app keeps serving after SIGTERM before it is forwarded (load-balancer drain); a second SIGTERM or a SIGINT skips it' },
  SIGNAL_MAP: { name: 'SIGNAL_MAP', meaning: 'rewrite or drop signals on their way to the app, e.g. HUP:TERM or HUP: (drop)' },
  PGPASSWORD: { name: 'PGPASSWORD', meaning: 'the password, for a DATABASE_URL without one (any characters, no percent-encoding); never logged' },
  SIGNAL_PROCESS_GROUP: { name: 'SIGNAL_PROCESS_GROUP', default: 'false', meaning: "`true` forwards signals to the app's whole process group" },
  LOG_LEVEL: { name: 'LOG_LEVEL', default: 'info', meaning: 'fatal, error, warn, info, debug, trace or silent' },
  LOG_FORMAT: { name: 'LOG_FORMAT', default: 'json', meaning: '`json` (one object a line) or `pretty` (for people)' },
} satisfies Record<string, EnvironmentEntry>;

/** Every command reads these. */
export const LOGGING: readonly EnvironmentEntry[] = [ENV.LOG_LEVEL, ENV.LOG_FORMAT];
/** Every command that migrates reads these. */
export const MIGRATION: readonly EnvironmentEntry[] = [
  ENV.DATABASE_URL,
  ENV.PGPASSWORD,
  ENV.ALEMBIC_CONFIG,
  ENV.ALEMBIC_COMMAND,
  ENV.DB_WAIT_TIMEOUT,
  ENV.MIGRATION_TIMEOUT,
  ENV.MIGRATION_LOCK_TIMEOUT,
  ENV.MIGRATION_DDL_LOCK_TIMEOUT,
  ENV.MIGRATION_DDL_RETRIES,
  ENV.UNVERSIONED_DATABASE,
  ENV.ALEMBIC_VERSION_TABLE,
  ENV.MIGRATION_TARGET,
  ENV.MIGRATION_REPORT,
];

export const EXIT = {
  ok: { code: '0', meaning: 'done' },
  config: { code: '64', meaning: 'config or usage error (the message names the variable or option)' },
  refused: { code: '65', meaning: 'state refused: the database is ahead of the scripts, the scripts have several heads, or unversioned with UNVERSIONED_DATABASE=refuse' },
  unavailable: { code: '69', meaning: 'database unavailable: not up within DB_WAIT_TIMEOUT, or a permanent connection error (bad password, missing database)' },
  migrationFailed: { code: '70', meaning: 'migration failed (or an internal error)' },
  lockTimeout: { code: '75', meaning: "lock timeout: another replica's migration held the lock longer than MIGRATION_LOCK_TIMEOUT" },
} satisfies Record<string, ExitCodeEntry>;

export const MIGRATION_EXITS: readonly ExitCodeEntry[] = [EXIT.config, EXIT.refused, EXIT.unavailable, EXIT.migrationFailed, EXIT.lockTimeout];
