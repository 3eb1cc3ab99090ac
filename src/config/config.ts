import path from 'node:path';
import { configError, SupervisorError } from '../errors.js';
import { LOG_LEVELS, type LogLevel } from '../log.js';
import { parseSignalMap, type SignalMap } from '../supervise/signal-map.js';
import { parseDatabaseUrl, type DatabaseUrl } from './database-url.js';
import { parseBoolean, parseChoice, parseCommand, parseCount, parseSeconds, parseVersionTable, type VersionTableName } from './values.js';

export const LOG_FORMATS = ['json', 'pretty'] as const;
/** `heads` is for projects that keep several heads on purpose (`alembic upgrade heads`). */
export const MIGRATION_TARGETS = ['head', 'heads'] as const;
export type MigrationTarget = (typeof MIGRATION_TARGETS)[number];

export interface Config {
  databaseUrl: DatabaseUrl | undefined;
  runMigrations: boolean;
  /** The setting that turned migrations off, e.g. "SKIP_MIGRATIONS=true", for the log. */
  migrationsDisabledBy: string | undefined;
  alembicConfig: string;
  alembicCommand: string[];
  dbWaitTimeoutMs: number;
  /** `status` answers quickly: 5 s unless DB_WAIT_TIMEOUT is set. */
  statusWaitTimeoutMs: number;
  /** 0 means no limit. */
  migrationTimeoutMs: number;
  migrationLockTimeoutMs: number;
  /** lock_timeout of alembic's sessions; 0 means none. */
  migrationDdlLockTimeoutMs: number;
  /** How many times a migration that hit lock_timeout is run again. */
  migrationDdlRetries: number;
  onMigrationFailure: 'continue' | 'exit';
  unversionedDatabase: 'stamp' | 'refuse';
  shutdownTimeoutMs: number;
  /** How long the app keeps serving after SIGTERM before it gets the signal (load balancers drain meanwhile). */
  shutdownDelayMs: number;
  signalMap: SignalMap;
  signalProcessGroup: boolean;
  logLevel: LogLevel;
  logFormat: (typeof LOG_FORMATS)[number];
  /** Where env.py keeps the version table; undefined: `alembic_version` on the search path, or the one alembic-shaped table found. */
  versionTable: VersionTableName | undefined;
  migrationTarget: MigrationTarget;
  /** Where to write the report of every migrate or rollback attempt (JSON, or Prometheus text for `.prom`). */
  migrationReport: string | undefined;
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** Reads and validates every variable up front, so a bad value stops the supervisor before it starts anything. */
export function loadConfig(env: Environment, cwd: string): Config {
  const run = parseBoolean('RUN_MIGRATIONS', env.RUN_MIGRATIONS, true);
  const skip = parseBoolean('SKIP_MIGRATIONS', env.SKIP_MIGRATIONS, false);
  const runMigrations = run && !skip;
  // Not trimmed: the app reads DATABASE_URL as it is, so the supervisor must too (parseDatabaseUrl refuses surrounding whitespace).
  const rawUrl = env.DATABASE_URL;
  return {
    databaseUrl: rawUrl?.trim() ? parseDatabaseUrl(rawUrl, env.PGPASSWORD) : undefined,
    runMigrations,
    migrationsDisabledBy: !run ? `RUN_MIGRATIONS=${env.RUN_MIGRATIONS?.trim()}` : skip ? `SKIP_MIGRATIONS=${env.SKIP_MIGRATIONS?.trim()}` : undefined,
    alembicConfig: path.resolve(cwd, env.ALEMBIC_CONFIG?.trim() || 'alembic.ini'),
    alembicCommand: parseCommand('ALEMBIC_COMMAND', env.ALEMBIC_COMMAND, ['alembic']),
    dbWaitTimeoutMs: parseSeconds('DB_WAIT_TIMEOUT', env.DB_WAIT_TIMEOUT, 60),
    statusWaitTimeoutMs: parseSeconds('DB_WAIT_TIMEOUT', env.DB_WAIT_TIMEOUT, 5),
    migrationTimeoutMs: parseSeconds('MIGRATION_TIMEOUT', env.MIGRATION_TIMEOUT, 0),
    migrationLockTimeoutMs: parseSeconds('MIGRATION_LOCK_TIMEOUT', env.MIGRATION_LOCK_TIMEOUT, 300),
    migrationDdlLockTimeoutMs: parseSeconds('MIGRATION_DDL_LOCK_TIMEOUT', env.MIGRATION_DDL_LOCK_TIMEOUT, 5),
    migrationDdlRetries: parseCount('MIGRATION_DDL_RETRIES', env.MIGRATION_DDL_RETRIES, 5, 100),
    onMigrationFailure: parseChoice('ON_MIGRATION_FAILURE', env.ON_MIGRATION_FAILURE, ['continue', 'exit'], 'continue'),
    unversionedDatabase: parseChoice('UNVERSIONED_DATABASE', env.UNVERSIONED_DATABASE, ['stamp', 'refuse'], 'stamp'),
    // 8 s, not 10: `docker stop` kills after 10 s, and the supervisor must decide first (Kubernetes allows 30 s).
    shutdownTimeoutMs: parseSeconds('SHUTDOWN_TIMEOUT', env.SHUTDOWN_TIMEOUT, 8),
    shutdownDelayMs: parseSeconds('SHUTDOWN_DELAY', env.SHUTDOWN_DELAY, 0),
    signalMap: parseSignalMap('SIGNAL_MAP', env.SIGNAL_MAP),
    signalProcessGroup: parseBoolean('SIGNAL_PROCESS_GROUP', env.SIGNAL_PROCESS_GROUP, false),
    logLevel: parseChoice('LOG_LEVEL', env.LOG_LEVEL, LOG_LEVELS, 'info'),
    logFormat: parseChoice('LOG_FORMAT', env.LOG_FORMAT, LOG_FORMATS, 'json'),
    versionTable: parseVersionTable('ALEMBIC_VERSION_TABLE', env.ALEMBIC_VERSION_TABLE),
    migrationTarget: parseChoice('MIGRATION_TARGET', env.MIGRATION_TARGET, MIGRATION_TARGETS, 'head'),
    migrationReport: parseReportPath(env.MIGRATION_REPORT, cwd),
  };
}

/** The database URL, for commands that cannot work without one. */
export function requireDatabaseUrl(config: Config, why: string): DatabaseUrl {
  if (config.databaseUrl) return config.databaseUrl;
  throw new SupervisorError('config', `DATABASE_URL is not set: ${why}`, { variable: 'DATABASE_URL' });
}

function parseReportPath(value: string | undefined, cwd: string): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  if (trimmed.endsWith('/')) throw configError('MIGRATION_REPORT', trimmed, 'a file path is expected (e.g. /reports/migration.json, or .prom for Prometheus text), not a directory');
  return path.resolve(cwd, trimmed);
}
