/**
 * The checks, in the order they run on one fresh database:
 *   heads      one head (or several with MIGRATION_TARGET=heads), read from the scripts;
 *   upgrade    base to head, one revision at a time;
 *   model      at head, `alembic check` when env.py gives alembic a target_metadata;
 *   stairway   head to base, each revision down, up again and down again: every revision is thus
 *              up (in `upgrade`), down, up again, with only its ancestors applied, as in the
 *              classic stairway, while the plain upgrade still runs first on an untouched database;
 *   leftovers  at base, no table, view, sequence or type that was not there before the first upgrade.
 * The first failure stops the run: later checks would test a database in an unknown state.
 */
import { monotonicMs } from '../clock.js';
import { SupervisorError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ScriptGraph } from '../migrations/plan.js';
import { alembicSaid, blameLeftovers, downgradeOne, errorLine, leftOver, noTargetMetadata, upgradeTo, type SchemaObject } from './plan.js';
import { logCheck, type CheckName, type CheckResult, type Failure, type RevisionTimings, type Step } from './report.js';

export interface CheckContext {
  scripts: ScriptGraph;
  target: 'head' | 'heads';
  /** The revisions, parents before children. */
  walk: string[];
  /** Runs alembic against the test database; throws SupervisorError('migrationFailed') when it fails. */
  alembic: (args: string[]) => Promise<unknown>;
  /** The user objects of the test database, the version table left out. */
  objects: () => Promise<SchemaObject[]>;
  log: Logger;
}

/** A check found a problem: the report's failure. */
export class CheckFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.error);
    this.name = 'CheckFailure';
  }
}

type Outcome = { status: 'passed' | 'skipped'; summary: string };

/** What the database checks learn along the way, for the ones that come after. */
class Walk {
  readonly timings = new Map<string, RevisionTimings>();
  readonly beforeUpgrade = new Map<string, SchemaObject[]>();
  readonly afterDowngrade = new Map<string, SchemaObject[]>();
  baseline: SchemaObject[] = [];

  constructor(readonly context: CheckContext) {}

  /** One alembic run of one revision, timed; a failure becomes the check's failure. */
  async step(check: CheckName, step: Step, revision: string, args: string[], timing: Exclude<keyof RevisionTimings, 'revision'>): Promise<void> {
    const startedAt = monotonicMs();
    try {
      await this.context.alembic(args);
    } catch (error) {
      if (!(error instanceof SupervisorError && error.kind === 'migrationFailed')) throw error;
      const output = alembicSaid(error) ?? '';
      // "exited with code N": alembic's exception says why. Stopped by MIGRATION_TIMEOUT or a signal: the message does.
      const reason = output && /exited with code/.test(error.message) ? errorLine(output) : error.message;
      throw new CheckFailure({ check, step, revision, error: reason, command: `alembic ${args.join(' ')}` });
    }
    const durationMs = Math.round(monotonicMs() - startedAt);
    const timings = this.timings.get(revision) ?? { revision };
    this.timings.set(revision, { ...timings, [timing]: durationMs });
    this.context.log.info({ event: 'step', check, step, revision, durationMs }, `${step} ${revision}`);
  }
}

const DATABASE_CHECKS: Array<[CheckName, (walk: Walk) => Promise<Outcome>]> = [
  ['upgrade', upgrade],
  ['model', model],
  ['stairway', stairway],
  ['leftovers', leftovers],
];

/** The heads check needs no database: a history with stray heads fails before one is created. */
export function checkHeads({ scripts, target }: Pick<CheckContext, 'scripts' | 'target'>): { result: CheckResult; failure?: Failure } {
  const { heads } = scripts;
  if (heads.length > 1 && target === 'head') {
    const error = `the scripts have ${heads.length} heads (${heads.join(', ')}); merge them with 'alembic merge heads', or set MIGRATION_TARGET=heads if the project keeps several heads on purpose`;
    return {
      result: { name: 'heads', status: 'failed', durationMs: 0, summary: error },
      failure: { check: 'heads', step: 'heads', revision: heads.join(', '), error },
    };
  }
  const summary = heads.length === 0 ? 'no revisions' : heads.length === 1 ? `one head, ${heads[0]}` : `${heads.length} heads (${heads.join(', ')}), MIGRATION_TARGET=heads`;
  return { result: { name: 'heads', status: 'passed', durationMs: 0, summary } };
}

