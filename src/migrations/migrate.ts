import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.js';
import type { DatabaseUrl } from '../config/database-url.js';
import { whileConnected, type Connection } from '../db/connect.js';
import { inspectDatabase, type DatabaseSnapshot } from '../db/inspect.js';
import { endSessionsNamed } from '../db/sessions.js';
import { acquireMigrationLock, releaseMigrationLock } from '../db/lock.js';
import { SupervisorError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Phases } from '../phases.js';
import { alembicOptions, runAlembic } from './alembic.js';
import { describeRevision, RevisionTracker, summarise, type RevisionRun } from './alembic-output.js';
import { migrationTarget } from './pending.js';
import { alembicArgs, classify, describePlan, plan, type Plan, type ScriptGraph } from './plan.js';
import type { MigrationAttempt } from './report.js';

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

/**
 * Inspect, plan, and only if there is work: lock, inspect again (another replica may have done
 * it meanwhile), run alembic, and verify that the database is now at the script head.
 */
export async function migrateToHead(context: MigrateContext): Promise<Plan> {
  context.attempt.target = migrationTarget(context.scripts, context.config.migrationTarget).heads;
  const first = await inspectAndPlan(context);
  if (first.action === 'nothing') return first;
  refuseIfRefused(first);
  return withMigrationLock(context, async (lock) => {
    const current = await inspectAndPlan(context);
    refuseIfRefused(current);
    if (current.action === 'nothing') return current;
    await runPlan(current, context, lock);
    await verifyAtHead(context);
    return current;
  });
}

/** Runs `alembic <args>` under the migration lock (for rollback), saying where the database stood before and after, also when it fails. */
export async function runUnderLock(args: string[], context: MigrateContext): Promise<void> {
  await withMigrationLock(context, async (lock) => {
    const before = (await readSnapshot(context)).versions;
    context.attempt.from = before;
    const phase = context.phases.start('migrate');
    const command = args.join(' ');
    let runs: RevisionRun[];
    try {
      runs = await runAlembicIn(phase, args, context, lock);
    } catch (error) {
      const after = await readSnapshot(context).then((snapshot) => snapshot.versions, () => undefined);
      context.log.error({ event: 'migrate', command, before, after: after ?? null }, `alembic ${command} failed; the database was at ${revisionsIn(before)} and is now at ${after ? revisionsIn(after) : 'an unknown revision (it could not be read)'}`);
      throw error;
    }
    const after = (await readSnapshot(context)).versions;
    phase.done({ command, before, versions: after, revisions: runs.length }, (ms) => `${summarise(runs, ms)}; the database went from ${revisionsIn(before)} to ${revisionsIn(after)}`);
  });
}

function revisionsIn(versions: readonly string[]): string {
  return versions.join(', ') || 'no revision';
}

/** The one place the version table is read: inspect, the fast path, verify and rollback all see the same table. */
function readSnapshot({ db, config }: MigrateContext): Promise<DatabaseSnapshot> {
  return inspectDatabase(db, config.versionTable);
}

async function inspectAndPlan(context: MigrateContext): Promise<Plan> {
  return (await inspectWithSnapshot(context)).decided;
}

/** The `inspect` phase: what the database holds and what to do about it. */
export async function inspectWithSnapshot(context: MigrateContext): Promise<{ snapshot: DatabaseSnapshot; decided: Plan }> {
  const { scripts, config, phases, log, attempt } = context;
  const phase = phases.start('inspect');
  const snapshot = await readSnapshot(context);
  attempt.from = snapshot.versions;
  if (snapshot.versionTableSource === 'discovered') {
    log.info({ event: 'inspect', versionTable: snapshot.versionTable }, `reading the version from ${snapshot.versionTable}, the only alembic version table in the database (env.py moved it); set ALEMBIC_VERSION_TABLE=${snapshot.versionTable} to say so`);
  }
  const decided = plan(classify(snapshot, scripts, config.migrationTarget), config);
  phase.done(
    { state: decided.state, plan: decided.action, versions: snapshot.versions, heads: scripts.heads, versionTable: snapshot.versionTable ?? null },
    `the database is ${describePlan(decided, config.migrationTarget)}`,
  );
  return { snapshot, decided };
}

