import { SupervisorError } from '../errors.js';
import { alembicOptions, runAlembic } from './alembic.js';
import { describeRevision, RevisionTracker } from './revision-runs.js';
import type { MigrateContext } from './migrate.js';
import type { DatabaseSnapshot, Plan } from './plan.js';

/**
 * The SQL `migrate` would run, from alembic's offline mode (`upgrade CURRENT:TARGET --sql`), for
 * review or a linter. Needs an env.py with an offline branch (alembic's template has one).
 */
export async function renderUpgradeSql(decided: Plan, snapshot: DatabaseSnapshot, target: { heads: string[]; argument: string }, context: MigrateContext): Promise<string> {
  if (decided.action === 'nothing') return `-- the database is at ${target.heads.join(', ')}: migrate has nothing to run\n`;
  if (decided.action === 'refuse') throw new SupervisorError('refused', decided.reason, { state: decided.state.kind });
  const args = decided.action === 'stamp' ? ['stamp', target.argument, '--sql'] : ['upgrade', upgradeRange(snapshot.versions, target.argument), '--sql'];
  const { config, signal, log, scripts } = context;
  const tracker = new RevisionTracker((id) => scripts.revisions.has(id));
  try {
    const sql = await runAlembic(args, { ...alembicOptions(config, signal, log), echoLevel: 'debug', onLine: tracker.onLine });
    return `${sql.join('\n')}\n`;
  } catch (error) {
    if (!(error instanceof SupervisorError) || error.kind !== 'migrationFailed') throw error;
    tracker.end(false);
    const { revision, exception } = tracker.failure;
    const what = revision ? `revision ${describeRevision(revision)}` : `alembic ${args.join(' ')}`;
    throw new SupervisorError(
      'migrationFailed',
      `${what} cannot be rendered as SQL offline: ${exception ?? error.message}; a revision that reads from the database (op.get_bind()) only runs online, and env.py needs an offline branch (context.is_offline_mode())`,
      { ...error.details, command: `alembic ${args.join(' ')}`, ...(revision ? { revision: revision.revision } : {}), ...(exception ? { exception } : {}) },
    );
  }
}

function upgradeRange(current: readonly string[], target: string): string {
  if (current.length === 0) return target;
  if (current.length > 1) {
    throw new SupervisorError('migrationFailed', `the database is at several revisions (${current.join(', ')}) and alembic's offline mode starts from one; render each branch with alembic upgrade REV:${target} --sql`);
  }
  return `${current[0]}:${target}`;
}