/**
 * Runs the database checks in order, logging each; stops at the first failure, marking the rest
 * not run. Resolves with every check's result, the per-revision timings and the failure if any.
 */
export async function runDatabaseChecks(context: CheckContext): Promise<{ results: CheckResult[]; timings: RevisionTimings[]; failure?: Failure }> {
  const walk = new Walk(context);
  const results: CheckResult[] = [];
  let failure: Failure | undefined;
  for (const [name, check] of DATABASE_CHECKS) {
    if (failure) {
      results.push({ name, status: 'not-run', durationMs: 0, summary: `not run: check ${failure.check} failed` });
      continue;
    }
    const startedAt = monotonicMs();
    const elapsed = () => Math.round(monotonicMs() - startedAt);
    try {
      const outcome = await check(walk);
      results.push({ name, ...outcome, durationMs: elapsed() });
    } catch (error) {
      if (!(error instanceof CheckFailure)) throw error;
      failure = error.failure;
      results.push({ name, status: 'failed', durationMs: elapsed(), summary: `revision ${failure.revision}, step ${failure.step}: ${failure.error}` });
    }
    logCheck(context.log, results.at(-1) as CheckResult);
  }
  const timings = context.walk.flatMap((revision) => walk.timings.get(revision) ?? []);
  return failure ? { results, timings, failure } : { results, timings };
}

async function upgrade(walk: Walk): Promise<Outcome> {
  const { walk: order, objects } = walk.context;
  walk.baseline = await objects();
  for (const revision of order) {
    walk.beforeUpgrade.set(revision, await objects());
    await walk.step('upgrade', 'upgrade', revision, upgradeTo(revision), 'upgradeMs');
  }
  return { status: 'passed', summary: `base to ${headsText(walk)}, one revision at a time (${order.length} revisions)` };
}

async function model(walk: Walk): Promise<Outcome> {
  const { alembic } = walk.context;
  try {
    await alembic(['check']);
  } catch (error) {
    const output = alembicSaid(error) ?? '';
    if (output && noTargetMetadata(output)) {
      return { status: 'skipped', summary: "env.py gives alembic no target_metadata, so there is no model to compare with the migrations: set target_metadata (e.g. Base.metadata) in env.py's context.configure() to enable this check" };
    }
    if (!(error instanceof SupervisorError && error.kind === 'migrationFailed')) throw error;
    throw new CheckFailure({ check: 'model', step: 'model', revision: headsText(walk), error: output ? errorLine(output) : error.message, command: 'alembic check' });
  }
  return { status: 'passed', summary: `the models match the database at ${headsText(walk)} (alembic check)` };
}

async function stairway(walk: Walk): Promise<Outcome> {
  const { walk: order, scripts, objects } = walk.context;
  for (const revision of [...order].reverse()) {
    const down = downgradeOne(revision, scripts.revisions.get(revision) ?? []);
    await walk.step('stairway', 'downgrade', revision, down, 'downgradeMs');
    await walk.step('stairway', 're-upgrade', revision, upgradeTo(revision), 'reupgradeMs');
    await walk.step('stairway', 'downgrade', revision, down, 'downgradeAgainMs');
    walk.afterDowngrade.set(revision, await objects());
  }
  return { status: 'passed', summary: `${order.length} revisions, each down, up again and down, from ${headsText(walk)} to base` };
}

async function leftovers(walk: Walk): Promise<Outcome> {
  const left = leftOver(walk.baseline, await walk.context.objects());
  if (left.length === 0) return { status: 'passed', summary: 'no table, view, sequence or type is left at base' };
  const blamed = blameLeftovers(walk.context.walk, walk.beforeUpgrade, walk.afterDowngrade, left);
  throw new CheckFailure({
    check: 'leftovers',
    step: 'leftovers',
    revision: blamed?.revision ?? 'base',
    error: `after downgrading to base, the database still has ${left.join(', ')}${blamed ? `: the downgrade of ${blamed.revision} leaves ${blamed.objects.join(', ')} behind` : ''}`,
  });
}

function headsText(walk: Walk): string {
  const { heads } = walk.context.scripts;
  return heads.length === 0 ? 'base' : heads.join(', ');
}
