import { randomUUID } from 'node:crypto';
import pRetry from 'p-retry';
import type { Config } from '../config/config.js';
import type { DatabaseUrl } from '../config/database-url.js';
import { describeBlockers, watchBlockers, type Blocker } from '../db/blockers.js';
import { disconnect, whileConnected, type Connection } from '../db/connect.js';
import { ConnectionLostError, isConnectionLost } from '../db/connection-errors.js';
import { inspectDatabase } from '../db/inspect.js';
import { endSessionsNamed, endSessionsStartingWith } from '../db/sessions.js';
import { describeHolder, releaseMigrationLock, tryMigrationLock, waitForMigrationLock } from '../db/lock.js';
import { connectWhenAvailable } from '../db/wait.js';
import { InterruptedError, SupervisorError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Phases } from '../phases.js';
import { alembicOptions, runAlembic, transientFailure } from './alembic.js';
import { classify, describePlan, plan, type Plan, type ScriptGraph } from './plan.js';

export interface MigrateContext {
  db: Connection;
  /** For side connections that end stopped sessions. */
  url: DatabaseUrl;
  scripts: ScriptGraph;
  config: Config;
  signal: AbortSignal;
  log: Logger;
  phases: Phases;
}

/**
 * Inspect, plan, and only if there is work: lock, inspect again (another replica may have done
 * it meanwhile), run alembic, and verify that the database is now at the script head.
 */
export async function migrateToHead(context: MigrateContext): Promise<Plan> {
  const first = await inspectAndPlan(context);
  if (first.action === 'nothing') return first;
  refuseIfRefused(first);
  return withMigrationLock(context, async (locked, lock) => {
    const current = await inspectAndPlan(locked);
    refuseIfRefused(current);
    if (current.action === 'nothing') return current;
    await runPlan(current, locked, lock);
    await verifyAtHead(locked);
    return current;
  });
}

/** Runs `alembic <args>` under the migration lock (for rollback). */
export async function runUnderLock(args: string[], context: MigrateContext): Promise<void> {
  await withMigrationLock(context, async (locked, lock) => {
    const phase = context.phases.start('migrate');
    await runAlembicIn(phase, args, locked, lock);
    // Lost now, the connection must not send us back to waiting: that would run the downgrade twice.
    const versions = (await inspectDatabase(locked.db).catch(stillUnavailable)).versions;
    phase.done({ command: args.join(' '), versions }, `alembic ${args.join(' ')} finished; the database is at ${versions.join(', ') || 'no revision'}`);
  });
}

async function inspectAndPlan({ db, scripts, config, phases }: MigrateContext): Promise<Plan> {
  const phase = phases.start('inspect');
  const snapshot = await inspectDatabase(db);
  const decided = plan(classify(snapshot, scripts), config);
  phase.done({ state: decided.state, plan: decided.action, versions: snapshot.versions, heads: scripts.heads }, `the database is ${describePlan(decided)}`);
  return decided;
}

/** `status`: what the database holds and what `migrate` would do, changing nothing. */
export async function reportStatus(context: MigrateContext): Promise<void> {
  const decided = await inspectAndPlan(context);
  const fields = { state: decided.state.kind, plan: decided.action, ...(decided.action === 'refuse' ? { reason: decided.reason } : {}) };
  context.log.info({ event: 'status', ...fields }, `the database is ${describePlan(decided)}`);
}

function refuseIfRefused(decided: Plan): void {
  if (decided.action === 'refuse') throw new SupervisorError('refused', decided.reason, { state: decided.state.kind });
}

/** The PGAPPNAME of every alembic a supervisor starts: how a dead supervisor's alembic session is found. */
const ALEMBIC_APPLICATION_PREFIX = 'backend-supervisor-alembic-';

/**
 * Runs `work` holding the lock, on the context of the connection holding it; the signal it gets
 * aborts if that connection is lost. A replica that must wait gives its connection back meanwhile.
 */
async function withMigrationLock<T>(context: MigrateContext, work: (locked: MigrateContext, lock: AbortSignal) => Promise<T>): Promise<T> {
  const { db, url, config, signal, log, phases } = context;
  const phase = phases.start('lock');
  let holder = db;
  if (!(await tryMigrationLock(db))) {
    await disconnect(db);
    holder = await waitForMigrationLock({
      timeoutMs: config.migrationLockTimeoutMs,
      signal,
      connect: () => connectWhenAvailable(url, { timeoutMs: config.dbWaitTimeoutMs, signal, log }),
      onWaiting: (by, waitedMs, first) =>
        log.info(
          { event: 'lock', holder: by, waitedMs },
          first ? 'another replica is migrating; waiting for it to finish' : `still waiting for the migration lock, held by ${describeHolder(by)}`,
        ),
    });
  }
  const held = whileConnected(holder);
  try {
    phase.done({ waited: holder !== db }, 'holding the migration lock');
    await endEarlierAlembic(holder, log);
    return await work({ ...context, db: holder }, held.signal);
  } finally {
    held.release();
    if (!signal.aborted && !held.signal.aborted) await releaseMigrationLock(holder);
    if (holder !== db) await disconnect(holder);
  }
}

/** A dead supervisor's alembic may still have a session, locks and an open transaction: end them first. */
async function endEarlierAlembic(holder: Connection, log: Logger): Promise<void> {
  try {
    const ended = await endSessionsStartingWith(holder, ALEMBIC_APPLICATION_PREFIX);
    if (ended.length === 0) return;
    log.warn({ event: 'lock', ended }, `ended ${ended.length} database session(s) of an earlier run's alembic, still active after its supervisor died: ${ended.map((session) => `pid ${session.pid} (${session.applicationName})`).join(', ')}`);
  } catch (error) {
    if (isConnectionLost(error)) throw new ConnectionLostError("ending an earlier run's alembic sessions", error);
    // E.g. another role's session, without pg_signal_backend: it ends by itself once its statement does.
    log.warn({ event: 'lock', reason: (error as Error).message }, `could not end an earlier run's alembic sessions (${(error as Error).message}); alembic may wait for their locks`);
  }
}

