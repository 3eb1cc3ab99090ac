import { main } from '../main.js';
import type { CommandSpec } from './command.js';
import { usageError } from './parse.js';
import { ENV, EXIT, LOGGING } from './reference.js';

export const status: CommandSpec = {
  name: 'status',
  summary: 'print the database state, the target and every pending revision; changes nothing (a CI gate)',
  usage: 'status [--json | --sql]',
  takes: 'nothing',
  options: {
    json: { type: 'boolean', describe: 'print one JSON document (state, current, target, pending revisions)' },
    sql: { type: 'boolean', describe: "print the SQL `migrate` would run (alembic's offline mode), for review or a linter" },
  },
  environment: [ENV.DATABASE_URL, ENV.ALEMBIC_CONFIG, ENV.ALEMBIC_COMMAND, ENV.ALEMBIC_VERSION_TABLE, ENV.MIGRATION_TARGET, ENV.UNVERSIONED_DATABASE, { ...ENV.DB_WAIT_TIMEOUT, default: '5' }, ...LOGGING],
  exitCodes: [
    { code: '0', meaning: 'the database is at the target: `migrate` would do nothing' },
    { code: '1', meaning: '`migrate` would change the database (empty, unversioned, behind)' },
    EXIT.config,
    { code: '65', meaning: '`migrate` would refuse (ahead of the scripts, several heads, unversioned with refuse)' },
    EXIT.unavailable,
    { code: '70', meaning: '--sql: a pending revision cannot be rendered offline (named in the error)' },
  ],
  example: 'backend-supervisor status --json',
  run: ({ options, env, cwd }) => {
    const json = options.json === true;
    const sql = options.sql === true;
    if (json && sql) throw usageError('status', '--json and --sql cannot be used together');
    return main({ name: 'status', json, sql }, env, cwd);
  },
};