function refuseIfRefused(decided: Plan): void {
  if (decided.action === 'refuse') throw new SupervisorError('refused', decided.reason, { state: decided.state.kind });
}

/** Runs `work` holding the lock; the signal it gets aborts if the connection holding the lock is lost. */
async function withMigrationLock<T>(context: MigrateContext, work: (lock: AbortSignal) => Promise<T>): Promise<T> {
  const { db, url, config, signal, log, phases } = context;
  const phase = phases.start('lock');
  let contended = false;
  await acquireMigrationLock(db, {
    url,
    timeoutMs: config.migrationLockTimeoutMs,
    signal,
    onContended: () => {
      contended = true;
      log.info({ event: 'lock' }, 'another replica is migrating; waiting for it to finish');
    },
  });
  phase.done({ waited: contended }, 'holding the migration lock');
  const held = whileConnected(db);
  try {
    return await work(held.signal);
  } finally {
    held.release();
    if (!signal.aborted && !held.signal.aborted) await releaseMigrationLock(db);
  }
}

async function runPlan(decided: Plan, context: MigrateContext, lock: AbortSignal): Promise<void> {
  const phase = context.phases.start('migrate');
  const target = context.config.migrationTarget;
  if (decided.action === 'stamp') {
    context.log.warn({ event: 'migrate', state: decided.state }, `the database has tables but no Alembic version: stamping it at ${target} (UNVERSIONED_DATABASE=stamp) without running migrations`);
  }
  const args = alembicArgs(decided, target) ?? ['upgrade', target];
  const runs = await runAlembicIn(phase, args, context, lock);
  phase.done({ command: args.join(' '), revisions: runs.length }, (ms) => (runs.length > 0 ? summarise(runs, ms) : `alembic ${args.join(' ')} succeeded`));
}

/** Runs alembic, logging a `revision` event for each revision as alembic reports it; resolves with them. */
async function runAlembicIn(phase: ReturnType<Phases['start']>, args: string[], { url, config, signal, log, scripts, attempt }: MigrateContext, lock: AbortSignal): Promise<RevisionRun[]> {
  const applicationName = `backend-supervisor-alembic-${randomUUID().slice(0, 8)}`;
  const tracker = new RevisionTracker(
    (id) => scripts.revisions.has(id),
    (run) => {
      attempt.revisions.push(run);
      logRevision(log, run);
    },
  );
  try {
    await runAlembic(args, { ...alembicOptions(config, AbortSignal.any([signal, lock]), log), applicationName, onLine: tracker.onLine });
    tracker.end(true);
    return tracker.runs;
  } catch (error) {
    tracker.end(false);
    phase.fail({ command: args.join(' ') }, `alembic ${args.join(' ')} failed`);
    await endSessionsNamed(url, applicationName);
    if (lock.aborted && !signal.aborted) {
      throw new SupervisorError('migrationFailed', `lost the migration lock while alembic ran (${String(lock.reason)}), so alembic was stopped: another replica could have started migrating; point DATABASE_URL at PostgreSQL itself or a session-mode pooler`);
    }
    throw withFailedRevision(error, tracker);
  }
}

function logRevision(log: Logger, run: RevisionRun): void {
  const name = describeRevision(run);
  const { outcome, ...fields } = run;
  if (outcome === 'failed') log.error({ event: 'revision', ...fields, outcome }, `revision ${name} failed after ${run.durationMs} ms`);
  else log.info({ event: 'revision', ...fields, outcome }, `${run.direction === 'upgrade' ? 'applied' : 'rolled back'} ${name} in ${run.durationMs} ms`);
}

/** A failed alembic run's error names the revision that failed and the exception it raised. */
function withFailedRevision(error: unknown, tracker: RevisionTracker): unknown {
  const { revision, exception } = tracker.failure;
  if (!(error instanceof SupervisorError) || error.kind !== 'migrationFailed' || (!revision && !exception)) return error;
  const what = revision ? `revision ${describeRevision(revision)} failed` : 'alembic failed';
  return new SupervisorError(error.kind, `${what}${exception ? `: ${exception}` : ''}; ${error.message}`, {
    ...error.details,
    ...(revision ? { revision: revision.revision } : {}),
    ...(exception ? { exception } : {}),
  });
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
