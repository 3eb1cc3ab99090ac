import { randomUUID } from 'node:crypto';
import pRetry from 'p-retry';
import type { Config } from '../config/config.js';
import type { DatabaseUrl } from '../config/database-url.js';
import { describeBlockers, watchBlockers, type Blocker } from '../db/blockers.js';
import { disconnect, whileConnected, type Connection } from '../db/connect.js';
import { ConnectionLostError, isConnectionLost } from '../db/connection-errors.js';
import { inspectDatabase, type DatabaseSnapshot } from '../db/inspect.js';
import { endSessionsNamed, endSessionsStartingWith } from '../db/sessions.js';
import { describeHolder, releaseMigrationLock, tryMigrationLock, waitForMigrationLock } from '../db/lock.js';
import { connectWhenAvailable } from '../db/wait.js';
import { InterruptedError, SupervisorError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Phases } from '../phases.js';
import { alembicOptions, runAlembic, transientFailure } from './alembic.js';
import { describeFailure, withStateBefore } from './failure-policy.js';
import { migrationTarget } from './pending.js';
import { alembicArgs, classify, describePlan, plan, planWithoutScripts, type DatabaseState, type Plan, type ScriptGraph } from './plan.js';
import type { MigrationAttempt } from './report.js';
import { describeRevision, RevisionTracker, summarise, type RevisionRun } from './revision-runs.js';
import { ScriptsReading } from './scripts-reading.js';

export interface MigrateContext {
  db: Connection;
  /** For side connections that end stopped sessions. */
  url: DatabaseUrl;
  scripts: ScriptGraph;
  config: Config;
  signal: AbortSignal;
  log: Logger;
  phases: Phases;
  /** What this attempt did, for MIGRATION_REPORT. */
  attempt: MigrationAttempt;
}

/** What migrateToHead starts with: the scripts may still be being read. */
export type MigrateStart = Omit<MigrateContext, 'scripts'> & { scripts: ScriptsReading };

/**
 * Inspect, plan, and only if there is work: lock, inspect again (another replica may have done
 * it meanwhile), run alembic, and verify that the database is now at the script head.
 */
export async function migrateToHead(context: MigrateStart): Promise<Plan> {
  const { scripts, attempt, config } = context;
  void scripts.read.then((graph) => (attempt.target = migrationTarget(graph, config.migrationTarget).heads), () => {});
  const first = (await inspectWithSnapshot(context)).decided;
  if (first.action === 'nothing') return first;
  refuseIfRefused(first);
  try {
    return await withMigrationLock(context, async (locked, lock) => {
      const { snapshot, decided: current } = await inspectWithSnapshot(locked);
      refuseIfRefused(current);
      if (current.action === 'nothing') return current;
      const refused = scripts.graph ? undefined : refusalOnceRead(snapshot, locked);
      const stop = new AbortController();
      void refused?.then((reason) => reason && stop.abort(reason));
      try {
        await runPlan(current, locked, AbortSignal.any([lock, stop.signal]));
      } catch (error) {
        // Planned before the scripts were read: if they refuse the plan, that is why alembic stopped.
        throw (await refused) ?? (await explainFailure(error, current.state, locked));
      }
      await verifyAtHead({ ...locked, scripts: await scripts.read });
      return current;
    });
  } catch (error) {
    throw withStateBefore(error, first.state);
  }
}

/**
 * Planned before the scripts were read (an empty database): what they say once read. A refusal
 * (several heads, which alembic refuses too, before it changes anything) or a failure to read them
 * is the error to report, and stops alembic if it still runs.
 */
async function refusalOnceRead(snapshot: DatabaseSnapshot, { scripts, config }: MigrateStart): Promise<unknown> {
  try {
    const decided = plan(classify(snapshot, await scripts.read, config.migrationTarget), config);
    return decided.action === 'refuse' ? refusal(decided) : undefined;
  } catch (failure) {
    return failure;
  }
}

/** Names where a failed alembic run leaves the database, read again under the lock. */
async function explainFailure(error: unknown, before: DatabaseState, context: SnapshotContext): Promise<unknown> {
  if (!(error instanceof SupervisorError) || error.kind !== 'migrationFailed') return error;
  const after = await readSnapshot(context).catch((failure: unknown) => failure as Error);
  return describeFailure(error, before, after);
}

