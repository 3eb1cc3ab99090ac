import type { Config } from './config/config.js';
import { EXIT_CODES } from './errors.js';
import type { Logger } from './log.js';
import type { TestMigrationsCommand } from './migration-tests/index.js';
import { Phases } from './phases.js';
import { Reaper } from './supervise/reaper.js';
import { SignalRouter, TERMINATING_SIGNALS } from './supervise/signals.js';

export type Command =
  /** `migrate` is `run --migrate-only`. */
  | { name: 'run'; app: string[]; migrateOnly: boolean; processGroup: boolean }
  | { name: 'status'; json: boolean; sql: boolean }
  | { name: 'wait' }
  | { name: 'rollback'; target: string }
  | TestMigrationsCommand;

/** What every phase of one supervisor run shares. */
export interface Session {
  log: Logger;
  phases: Phases;
  signals: SignalRouter;
  stop: AbortController;
  reaper: Reaper;
  appRunning: boolean;
}

/** From the first moment: SIGTERM/SIGINT stop start-up work, orphans are reaped, internal errors never kill a running app. */
export function startSession(log: Logger): Session {
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

/** Whether the command brings the schema to its target (or, for `status`, says what that would do). */
export function migrates(command: Command, config: Config): boolean {
  return command.name === 'status' || (command.name === 'run' && config.runMigrations);
}

export function runsAlembic(command: Command, config: Config): boolean {
  return migrates(command, config) || command.name === 'rollback';
}
