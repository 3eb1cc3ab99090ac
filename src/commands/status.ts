import { main } from '../main.js';
import type { CommandSpec } from './command.js';
import { ENV, EXIT, LOGGING } from './reference.js';

export const status: CommandSpec = {
  name: 'status',
  summary: 'print the database state and what `migrate` would do; changes nothing',
  usage: 'status',
  takes: 'nothing',
  options: {},
  environment: [ENV.DATABASE_URL, ENV.ALEMBIC_CONFIG, ENV.ALEMBIC_COMMAND, ENV.DB_WAIT_TIMEOUT, ...LOGGING],
  exitCodes: [EXIT.ok, EXIT.config, EXIT.refused, EXIT.unavailable],
  example: 'backend-supervisor status',
  run: ({ env, cwd }) => main({ name: 'status' }, env, cwd),
};
