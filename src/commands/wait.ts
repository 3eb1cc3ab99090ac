import { main } from '../main.js';
import type { CommandSpec } from './command.js';
import { ENV, EXIT, LOGGING } from './reference.js';

export const wait: CommandSpec = {
  name: 'wait',
  summary: 'wait for the database; exit 0, or 69 if it did not come up in time',
  usage: 'wait',
  takes: 'nothing',
  options: {},
  environment: [ENV.DATABASE_URL, ENV.DB_WAIT_TIMEOUT, ...LOGGING],
  exitCodes: [EXIT.ok, EXIT.config, EXIT.unavailable],
  example: 'DB_WAIT_TIMEOUT=30 backend-supervisor wait && ./seed-data.sh',
  run: ({ env, cwd }) => main({ name: 'wait' }, env, cwd),
};