/** Runs `alembic <args>` under the migration lock (for rollback), saying where the database stood before and after, also when it fails. */
export async function runUnderLock(args: string[], context: MigrateContext): Promise<void> {
  await withMigrationLock(context, async (locked, lock) => {
    const beforeSnapshot = await readSnapshot(locked);
    const before = beforeSnapshot.versions;
    context.attempt.from = before;
    const phase = context.phases.start('migrate');
    const command = args.join(' ');
    let runs: RevisionRun[];
    try {
      runs = await runAlembicIn(phase, args, { ...locked, scripts: ScriptsReading.done(locked.scripts) }, lock);
    } catch (error) {
      const after = await readSnapshot(locked).then((snapshot) => snapshot.versions, () => undefined);
      context.log.error({ event: 'migrate', command, before, after: after ?? null }, `alembic ${command} failed; the database was at ${revisionsIn(before)} and is now at ${after ? revisionsIn(after) : 'an unknown revision (it could not be read)'}`);
      throw await explainFailure(error, classify(beforeSnapshot, context.scripts, context.config.migrationTarget), locked);
    }
    // Lost now, the connection must not send us back to waiting: that would run the downgrade twice.
    const after = (await readSnapshot(locked).catch(stillUnavailable)).versions;
    phase.done({ command, before, versions: after, revisions: runs.length }, (ms) => `${summarise(runs, ms)}; the database went from ${revisionsIn(before)} to ${revisionsIn(after)}`);
  });
}

function revisionsIn(versions: readonly string[]): string {
  return versions.join(', ') || 'no revision';
}

/**
 * The one place the version table is read: inspect, the fast path, verify and rollback all see the
 * same table. The latest read is where the database stands, which the attempt's report says (`to`).
 */
type SnapshotContext = Pick<MigrateContext, 'db' | 'config' | 'attempt'>;

async function readSnapshot({ db, config, attempt }: SnapshotContext): Promise<DatabaseSnapshot> {
  const snapshot = await inspectDatabase(db, config.versionTable);
  attempt.to = snapshot.versions;
  return snapshot;
}

/**
 * The `inspect` phase: what the database holds and what to do about it. An empty database is
 * upgraded without waiting for scripts still being read (see refusalOnceRead); any other state is
 * planned from them.
 */
export async function inspectWithSnapshot(context: MigrateStart): Promise<{ snapshot: DatabaseSnapshot; decided: Plan }> {
  const { scripts, config, phases, log, attempt } = context;
  const phase = phases.start('inspect');
  const snapshot = await readSnapshot(context);
  attempt.from = snapshot.versions;
  if (snapshot.versionTableSource === 'discovered') {
    log.info({ event: 'inspect', versionTable: snapshot.versionTable }, `reading the version from ${snapshot.versionTable}, the only alembic version table in the database (env.py moved it); set ALEMBIC_VERSION_TABLE=${snapshot.versionTable} to say so`);
  }
  const decided = (scripts.graph ? undefined : planWithoutScripts(snapshot)) ?? plan(classify(snapshot, await scripts.read, config.migrationTarget), config);
  phase.done(
    { state: decided.state, plan: decided.action, versions: snapshot.versions, heads: scripts.graph?.heads ?? null, versionTable: snapshot.versionTable ?? null },
    `the database is ${describePlan(decided, config.migrationTarget)}${scripts.graph ? '' : ' (the scripts are still being read)'}`,
  );
  return { snapshot, decided };
}

function refuseIfRefused(decided: Plan): void {
  if (decided.action === 'refuse') throw refusal(decided);
}

function refusal(decided: Extract<Plan, { action: 'refuse' }>): SupervisorError {
  return new SupervisorError('refused', decided.reason, { state: decided.state.kind });
}

/** The PGAPPNAME of every alembic a supervisor starts: how a dead supervisor's alembic session is found. */
const ALEMBIC_APPLICATION_PREFIX = 'backend-supervisor-alembic-';

/**
 * Runs `work` holding the lock, on the context of the connection holding it; the signal it gets
 * aborts if that connection is lost. A replica that must wait gives its connection back meanwhile.
 */
