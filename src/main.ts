import { loadConfig, requireDatabaseUrl, type Config, type Environment } from './config/config.js';
import { disconnect, type Connection } from './db/connect.js';
import { waitForDatabase } from './db/wait.js';
import { InterruptedError, SupervisorError, exitCodeOf } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { inspectAndPlan, migrateToHead, runUnderLock, type MigrateContext } from './migrations/migrate.js';
import { readScriptGraph } from './migrations/script-graph.js';
import { Phases } from './phases.js';
import { Reaper } from './supervise/reaper.js';
import { SignalRouter, TERMINATING_SIGNALS } from './supervise/signals.js';
import { superviseApp } from './supervise/supervise.js';

export type Command =
  /** `migrate` is `run --migrate-only`: an explicit request, so it migrates whatever RUN_MIGRATIONS says. */
  | { name: 'run'; app: string[]; migrateOnly: boolean; processGroup: boolean }
  | { name: 'status' }
  | { name: 'wait' }
  | { name: 'rollback'; target: string };

/** The whole story: config, wait, lock, inspect, plan, migrate, verify, supervise. Resolves with the exit code. */
export async function main(command: Command, env: Environment, cwd: string): Promise<number> {
  let log = createLogger({ level: 'info', format: 'json', secrets: [] });
  try {
    const config = loadConfig(env, cwd);
    log = createLogger({ level: config.logLevel, format: config.logFormat, secrets: config.databaseUrl?.secrets ?? [] });
    const session = startSession(log);
    if (command.name === 'run' && !command.migrateOnly && command.app.length === 0) {
      throw new SupervisorError('config', 'no app command given: use backend-supervisor run -- CMD [ARGS...] (or `migrate` to only migrate)');
    }
    await prepareDatabase(command, config, session);
    // A stop signal that arrived after the last step listening for it still means: do not start the app.
    if (session.stop.signal.aborted) throw new InterruptedError(session.stop.signal.reason as NodeJS.Signals);
    if (command.name !== 'run') return 0;
    if (command.migrateOnly) {
      session.phases.summarise({}, 'the schema is ready');
      return 0;
    }
    session.phases.summarise({ command: command.app }, 'starting the app');
    session.appRunning = true;
    return await superviseApp({
      command: command.app,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      processGroup: command.processGroup || config.signalProcessGroup,
      signals: session.signals,
      log,
      phases: session.phases,
    });
  } catch (error) {
    return reportFailure(error, log);
  }
}

interface Session {
  log: Logger;
  phases: Phases;
  signals: SignalRouter;
  stop: AbortController;
  appRunning: boolean;
}

/** From the first moment: SIGTERM/SIGINT stop start-up work, orphans are reaped, internal errors never kill a running app. */
function startSession(log: Logger): Session {
  const stop = new AbortController();
  const signals = new SignalRouter((signal) => {
    if (TERMINATING_SIGNALS.has(signal)) stop.abort(signal);
    else log.info({ event: 'signal', signal }, `ignored ${signal}: the app has not started`);
  });
  const session: Session = { log, phases: new Phases(log), signals, stop, appRunning: false };
  new Reaper(log).start();
  process.on('uncaughtException', (error) => {
    log.error({ event: 'internal', err: error }, 'internal error in the supervisor');
    if (!session.appRunning) process.exit(70);
  });
  return session;
}

async function prepareDatabase(command: Command, config: Config, session: Session): Promise<void> {
  const migrating = command.name === 'status' || (command.name === 'run' && (config.runMigrations || command.migrateOnly));
  const needsDatabase = migrating || command.name === 'wait' || command.name === 'rollback';
  if (!needsDatabase && !config.databaseUrl) return; // a plain init, like tini
  const url = requireDatabaseUrl(config, command.name === 'run' && !command.migrateOnly ? 'migrations are enabled (set RUN_MIGRATIONS=false to start the app without a database)' : 'this command needs the database: set it to the URL the app uses');
  // Reading the scripts first turns a wrong ALEMBIC_CONFIG into an immediate error, not one after the wait.
  const scripts = migrating || command.name === 'rollback' ? await readScriptGraph(config.alembicConfig, process.cwd()) : undefined;
  const db = await waitFor(url, command.name === 'status' ? Math.min(config.dbWaitTimeoutMs, 5_000) : config.dbWaitTimeoutMs, config, session);
  try {
    if (!scripts) return;
    const context: MigrateContext = { db, scripts, config, signal: session.stop.signal, log: session.log, phases: session.phases };
    if (command.name === 'status') await inspectAndPlan(context);
    else if (command.name === 'rollback') await runUnderLock(['downgrade', command.target], context);
    else await migrateUnlessPolicyAllows(command, config, context);
  } finally {
    await disconnect(db);
  }
}

async function waitFor(url: NonNullable<Config['databaseUrl']>, timeoutMs: number, config: Config, session: Session): Promise<Connection> {
  const phase = session.phases.start('wait');
  try {
    const db = await waitForDatabase(url, { timeoutMs, signal: session.stop.signal, log: session.log });
    phase.done({ database: url.redacted }, 'the database is available');
    return db;
  } catch (error) {
    phase.fail({ database: url.redacted, dbWaitTimeoutMs: config.dbWaitTimeoutMs }, 'the database is not available');
    throw error;
  }
}

/** `migrate` fails on any migration failure; `run` may start the app anyway (ON_MIGRATION_FAILURE=continue). */
async function migrateUnlessPolicyAllows(command: Command, config: Config, context: MigrateContext): Promise<void> {
  try {
    await migrateToHead(context);
  } catch (error) {
    if (command.name !== 'run' || command.migrateOnly || config.onMigrationFailure === 'exit' || !isMigrationFailure(error)) throw error;
    context.log.warn(
      { event: 'migrate', exitCode: exitCodeOf(error), err: { message: (error as Error).message } },
      `migration failed, starting the app anyway (ON_MIGRATION_FAILURE=continue): ${(error as Error).message}`,
    );
  }
}

/** Failures of migrating itself; several heads, a refused unversioned database and config errors always stop. */
function isMigrationFailure(error: unknown): boolean {
  if (!(error instanceof SupervisorError)) return false;
  return error.kind === 'migrationFailed' || error.kind === 'lockTimeout' || (error.kind === 'refused' && error.details.state === 'unknown-revision');
}

function reportFailure(error: unknown, log: Logger): number {
  const exitCode = exitCodeOf(error);
  if (error instanceof InterruptedError) {
    log.warn({ event: 'shutdown', signal: error.signal, exitCode }, `stopped by ${error.signal} before the app started`);
  } else if (error instanceof SupervisorError) {
    log.error({ event: 'exit', exitCode, ...error.details }, error.message);
  } else {
    log.error({ event: 'exit', exitCode, err: error }, `internal error: ${(error as Error).message}`);
  }
  return exitCode;
}
