import { SupervisorError } from '../errors.js';

/**
 * ON_MIGRATION_FAILURE=continue lets `run` start the app after a failure of migrating itself
 * (alembic failed, the lock timed out, the database is at an unknown revision). Configuration
 * errors, an unavailable database, several heads and a refused unversioned database always stop.
 */
export function mayStartAppDespite(error: unknown, onMigrationFailure: 'continue' | 'exit'): boolean {
  if (onMigrationFailure === 'exit' || !(error instanceof SupervisorError)) return false;
  return error.kind === 'migrationFailed' || error.kind === 'lockTimeout' || (error.kind === 'refused' && error.details.state === 'unknown-revision');
}
