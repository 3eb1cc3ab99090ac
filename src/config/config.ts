import path from 'node:path';
import { SupervisorError } from '../errors.js';
import { parseSignalMap, type SignalMap } from '../supervise/signal-map.js';
import { parseDatabaseUrl, type DatabaseUrl } from './database-url.js';
import { parseBoolean, parseChoice, parseCommand, parseSeconds } from './values.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;

export interface Config {
  databaseUrl: DatabaseUrl | undefined;
  runMigrations: boolean;
  alembicConfig: string;
  alembicCommand: string[];
  dbWaitTimeoutMs: number;
  /** 0 means no limit. */
  migrationTimeoutMs: number;
  migrationLockTimeoutMs: number;
  onMigrationFailure: 'continue' | 'exit';
  unversionedDatabase: 'stamp' | 'refuse';
  shutdownTimeoutMs: number;
  /** How long the app keeps serving after SIGTERM before it gets the signal (load balancers drain meanwhile). */
  shutdownDelayMs: number;
  signalMap: SignalMap;
  signalProcessGroup: boolean;
  logLevel: (typeof LOG_LEVELS)[number];
  logFormat: (typeof LOG_FORMATS)[number];
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** Reads and validates every variable up front, so a bad value stops the supervisor before it starts anything. */
export function loadConfig(env: Environment, cwd: string): Config {
  const runMigrations =
    parseBoolean('RUN_MIGRATIONS', env.RUN_MIGRATIONS, true) && !parseBoolean('SKIP_MIGRATIONS', env.SKIP_MIGRATIONS, false);
  const rawUrl = env.DATABASE_URL?.trim();
  return {
    databaseUrl: rawUrl ? parseDatabaseUrl(rawUrl, env.PGPASSWORD) : undefined,
    runMigrations,
    alembicConfig: path.resolve(cwd, env.ALEMBIC_CONFIG?.trim() || 'alembic.ini'),
    alembicCommand: parseCommand('ALEMBIC_COMMAND', env.ALEMBIC_COMMAND, ['alembic']),
    dbWaitTimeoutMs: parseSeconds('DB_WAIT_TIMEOUT', env.DB_WAIT_TIMEOUT, 60),
    migrationTimeoutMs: parseSeconds('MIGRATION_TIMEOUT', env.MIGRATION_TIMEOUT, 0),
    migrationLockTimeoutMs: parseSeconds('MIGRATION_LOCK_TIMEOUT', env.MIGRATION_LOCK_TIMEOUT, 300),
    onMigrationFailure: parseChoice('ON_MIGRATION_FAILURE', env.ON_MIGRATION_FAILURE, ['continue', 'exit'], 'continue'),
    unversionedDatabase: parseChoice('UNVERSIONED_DATABASE', env.UNVERSIONED_DATABASE, ['stamp', 'refuse'], 'stamp'),
    // 8 s, not 10: `docker stop` kills after 10 s, and the supervisor must decide first (Kubernetes allows 30 s).
    shutdownTimeoutMs: parseSeconds('SHUTDOWN_TIMEOUT', env.SHUTDOWN_TIMEOUT, 8),
    shutdownDelayMs: parseSeconds('SHUTDOWN_DELAY', env.SHUTDOWN_DELAY, 0),
    signalMap: parseSignalMap('SIGNAL_MAP', env.SIGNAL_MAP),
    signalProcessGroup: parseBoolean('SIGNAL_PROCESS_GROUP', env.SIGNAL_PROCESS_GROUP, false),
    logLevel: parseChoice('LOG_LEVEL', env.LOG_LEVEL, LOG_LEVELS, 'info'),
    logFormat: parseChoice('LOG_FORMAT', env.LOG_FORMAT, LOG_FORMATS, 'json'),
  };
}

/** The database URL, for commands that cannot work without one. */
export function requireDatabaseUrl(config: Config, why: string): DatabaseUrl {
  if (config.databaseUrl) return config.databaseUrl;
  throw new SupervisorError('config', `DATABASE_URL is not set: ${why}`, { variable: 'DATABASE_URL' });
}
