import yargs from 'yargs';
import { EXIT_CODES } from './errors.js';
import { splitAppCommand } from './app-command.js';
import { main, type Command } from './main.js';
import { probeCommand } from './commands/probe.js';

const USAGE = `backend-supervisor: PID 1 for a Python backend container.
Waits for PostgreSQL, brings the schema to the Alembic head, then runs and supervises the app.`;

const ENVIRONMENT = `Environment (defaults in brackets):
  DATABASE_URL            PostgreSQL URL, passed to the app and alembic unchanged
  RUN_MIGRATIONS [true]   SKIP_MIGRATIONS [false]   migrate in \`run\`?
  ALEMBIC_CONFIG [alembic.ini]   ALEMBIC_COMMAND [alembic]
  DB_WAIT_TIMEOUT [60]   MIGRATION_TIMEOUT [0: none]   MIGRATION_LOCK_TIMEOUT [300]   SHUTDOWN_TIMEOUT [8]  (seconds)
  ON_MIGRATION_FAILURE [continue|exit]   UNVERSIONED_DATABASE [stamp|refuse]   SIGNAL_PROCESS_GROUP [false]
  SHUTDOWN_DELAY [0]   SIGNAL_MAP [e.g. HUP:TERM, or HUP: to drop]
  LOG_LEVEL [info]   LOG_FORMAT [json|pretty]
Exit codes: the app's own, 128+N (signal N), 64 config, 65 state refused, 69 database unavailable,
70 migration failed, 75 lock timeout, 126/127 app not executable/not found.`;

function parseCommand(argv: string[]): Promise<Command> {
  const { own, app } = splitAppCommand(argv);
  return new Promise((resolve) => {
    void yargs(own)
      .scriptName('backend-supervisor')
      .usage(USAGE)
      .command(
        ['run', '$0'],
        'wait, migrate, then run the app command as a supervised child (the default)',
        (y) =>
          y
            .usage('backend-supervisor [run] [options] [--] CMD [ARGS...]')
            .option('migrate-only', { type: 'boolean', default: false, describe: 'wait and migrate, then exit (same as `migrate`)' })
            .option('process-group', { alias: 'g', type: 'boolean', default: false, describe: "forward signals to the app's whole process group (or SIGNAL_PROCESS_GROUP=true)" }),
        (args) => {
          resolve({ name: 'run', app, migrateOnly: args.migrateOnly, processGroup: args.processGroup });
        },
      )
      .command('migrate', 'one-shot: wait, migrate, verify, exit', {}, () => resolve(withoutApp({ name: 'run', app: [], migrateOnly: true, processGroup: false }, app)))
      .command('status', 'print the database state and what `migrate` would do; changes nothing', {}, () => resolve(withoutApp({ name: 'status' }, app)))
      .command('wait', 'wait for the database; exit 0, or 69 if it did not come up in time', {}, () => resolve(withoutApp({ name: 'wait' }, app)))
      .command(
        'rollback',
        'alembic downgrade, under the migration lock',
        (y) =>
          y
            .option('to', { type: 'string', describe: 'the revision to downgrade to (e.g. base, or a revision id)' })
            .option('steps', { type: 'number', describe: 'how many revisions to step back' })
            .conflicts('to', 'steps')
            .check((args) => {
              if (args.to === undefined && args.steps === undefined) throw new Error('rollback needs --to REV or --steps N');
              if (args.steps !== undefined && !(Number.isInteger(args.steps) && args.steps > 0)) throw new Error('--steps must be a whole number above 0');
              return true;
            }),
        (args) => resolve(withoutApp({ name: 'rollback', target: args.to ?? `-${args.steps}` }, app)),
      )
      // Self-contained: it runs its own handler and exits, never reaching main().
      .command(probeCommand)
      .strictCommands()
      .strictOptions()
      .epilogue(ENVIRONMENT)
      .version(__VERSION__)
      .help()
      .alias('h', 'help')
      .wrap(null)
      .fail((message, error) => {
        process.stderr.write(`backend-supervisor: ${message ?? error?.message}\nTry backend-supervisor --help\n`);
        process.exit(EXIT_CODES.config);
      })
      .parseAsync();
  });
}

function withoutApp(command: Command, app: string[]): Command {
  if (app.length === 0) return command;
  process.stderr.write(`backend-supervisor: this command takes no app command (got ${app.join(' ')})\n`);
  process.exit(EXIT_CODES.config);
}

void parseCommand(process.argv.slice(2))
  .then((command) => main(command, process.env, process.cwd()))
  .then((exitCode) => process.exit(exitCode));