async function withMigrationLock<C extends Omit<MigrateContext, 'scripts'>, T>(context: C, work: (locked: C, lock: AbortSignal) => Promise<T>): Promise<T> {
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

async function runPlan(decided: Plan, context: MigrateStart, lock: AbortSignal): Promise<void> {
  const phase = context.phases.start('migrate');
  const target = context.config.migrationTarget;
  if (decided.action === 'stamp') {
    context.log.warn({ event: 'migrate', state: decided.state }, `the database has tables but no Alembic version: stamping it at ${target} (UNVERSIONED_DATABASE=stamp) without running migrations`);
  }
  const args = alembicArgs(decided, target) ?? ['upgrade', target];
  // `upgrade head(s)` and `stamp head(s)` may simply run again after a try that was rolled back.
  const runs = await runAlembicIn(phase, args, context, lock, context.config.migrationDdlRetries);
  phase.done({ command: args.join(' '), revisions: runs.length }, (ms) => (runs.length > 0 ? summarise(runs, ms) : `alembic ${args.join(' ')} succeeded`));
}

// Growing pauses between tries (1 s, 2 s, 4 s... up to 30 s, randomised so replicas of other
// services spread out): the transaction in the way is often about to end.
const RETRY_PAUSES = { minTimeout: 1_000, factor: 2, maxTimeout: 30_000, randomize: true } as const;

/**
 * Runs alembic, again up to `retries` times when a try failed on a lock timeout or a full server;
 * logs a `revision` event for each revision as alembic reports it, and resolves with the last try's.
 */
async function runAlembicIn(phase: ReturnType<Phases['start']>, args: string[], context: MigrateStart, lock: AbortSignal, retries = 0): Promise<RevisionRun[]> {
  const { signal, log } = context;
  const command = args.join(' ');
  let tries = 0;
  // The blockers last seen, kept across tries: a short try may end before a check catches it.
  const seen: { blockers: Blocker[] } = { blockers: [] };
  try {
    return await pRetry(
      async () => {
        tries += 1;
        return await runAlembicOnce(args, context, lock, seen);
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

async function runAlembicOnce(args: string[], { db, url, config, signal, log, scripts, attempt }: MigrateStart, lock: AbortSignal, seen: { blockers: Blocker[] }): Promise<RevisionRun[]> {
  const applicationName = `${ALEMBIC_APPLICATION_PREFIX}${randomUUID().slice(0, 8)}`;
  // Each try runs in one transaction: a try that was rolled back applied nothing the report should count.
  attempt.revisions.length = 0;
  const tracker = new RevisionTracker(
    (id) => scripts.graph?.revisions.has(id) === true,
    (run) => {
      attempt.revisions.push(run);
      logRevision(log, run);
    },
  );
  const lines = scripts.linesFor(tracker);
  const blockers = watchBlockers(db, applicationName, (found, blockedMs) =>
    log.warn({ event: 'blocked', blockers: found, blockedMs }, `alembic is waiting for a lock held by ${describeBlockers(found)}; new queries on the same table wait behind it`),
  );
  try {
    await runAlembic(args, { ...alembicOptions(config, AbortSignal.any([signal, lock]), log), applicationName, lockTimeoutMs: config.migrationDdlLockTimeoutMs, onLine: lines.onLine });
    await lines.flush();
    tracker.end(true);
    return tracker.runs;
  } catch (error) {
    await lines.flush().catch(() => {});
    tracker.end(false);
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

function logRevision(log: Logger, run: RevisionRun): void {
  const name = describeRevision(run);
  const { outcome, ...fields } = run;
  if (outcome === 'failed') log.error({ event: 'revision', ...fields, outcome }, `revision ${name} failed after ${run.durationMs} ms`);
  else log.info({ event: 'revision', ...fields, outcome }, `${run.direction === 'upgrade' ? 'applied' : 'rolled back'} ${name} in ${run.durationMs} ms`);
}

async function verifyAtHead(context: MigrateContext): Promise<void> {
  const { scripts, config, phases } = context;
  const phase = phases.start('verify');
  const state = classify(await readSnapshot(context), scripts, config.migrationTarget);
  if (state.kind !== 'at-head') {
    phase.fail({ state }, 'the database is not at the script head after migrating');
    throw new SupervisorError('migrationFailed', notAtHeadMessage(state, scripts));
  }
  phase.done({ heads: state.heads }, `the database is at head ${state.heads.join(', ')}`);
}

function notAtHeadMessage(state: ReturnType<typeof classify>, scripts: ScriptGraph): string {
  const heads = scripts.heads.join(', ');
  if (state.kind !== 'behind') {
    return `after migrating, the database is ${state.kind} instead of at head ${heads}; check the migration scripts and env.py (version_table, version_table_schema: set ALEMBIC_VERSION_TABLE to match)`;
  }
  // alembic said it succeeded, yet the version stopped short: a revision ended alembic's transaction
  // itself, so everything after it ran in a transaction nobody committed.
  const next = [...scripts.revisions].filter(([, parents]) => parents.some((parent) => state.current.includes(parent))).map(([revision]) => revision).sort();
  const suspect = next.length > 0 ? `; revision ${next.join(' or ')} probably commits its own transaction (op.get_bind().commit(), autocommit_block())` : '';
  return `after migrating, the database stopped at ${state.current.join(', ')} instead of head ${heads}, although alembic reported success${suspect}; the work after that commit was lost. Set transaction_per_migration=True in env.py's context.configure(...) so each revision commits on its own, then migrate again`;
}

function stillUnavailable(error: unknown): never {
  if (error instanceof ConnectionLostError) throw new SupervisorError('unavailable', `${error.message}, after alembic finished; run \`status\` to see where the database stands`);
  throw error;
}
