import { main } from '../main.js';
import type { CommandSpec } from './command.js';
import { ENV, EXIT, LOGGING, MIGRATION, MIGRATION_EXITS } from './reference.js';

export const migrate: CommandSpec = {
  name: 'migrate',
  summary: 'one-shot: wait, migrate, verify, exit (for a Kubernetes Job, `docker compose run` or CI)',
  usage: 'migrate',
  takes: 'nothing',
  options: {},
  environment: [ENV.RUN_MIGRATIONS, ENV.SKIP_MIGRATIONS, ...MIGRATION, ...LOGGING],
  exitCodes: [EXIT.ok, ...MIGRATION_EXITS],
  example: 'DATABASE_URL=postgresql://app:secret@db:5432/app backend-supervisor migrate',
  run: ({ env, cwd }) => main({ name: 'run', app: [], migrateOnly: true, processGroup: false }, env, cwd),
};
