import { setImmediate } from 'node:timers/promises';
import { isatty } from 'node:tty';
import { requireAlembic } from './app-command.js';
import { requireDatabaseUrl, type Config } from './config/config.js';
import { withAvailableDatabase } from './db/wait.js';
import type { SupervisorError } from './errors.js';
import { alembicOptions, runAlembic } from './migrations/alembic.js';
import { mayStartAppDespite, stopDespiteContinue } from './migrations/failure-policy.js';
import { migrateToHead, runUnderLock, type MigrateStart } from './migrations/migrate.js';
import { MigrationAttempt, checkReportPath, reportAttempt } from './migrations/report.js';
import { readAlembicConfig, readScriptGraph } from './migrations/script-graph.js';
import { ScriptsReading } from './migrations/scripts-reading.js';
import { status } from './migrations/status.js';
import { statusFormat } from './migrations/status-format.js';
import { runsAlembic, type Command, type Session } from './session.js';
import { stopOptimisingCompilers } from './v8-tiers.js';

// The database part of the story, in a module of its own: main loads it only when the command needs
// the database, so a plain init never loads the driver, the migration code or what they require.

/** Resolves with the command's exit code when it has one of its own (`status`). */
export async function withDatabase(command: Command, config: Config, session: Session): Promise<number> {
  const url = requireDatabaseUrl(config, command.name === 'run' && !command.migrateOnly ? 'migrations are enabled (set RUN_MIGRATIONS=false to start the app without a database)' : 'this command needs the database: set it to the URL the app uses');
  // Checking ALEMBIC_COMMAND and reading ALEMBIC_CONFIG before anything else turns a wrong one into
  // an immediate error (one line, nothing started), not one after the wait.
  const alembic = runsAlembic(command, config);
  if (alembic) requireAlembic(config.alembicCommand, process.env, process.cwd());
  const configText = alembic ? readAlembicConfig(config.alembicConfig) : undefined;
  // Every migrate or rollback attempt, success or failure, leaves its report.
  const reportPath = command.name === 'rollback' || (command.name === 'run' && config.runMigrations) ? config.migrationReport : undefined;
  if (reportPath) await checkReportPath(reportPath);
  const attempt = new MigrationAttempt(command.name === 'run' && command.migrateOnly ? 'migrate' : command.name);
  if (command.name === 'rollback') attempt.target = [command.target];
  const scripts = configText === undefined ? undefined : readScriptsBesideTheWait(config, configText, session);
  const waiting = {
    timeoutMs: command.name === 'status' ? config.statusWaitTimeoutMs : config.dbWaitTimeoutMs,
    signal: scripts ? AbortSignal.any([session.stop.signal, scripts.failed]) : session.stop.signal,
    log: session.log,
    phases: session.phases,
  };
  try {
    // A connection lost before alembic starts (a restart, a failover) goes back to waiting.
    return await withAvailableDatabase(url, waiting, async (db) => {
      if (!scripts) return 0;
      const context = { db, url, config, signal: session.stop.signal, log: session.log, phases: session.phases, attempt };
      // Migrating an empty database need not wait for the scripts (migrateToHead); the rest does.
      if (command.name === 'run') await migrateUnderPolicy(!command.migrateOnly, { ...context, scripts });
      else if (command.name === 'status') return await status({ ...context, scripts: await scripts.read }, statusFormat(command, config.logFormat, isatty(1)));
      else if (command.name === 'rollback') await runUnderLock(['downgrade', command.target], { ...context, scripts: await scripts.read });
      return 0;
    });
  } catch (error) {
    // The wait stopped because the scripts could not be read: that is the error to report.
    const reported = scripts?.failed.aborted ? await scripts.read.then(() => error, (failure: unknown) => failure) : error;
    attempt.failed(reported);
    throw reported;
  } finally {
    if (reportPath) await reportAttempt(reportPath, attempt, { phases: session.phases, secrets: url.secrets, log: session.log });
  }
}

/**
 * The scripts, read while the database is reached (at head the two were half of a start): from the
 * next turn of the event loop, when the connection is on its way, in slices that leave the
 * connection's round trips their turns. A read that fails stops the wait at once (`failed`).
 */
function readScriptsBesideTheWait(config: Config, configText: string, session: Session): ScriptsReading {
  return new ScriptsReading(
    setImmediate().then(() => {
      stopOptimisingCompilers();
      return readScriptGraph(config.alembicConfig, {
        configText,
        cwd: process.cwd(),
        log: session.log,
        phases: session.phases,
        alembicHistory: () => runAlembic(['history', '--verbose'], { ...alembicOptions(config, session.stop.signal, session.log), echoLevel: 'debug' }),
      });
    }),
  );
}

/** A one-shot migration fails on any failure; `run` may start the app anyway (ON_MIGRATION_FAILURE). */
async function migrateUnderPolicy(appFollows: boolean, context: MigrateStart): Promise<void> {
  try {
    await migrateToHead(context);
  } catch (error) {
    if (!appFollows || !mayStartAppDespite(error, context.config.onMigrationFailure)) throw appFollows ? stopDespiteContinue(error, context.config.onMigrationFailure) : error;
    context.attempt.failed(error);
    context.log.warn({ event: 'migrate', exitCode: (error as SupervisorError).exitCode }, `migration failed, starting the app anyway (ON_MIGRATION_FAILURE=continue): ${(error as Error).message}`);
  }
}
