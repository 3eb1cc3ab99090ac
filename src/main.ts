import { loadConfig, requireDatabaseUrl, type Config, type Environment } from './config/config.js';
import { passwordSpellings } from './config/database-url.js';
import { disconnect } from './db/connect.js';
import { waitForDatabase } from './db/wait.js';
import { EXIT_CODES, InterruptedError, reportFailure, SupervisorError } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { alembicOptions, runAlembic } from './migrations/alembic.js';
import { mayStartAppDespite } from './migrations/failure-policy.js';
import { migrateToHead, reportStatus, runUnderLock, type MigrateContext } from './migrations/migrate.js';
import type { ScriptGraph } from './migrations/plan.js';
import { readScriptGraph } from './migrations/script-graph.js';
import { Phases } from './phases.js';
import { Reaper } from './supervise/reaper.js';
import { SignalRouter, TERMINATING_SIGNALS } from './supervise/signals.js';
import { superviseApp } from './supervise/supervise.js';

export type Command =
  /** `migrate` is `run --migrate-only`. */
  | { name: 'run'; app: string[]; migrateOnly: boolean; processGroup: boolean }
  | { name: 'status' }
  | { name: 'wait' }
  | { name: 'rollback'; target: string };

/** The whole story: config, wait, lock, inspect, plan, migrate, verify, supervise. Resolves with the exit code. */
export async function main(command: Command, env: Environment, cwd: string): Promise<number> {
  // Until the configuration is read, scrub whatever looks like a password in DATABASE_URL, however malformed.
  let log = createLogger({ level: 'info', format: 'json', secrets: passwordSpellings(env.DATABASE_URL ?? '', env.PGPASSWORD) });
  try {
    const config = loadConfig(env, cwd);
    log = createLogger({ level: config.logLevel, format: config.logFormat, secrets: config.databaseUrl?.secrets ?? [] });
    const session = startSession(log);
    const app = command.name === 'run' && !command.migrateOnly ? requireApp(command.app) : undefined;
    if (command.name === 'run' && command.migrateOnly && !config.runMigrations) {
      log.warn({ event: 'migrate' }, 'migrations are disabled (RUN_MIGRATIONS=false or SKIP_MIGRATIONS=true): nothing to do');
      return 0;
    }

    if (needsDatabase(command, config)) await withDatabase(command, config, session);
    // A stop signal that came after the last step listening for it still means: do not start the app.
    if (session.stop.signal.aborted) throw new InterruptedError(session.stop.signal.reason as NodeJS.Signals);
    if (command.name === 'run') session.phases.summarise({ command: app }, app ? 'starting the app' : 'the schema is ready');
    if (!app) return 0;

    session.appRunning = true;
    session.reaper.adoptOrphans();
    return await superviseApp({
      command: app,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      shutdownDelayMs: config.shutdownDelayMs,
      signalMap: config.signalMap,
      processGroup: (command.name === 'run' && command.processGroup) || config.signalProcessGroup,
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
  reaper: Reaper;
  appRunning: boolean;
}

/** From the first moment: SIGTERM/SIGINT stop start-up work, orphans are reaped, internal errors never kill a running app. */
function startSession(log: Logger): Session {
  const stop = new AbortController();
  const signals = new SignalRouter((signal) => {
    if (TERMINATING_SIGNALS.has(signal)) stop.abort(signal);
    else log.info({ event: 'signal', signal }, `ignored ${signal}: the app has not started`);
  });
  const session: Session = { log, phases: new Phases(log), signals, stop, reaper: new Reaper(log), appRunning: false };
  session.reaper.start();
  const onInternalError = (error: unknown) => {
    log.error({ event: 'internal', err: error }, 'internal error in the supervisor');
    if (!session.appRunning) process.exit(EXIT_CODES.internal);
  };
  process.on('uncaughtException', onInternalError);
  process.on('unhandledRejection', onInternalError);
  return session;
}

function requireApp(app: string[]): string[] {
  if (app.length > 0) return app;
  throw new SupervisorError('config', 'no app command given: use backend-supervisor run -- CMD [ARGS...] (or `migrate` to only migrate)');
}

function migrates(command: Command, config: Config): boolean {
  return command.name === 'status' || (command.name === 'run' && config.runMigrations);
}

/** Without a DATABASE_URL and without migrations, `run` is a plain init, like tini. */
function needsDatabase(command: Command, config: Config): boolean {
  return command.name !== 'run' || migrates(command, config) || config.databaseUrl !== undefined;
}

async function withDatabase(command: Command, config: Config, session: Session): Promise<void> {
  const url = requireDatabaseUrl(config, command.name === 'run' && !command.migrateOnly ? 'migrations are enabled (set RUN_MIGRATIONS=false to start the app without a database)' : 'this command needs the database: set it to the URL the app uses');
  // Reading the scripts first turns a wrong ALEMBIC_CONFIG into an immediate error, not one after the wait.
  const scripts = migrates(command, config) || command.name === 'rollback' ? await readScripts(config, session) : undefined;
  const db = await waitForDatabase(url, {
    timeoutMs: command.name === 'status' ? Math.min(config.dbWaitTimeoutMs, 5_000) : config.dbWaitTimeoutMs,
    signal: session.stop.signal,
    log: session.log,
    phases: session.phases,
  });
  try {
    if (!scripts) return;
    const context: MigrateContext = { db, url, scripts, config, signal: session.stop.signal, log: session.log, phases: session.phases };
    if (command.name === 'status') await reportStatus(context);
    else if (command.name === 'rollback') await runUnderLock(['downgrade', command.target], context);
    else await migrateUnderPolicy(command.name === 'run' && !command.migrateOnly, context);
  } finally {
    await disconnect(db);
  }
}

function readScripts(config: Config, session: Session): Promise<ScriptGraph> {
  return readScriptGraph(config.alembicConfig, {
    cwd: process.cwd(),
    log: session.log,
    alembicHistory: () => runAlembic(['history'], { ...alembicOptions(config, session.stop.signal, session.log), echoLevel: 'debug' }),
  });
}

/** A one-shot migration fails on any failure; `run` may start the app anyway (ON_MIGRATION_FAILURE). */
async function migrateUnderPolicy(appFollows: boolean, context: MigrateContext): Promise<void> {
  try {
    await migrateToHead(context);
  } catch (error) {
    if (!appFollows || !mayStartAppDespite(error, context.config.onMigrationFailure)) throw error;
    context.log.warn({ event: 'migrate', exitCode: (error as SupervisorError).exitCode }, `migration failed, starting the app anyway (ON_MIGRATION_FAILURE=continue): ${(error as Error).message}`);
  }
}
