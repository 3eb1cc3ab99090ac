import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.js';
import type { DatabaseUrl } from '../config/database-url.js';
import { whileConnected, type Connection } from '../db/connect.js';
import { inspectDatabase } from '../db/inspect.js';
import { endSessionsNamed } from '../db/sessions.js';
import { acquireMigrationLock, releaseMigrationLock } from '../db/lock.js';
import { SupervisorError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Phases } from '../phases.js';
import { alembicOptions, runAlembic } from './alembic.js';
import { describeFailure, withStateBefore } from './failure-policy.js';
import { classify, describePlan, plan, type DatabaseState, type Plan, type ScriptGraph } from './plan.js';

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
  try {
    return await withMigrationLock(context, async (lock) => {
      const current = await inspectAndPlan(context);
      refuseIfRefused(current);
      if (current.action === 'nothing') return current;
      try {
        await runPlan(current, context, lock);
      } catch (error) {
        throw await explainFailure(error, current.state, context);
      }
      await verifyAtHead(context);
      return current;
    });
  } catch (error) {
    throw withStateBefore(error, first.state);
  }
}

/** Names where a failed alembic run leaves the database, read again under the lock. */
async function explainFailure(error: unknown, before: DatabaseState, { db }: MigrateContext): Promise<unknown> {
  if (!(error instanceof SupervisorError) || error.kind !== 'migrationFailed') return error;
  const after = await inspectDatabase(db).catch((failure: unknown) => failure as Error);
  return describeFailure(error, before, after);
}

/** Runs `alembic <args>` under the migration lock (for rollback). */
export async function runUnderLock(args: string[], context: MigrateContext): Promise<void> {
  await withMigrationLock(context, async (lock) => {
    const before = classify(await inspectDatabase(context.db), context.scripts);
    const phase = context.phases.start('migrate');
    await runAlembicIn(phase, args, context, lock).catch(async (error: unknown) => {
      throw await explainFailure(error, before, context);
    });
    const versions = (await inspectDatabase(context.db)).versions;
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
  if (decided.action === 'stamp') {
    context.log.warn({ event: 'migrate', state: decided.state }, 'the database has tables but no Alembic version: stamping it at head (UNVERSIONED_DATABASE=stamp) without running migrations');
  }
  const args = decided.action === 'stamp' ? ['stamp', 'head'] : ['upgrade', 'head'];
  await runAlembicIn(phase, args, context, lock);
  phase.done({ command: args.join(' ') }, `alembic ${args.join(' ')} succeeded`);
}

async function runAlembicIn(phase: ReturnType<Phases['start']>, args: string[], { url, config, signal, log }: MigrateContext, lock: AbortSignal): Promise<void> {
  const applicationName = `backend-supervisor-alembic-${randomUUID().slice(0, 8)}`;
  try {
    await runAlembic(args, { ...alembicOptions(config, AbortSignal.any([signal, lock]), log), applicationName });
  } catch (error) {
    phase.fail({ command: args.join(' ') }, `alembic ${args.join(' ')} failed`);
    await endSessionsNamed(url, applicationName);
    if (lock.aborted && !signal.aborted) {
      throw new SupervisorError('migrationFailed', `lost the migration lock while alembic ran (${String(lock.reason)}), so alembic was stopped: another replica could have started migrating; point DATABASE_URL at PostgreSQL itself or a session-mode pooler`);
    }
    throw error;
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