async function runPlan(decided: Plan, context: MigrateContext, lock: AbortSignal): Promise<void> {
  const phase = context.phases.start('migrate');
  if (decided.action === 'stamp') {
    context.log.warn({ event: 'migrate', state: decided.state }, 'the database has tables but no Alembic version: stamping it at head (UNVERSIONED_DATABASE=stamp) without running migrations');
  }
  const args = decided.action === 'stamp' ? ['stamp', 'head'] : ['upgrade', 'head'];
  // `upgrade head` and `stamp head` may simply run again after a try that was rolled back.
  await runAlembicIn(phase, args, context, lock, context.config.migrationDdlRetries);
  phase.done({ command: args.join(' ') }, `alembic ${args.join(' ')} succeeded`);
}

// Growing pauses between tries (1 s, 2 s, 4 s... up to 30 s, randomised so replicas of other
// services spread out): the transaction in the way is often about to end.
const RETRY_PAUSES = { minTimeout: 1_000, factor: 2, maxTimeout: 30_000, randomize: true } as const;

/** Runs alembic, again up to `retries` times when a try failed on a lock timeout or a full server. */
async function runAlembicIn(phase: ReturnType<Phases['start']>, args: string[], context: MigrateContext, lock: AbortSignal, retries = 0): Promise<void> {
  const { signal, log } = context;
  const command = args.join(' ');
  let tries = 0;
  // The blockers last seen, kept across tries: a short try may end before a check catches it.
  const seen: { blockers: Blocker[] } = { blockers: [] };
  try {
    await pRetry(
      async () => {
        tries += 1;
        await runAlembicOnce(args, context, lock, seen);
      },
      {
        ...RETRY_PAUSES,
        retries,
        signal,
        shouldRetry: ({ error }) => transientFailure(error) !== undefined && !lock.aborted,
        onFailedAttempt: ({ error, retriesLeft }) => {
          const reason = transientFailure(error);
          if (reason && retriesLeft > 0 && !lock.aborted && !signal.aborted) {
            log.warn({ event: 'migrate', command, attempt: tries, retriesLeft, reason }, `alembic ${command} failed on a ${reason} and was rolled back; trying again (${retriesLeft} of MIGRATION_DDL_RETRIES=${retries} left)`);
          }
        },
      },
    );
  } catch (error) {
    phase.fail({ command }, `alembic ${command} failed`);
    if (signal.aborted) throw new InterruptedError(signal.reason as NodeJS.Signals);
    if (lock.aborted) {
      throw new SupervisorError('migrationFailed', `lost the migration lock while alembic ran (${String(lock.reason)}), so alembic was stopped: another replica could have started migrating; point DATABASE_URL at PostgreSQL itself or a session-mode pooler`);
    }
    if (transientFailure(error) && tries > 1) throw new SupervisorError('migrationFailed', `${(error as Error).message}; gave up after ${tries} tries (MIGRATION_DDL_RETRIES=${retries})`, (error as SupervisorError).details);
    throw error;
  }
}

async function runAlembicOnce(args: string[], { db, url, config, signal, log }: MigrateContext, lock: AbortSignal, seen: { blockers: Blocker[] }): Promise<void> {
  const applicationName = `${ALEMBIC_APPLICATION_PREFIX}${randomUUID().slice(0, 8)}`;
  const blockers = watchBlockers(db, applicationName, (found, blockedMs) =>
    log.warn({ event: 'blocked', blockers: found, blockedMs }, `alembic is waiting for a lock held by ${describeBlockers(found)}; new queries on the same table wait behind it`),
  );
  try {
    await runAlembic(args, { ...alembicOptions(config, AbortSignal.any([signal, lock]), log), applicationName, lockTimeoutMs: config.migrationDdlLockTimeoutMs });
  } catch (error) {
    await endSessionsNamed(url, applicationName);
    if (transientFailure(error) !== 'lock timeout') throw error;
    if (blockers.last.length > 0) seen.blockers = blockers.last;
    throw new SupervisorError(
      'migrationFailed',
      `alembic ${args.join(' ')} waited longer than MIGRATION_DDL_LOCK_TIMEOUT=${config.migrationDdlLockTimeoutMs / 1000}s for a lock, held by ${describeBlockers(seen.blockers)}, and was rolled back; end that transaction, or migrate when it is quieter`,
      { ...(error as SupervisorError).details, blockers: seen.blockers },
    );
  } finally {
    await blockers.stop();
  }
}

async function verifyAtHead({ db, scripts, phases }: MigrateContext): Promise<void> {
  const phase = phases.start('verify');
  const state = classify(await inspectDatabase(db), scripts);
  if (state.kind !== 'at-head') {
    phase.fail({ state }, 'the database is not at the script head after migrating');
    throw new SupervisorError('migrationFailed', `after migrating, the database is ${state.kind} instead of at head ${scripts.heads.join(', ')}; check the migration scripts and env.py (version_table, schema)`);
  }
  phase.done({ heads: state.heads }, `the database is at head ${state.heads.join(', ')}`);
}

function stillUnavailable(error: unknown): never {
  if (error instanceof ConnectionLostError) throw new SupervisorError('unavailable', `${error.message}, after alembic finished; run \`status\` to see where the database stands`);
  throw error;
}
