import { isatty } from 'node:tty';
import { requireAlembic, requireApp } from './app-command.js';
import { loadConfig, requireDatabaseUrl, type Config, type Environment } from './config/config.js';
import { passwordSpellings } from './config/database-url.js';
import { withAvailableDatabase } from './db/wait.js';
import { EXIT_CODES, InterruptedError, reportFailure, SupervisorError } from './errors.js';
import { createLogger, routeWarnings, type Logger } from './log.js';
import { useColour } from './log-pretty.js';
import { alembicOptions, runAlembic } from './migrations/alembic.js';
import { mayStartAppDespite, stopDespiteContinue } from './migrations/failure-policy.js';
import { migrateToHead, runUnderLock, type MigrateContext } from './migrations/migrate.js';
import type { ScriptGraph } from './migrations/plan.js';
import { MigrationAttempt, checkReportPath, reportAttempt } from './migrations/report.js';
import { readScriptGraph } from './migrations/script-graph.js';
import { status, statusFormat } from './migrations/status.js';
import { Phases } from './phases.js';
import { testMigrations, type TestMigrationsCommand } from './migration-tests/index.js';
import { Reaper } from './supervise/reaper.js';
import { SignalRouter, TERMINATING_SIGNALS } from './supervise/signals.js';
import { superviseApp } from './supervise/supervise.js';

export type Command =
  /** `migrate` is `run --migrate-only`. */
  | { name: 'run'; app: string[]; migrateOnly: boolean; processGroup: boolean }
  | { name: 'status'; json: boolean; sql: boolean }
  | { name: 'wait' }
  | { name: 'rollback'; target: string }
  | TestMigrationsCommand;

/** The whole story: config, wait, lock, inspect, plan, migrate, verify, supervise. Resolves with the exit code. */
export async function main(command: Command, env: Environment, cwd: string): Promise<number> {
  // Until the configuration is read, scrub whatever looks like a password in DATABASE_URL, however malformed.
  let log = createLogger({ level: 'info', format: 'json', secrets: passwordSpellings(env.DATABASE_URL ?? '', env.PGPASSWORD), fd: logFd(command) });
  routeWarnings(() => log);
  try {
    const config = loadConfig(env, cwd);
    const fd = logFd(command, config);
    log = createLogger({ level: config.logLevel, format: config.logFormat, secrets: config.databaseUrl?.secrets ?? [], fd, colour: useColour(env, isatty(fd)) });
    const session = startSession(log);
    if (command.name === 'test-migrations') return await testMigrations(command, { config, cwd, signal: session.stop.signal });
    // A typo in the app command is found before anything waits or migrates.
    const app = command.name === 'run' && !command.migrateOnly ? requireApp(command.app, env, cwd) : undefined;
    if (command.name === 'run' && command.migrateOnly && !config.runMigrations) {
      log.warn({ event: 'migrate' }, `migrations are disabled (${config.migrationsDisabledBy}): nothing to do`);
      return 0;
    }
    if (command.name === 'run' && !config.runMigrations) log.info({ event: 'migrate', skipped: true }, `migrations skipped: ${config.migrationsDisabledBy}`);

    const exitCode = needsDatabase(command, config) ? await withDatabase(command, config, session) : 0;
    // A stop signal that came after the last step listening for it still means: do not start the app.
    if (session.stop.signal.aborted) throw new InterruptedError(session.stop.signal.reason as NodeJS.Signals);
    if (command.name === 'run') session.phases.summarise({ command: app }, app ? 'starting the app' : 'the schema is ready');
    if (!app) return exitCode;

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

/** Where log lines go: stderr when stdout carries a command's answer (`status` as text, --json or --sql). */
function logFd(command: Command, config?: Config): 1 | 2 {
  if (command.name !== 'status') return 1;
  const answersOnStdout = config ? statusFormat(command, config.logFormat, isatty(1)) !== 'log' : command.json || command.sql;
  return answersOnStdout ? 2 : 1;
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

function migrates(command: Command, config: Config): boolean {
  return command.name === 'status' || (command.name === 'run' && config.runMigrations);
}

function runsAlembic(command: Command, config: Config): boolean {
  return migrates(command, config) || command.name === 'rollback';
}

/** Without a DATABASE_URL and without migrations, `run` is a plain init, like tini. */
function needsDatabase(command: Command, config: Config): boolean {
  return command.name !== 'run' || migrates(command, config) || config.databaseUrl !== undefined;
}

/** Resolves with the command's exit code when it has one of its own (`status`). */
async function withDatabase(command: Command, config: Config, session: Session): Promise<number> {
  const url = requireDatabaseUrl(config, command.name === 'run' && !command.migrateOnly ? 'migrations are enabled (set RUN_MIGRATIONS=false to start the app without a database)' : 'this command needs the database: set it to the URL the app uses');
  // Checking ALEMBIC_COMMAND and reading the scripts first turns a wrong one into an immediate error, not one after the wait.
  if (runsAlembic(command, config)) requireAlembic(config.alembicCommand, process.env, process.cwd());
  // Every migrate or rollback attempt, success or failure, leaves its report.
  const reportPath = command.name === 'rollback' || (command.name === 'run' && config.runMigrations) ? config.migrationReport : undefined;
  if (reportPath) await checkReportPath(reportPath);
  const attempt = new MigrationAttempt(command.name === 'run' && command.migrateOnly ? 'migrate' : command.name);
  if (command.name === 'rollback') attempt.target = [command.target];
  const waiting = {
    timeoutMs: command.name === 'status' ? config.statusWaitTimeoutMs : config.dbWaitTimeoutMs,
    signal: session.stop.signal,
    log: session.log,
    phases: session.phases,
  };
  try {
    const scripts = runsAlembic(command, config) ? await readScripts(config, session) : undefined;
    // A connection lost before alembic starts (a restart, a failover) goes back to waiting.
    return await withAvailableDatabase(url, waiting, async (db) => {
      if (!scripts) return 0;
      const context: MigrateContext = { db, url, scripts, config, signal: session.stop.signal, log: session.log, phases: session.phases, attempt };
      if (command.name === 'status') return await status(context, statusFormat(command, config.logFormat, isatty(1)));
      if (command.name === 'rollback') await runUnderLock(['downgrade', command.target], context);
      else await migrateUnderPolicy(command.name === 'run' && !command.migrateOnly, context);
      return 0;
    });
  } catch (error) {
    attempt.failed(error);
    throw error;
  } finally {
    if (reportPath) await reportAttempt(reportPath, attempt, { phases: session.phases, secrets: url.secrets, log: session.log });
  }
}

function readScripts(config: Config, session: Session): Promise<ScriptGraph> {
  return readScriptGraph(config.alembicConfig, {
    cwd: process.cwd(),
    log: session.log,
    phases: session.phases,
    alembicHistory: () => runAlembic(['history', '--verbose'], { ...alembicOptions(config, session.stop.signal, session.log), echoLevel: 'debug' }),
  });
}

/** A one-shot migration fails on any failure; `run` may start the app anyway (ON_MIGRATION_FAILURE). */
async function migrateUnderPolicy(appFollows: boolean, context: MigrateContext): Promise<void> {
  try {
    await migrateToHead(context);
  } catch (error) {
    if (!appFollows || !mayStartAppDespite(error, context.config.onMigrationFailure)) throw appFollows ? stopDespiteContinue(error, context.config.onMigrationFailure) : error;
    context.attempt.failed(error);
    context.log.warn({ event: 'migrate', exitCode: (error as SupervisorError).exitCode }, `migration failed, starting the app anyway (ON_MIGRATION_FAILURE=continue): ${(error as Error).message}`);
  }
}
