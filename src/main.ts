import { isatty } from 'node:tty';
import { requireApp } from './app-command.js';
import { loadConfig, type Config, type Environment } from './config/config.js';
import { passwordSpellings } from './config/database-url.js';
import { InterruptedError, reportFailure } from './errors.js';
import { createLogger, routeWarnings } from './log.js';
import { useColour } from './log-pretty.js';
import { statusFormat } from './migrations/status-format.js';
import { migrates, startSession, type Command } from './session.js';
import { superviseApp } from './supervise/supervise.js';

export type { Command } from './session.js';

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

// The chapters below are loaded when a command reaches them: a plain init never loads the driver,
// the migration code or the builtins they require (a measured part of every container start).
async function withDatabase(...args: Parameters<typeof import('./with-database.js').withDatabase>): Promise<number> {
  return (await import('./with-database.js')).withDatabase(...args);
}

async function testMigrations(...args: Parameters<typeof import('./migration-tests/index.js').testMigrations>): Promise<number> {
  return (await import('./migration-tests/index.js')).testMigrations(...args);
}

/** Without a DATABASE_URL and without migrations, `run` is a plain init, like tini. */
function needsDatabase(command: Command, config: Config): boolean {
  return command.name !== 'run' || migrates(command, config) || config.databaseUrl !== undefined;
}

