import { main } from '../main.js';
import type { CommandSpec } from './command.js';
import { ENV, EXIT, LOGGING } from './reference.js';

export const testMigrationsCommand: CommandSpec = {
  name: 'test-migrations',
  summary: 'test the migration scripts on a throwaway database: one head, upgrade, model match, stairway, clean downgrade',
  usage: 'test-migrations [--database-url URL] [--json]',
  takes: 'nothing',
  options: {
    'database-url': { type: 'string', valueName: 'URL', describe: 'an EMPTY database to test on, instead of a throwaway one created on the server of DATABASE_URL' },
    json: { type: 'boolean', describe: 'print a JSON report with per-revision timings on stdout (the log goes to stderr)' },
  },
  environment: [ENV.DATABASE_URL, ENV.ALEMBIC_CONFIG, ENV.ALEMBIC_COMMAND, ENV.DB_WAIT_TIMEOUT, ENV.MIGRATION_TIMEOUT, ENV.MIGRATION_TARGET, ...LOGGING],
  exitCodes: [
    { code: '0', meaning: 'every check passed' },
    EXIT.config,
    { code: '65', meaning: '--database-url is not empty' },
    { code: '69', meaning: 'the server is unavailable, or the role may not create a database (CREATEDB)' },
    { code: '70', meaning: 'a check failed: the report names the revision, the step and the error' },
  ],
  example: 'backend-supervisor test-migrations --json > migration-test.json',
  run: ({ options, env, cwd }) =>
    main({ name: 'test-migrations', json: options.json === true, ...(typeof options['database-url'] === 'string' ? { databaseUrl: options['database-url'] } : {}) }, env, cwd),
};
