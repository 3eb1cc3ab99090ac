import { startupSnapshot } from 'node:v8';
import { LOG_FORMATS } from './config/config.js';
import { passwordSpellings } from './config/database-url.js';
import { COMMANDS } from './commands/index.js';
import { commandHelp, overviewHelp } from './commands/help.js';
import { parseCommandLine } from './commands/parse.js';
import { reportFailure } from './errors.js';
import { createLogger } from './log.js';
import { execIfLaunched } from './supervise/exec-child.js';
import { lookUpProgram } from './supervise/find-program.js';

/** Reads the command line, then hands over to the command; a usage error is reported like any other error. */
async function cli(argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  try {
    const line = parseCommandLine(argv, COMMANDS, (word) => lookUpProgram(word, env, cwd).kind !== 'missing');
    if (line.kind === 'version') return print(`${__VERSION__}\n`);
    if (line.kind === 'help') return print(`${line.command ? commandHelp(line.command) : overviewHelp(COMMANDS)}\n`);
    return await line.command.run({ options: line.options, rest: line.rest, env, cwd });
  } catch (error) {
    // The configuration is not read yet: the format is honoured if valid, and the password scrubbed however malformed.
    const format = LOG_FORMATS.find((name) => name === env.LOG_FORMAT?.trim().toLowerCase()) ?? 'json';
    return reportFailure(error, createLogger({ level: 'info', format, secrets: passwordSpellings(env.DATABASE_URL ?? '', env.PGPASSWORD) }));
  }
}

function print(text: string): number {
  process.stdout.write(text);
  return 0;
}

const start = () => {
  // The supervisor starting a child that dies with it (alembic, see launcher.ts): before any parsing.
  execIfLaunched(process.argv.slice(2));
  void cli(process.argv.slice(2), process.env, process.cwd()).then((exitCode) => process.exit(exitCode));
};

// The single executable may be built with a V8 startup snapshot of this code, loaded and
// initialised: it then starts here, with the process's own argv and environment.
if (startupSnapshot.isBuildingSnapshot()) startupSnapshot.setDeserializeMainFunction(start);
else start();
