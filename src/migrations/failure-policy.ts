import { SupervisorError } from '../errors.js';
import type { AlembicFailure } from './alembic-output.js';
import type { DatabaseSnapshot, DatabaseState } from './plan.js';

/**
 * ON_MIGRATION_FAILURE=continue lets `run` start the app after a failure of migrating itself
 * (alembic failed, the lock timed out) only when the database already had a version the app ran
 * on (behind): an app started on an empty or unversioned database only serves errors. An unknown
 * revision (a newer image migrated) also continues, as before. Configuration errors, an
 * unavailable database, several heads and a refused unversioned database always stop.
 */
export function mayStartAppDespite(error: unknown, onMigrationFailure: 'continue' | 'exit'): boolean {
  if (onMigrationFailure === 'exit' || !(error instanceof SupervisorError)) return false;
  if (error.kind === 'refused') return error.details.state === 'unknown-revision';
  return (error.kind === 'migrationFailed' || error.kind === 'lockTimeout') && error.details.stateBefore === 'behind';
}

/** The error `run` stops with under ON_MIGRATION_FAILURE=continue, saying why continuing did not apply. */
export function stopDespiteContinue(error: unknown, onMigrationFailure: 'continue' | 'exit'): unknown {
  if (onMigrationFailure === 'exit' || !(error instanceof SupervisorError) || (error.kind !== 'migrationFailed' && error.kind !== 'lockTimeout') || error.details.stateBefore === undefined) return error;
  return new SupervisorError(
    error.kind,
    `${error.message}; ON_MIGRATION_FAILURE=continue does not start the app: the database was ${String(error.details.stateBefore)} before, with no version the app ran on`,
    error.details,
  );
}

export type PermanentCause = 'read-only' | 'privilege' | 'alembic-missing';

const PERMANENT: ReadonlyArray<{ cause: PermanentCause; pattern: RegExp; hint: string }> = [
  {
    cause: 'read-only',
    pattern: /ReadOnlySqlTransaction|read-only transaction/i,
    hint: 'the database is read-only (a hot standby, default_transaction_read_only, or a read-only role); point DATABASE_URL at the primary, with a role that may write',
  },
  {
    cause: 'privilege',
    pattern: /InsufficientPrivilege|permission denied for|must be owner of/i,
    hint: 'the user in DATABASE_URL lacks a privilege the migration needs (e.g. CREATE on the schema, or ownership of the table); grant it, or migrate as the schema owner',
  },
  {
    cause: 'alembic-missing',
    pattern: /No module named '?alembic\b|alembic: (command )?not found/i,
    hint: 'alembic is not installed where ALEMBIC_COMMAND looks; install it in the image or set ALEMBIC_COMMAND, e.g. "python -m alembic"',
  },
];

/** A cause of failure that retrying cannot fix, recognised in alembic's exception. */
export function permanentCause(exception: string | undefined): { cause: PermanentCause; hint: string } | undefined {
  if (!exception) return undefined;
  return PERMANENT.find(({ pattern }) => pattern.test(exception));
}

/** Records the state the database was in before migrating, which ON_MIGRATION_FAILURE=continue looks at. */
export function withStateBefore(error: unknown, before: DatabaseState): unknown {
  if (!(error instanceof SupervisorError) || error.details.stateBefore !== undefined) return error;
  return new SupervisorError(error.kind, error.message, { ...error.details, stateBefore: before.kind });
}

/**
 * A failed alembic run, in one message: the revision it failed in, the exception's last line, a
 * permanent cause named as such, and where the database stands afterwards (`after`: inspected
 * again, or why that failed).
 */
export function describeFailure(error: SupervisorError, before: DatabaseState, after: DatabaseSnapshot | Error): SupervisorError {
  const alembic = (error.details.alembic ?? {}) as AlembicFailure;
  const permanent = error.details.cause === 'alembic-missing' ? PERMANENT.find(({ cause }) => cause === 'alembic-missing') : permanentCause(alembic.exception);
  const where = alembic.revision ? ` in revision ${alembic.revision} (${alembic.step})` : ' before running any revision';
  const exception = alembic.exception && error.details.cause === undefined ? `: ${alembic.exception}` : '';
  const cause = permanent ? `; permanent: ${permanent.hint}` : '';
  const { alembic: _, ...details } = error.details;
  return new SupervisorError('migrationFailed', `${error.message}${where}${exception}${cause}; ${standing(before, after)}`, {
    ...details,
    stateBefore: before.kind,
    ...(alembic.revision ? { revision: alembic.revision } : {}),
    ...(alembic.exception ? { exception: alembic.exception } : {}),
    ...(permanent ? { cause: permanent.cause } : {}),
    ...(after instanceof Error ? {} : { versions: after.versions }),
  });
}

function standing(before: DatabaseState, after: DatabaseSnapshot | Error): string {
  if (after instanceof Error) return `the database could not be read afterwards (${after.message})`;
  const was = describeBefore(before);
  const now = after.versions.length > 0 ? `at ${[...after.versions].sort().join(', ')}` : after.userTables.length > 0 ? 'unversioned (tables, no Alembic version)' : 'empty';
  return now === was ? `after the rollback the database is ${now}, as before` : `the database is now ${now} (it was ${was}): some revisions were committed before the failure`;
}

function describeBefore(state: DatabaseState): string {
  switch (state.kind) {
    case 'behind':
      return `at ${state.current.join(', ')}`;
    case 'unversioned':
      return 'unversioned (tables, no Alembic version)';
    case 'at-head':
      return `at ${state.heads.join(', ')}`;
    case 'unknown-revision':
      return `at ${state.unknown.join(', ')}`;
    default:
      return 'empty';
  }
}
