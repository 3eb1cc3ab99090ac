import { main } from '../main.js';
import type { CommandSpec } from './command.js';
import { ENV, EXIT, LOGGING, MIGRATION, MIGRATION_EXITS } from './reference.js';

export const run: CommandSpec = {
  name: 'run',
  summary: 'wait, migrate, then run the app command as a supervised child (the default command)',
  usage: '[run] [OPTIONS] [--] CMD [ARGS...]',
  takes: 'app',
  options: {
    'process-group': { type: 'boolean', short: 'g', describe: "forward signals to the app's whole process group (or SIGNAL_PROCESS_GROUP=true)" },
    'migrate-only': { type: 'boolean', describe: 'wait and migrate, then exit (same as `migrate`)' },
  },
  environment: [
    ENV.RUN_MIGRATIONS,
    ENV.SKIP_MIGRATIONS,
    ...MIGRATION,
    ENV.ON_MIGRATION_FAILURE,
    ENV.SHUTDOWN_TIMEOUT,
    ENV.SHUTDOWN_DELAY,
    ENV.SIGNAL_MAP,
    ENV.SIGNAL_PROCESS_GROUP,
    ...LOGGING,
  ],
  exitCodes: [
    { code: 'N', meaning: "the app's own exit status" },
    { code: '128+N', meaning: 'the app was ended by signal N (143 after SIGTERM, 137 after SIGKILL)' },
    ...MIGRATION_EXITS.map((entry) => (entry === EXIT.migrationFailed ? { ...entry, meaning: `${entry.meaning}, with ON_MIGRATION_FAILURE=exit` } : entry)),
    { code: '126', meaning: 'the app command is not executable (or is a directory)' },
    { code: '127', meaning: 'the app command was not found on PATH' },
  ],
  example: 'backend-supervisor uvicorn app.main:app --host 0.0.0.0 --port 8000',
  run: ({ options, rest, env, cwd }) =>
    main({ name: 'run', app: rest, migrateOnly: options['migrate-only'] === true, processGroup: options['process-group'] === true }, env, cwd),
};
