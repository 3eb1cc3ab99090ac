import type { Environment } from '../config/config.js';

/** One option of a command, as node:util's parseArgs takes it, plus what its help says. */
export interface OptionSpec {
  type: 'boolean' | 'string';
  short?: string;
  describe: string;
  /** Shown in the help after a string option: `--to REV`. */
  valueName?: string;
}

/** An environment variable, as a command's help lists it. */
export interface EnvironmentEntry {
  name: string;
  /** As shown in brackets; undefined when there is none. */
  default?: string;
  meaning: string;
}

/** An exit code, as a command's help lists it: `code` may be a pattern such as "128+N". */
export interface ExitCodeEntry {
  code: string;
  meaning: string;
}

/** What a command's run function is given once its command line is parsed. */
export interface Invocation {
  options: Record<string, string | boolean | undefined>;
  /** The words after the command's options: the app command (`takes: 'app'`) or the arguments (`takes: 'arguments'`). */
  rest: string[];
  env: Environment;
  cwd: string;
}

/**
 * A command of its own room (src/commands/NAME.ts), listed once in src/commands/index.ts.
 * Its run function resolves with the exit code; it may throw a SupervisorError (e.g. usageError()).
 */
export interface CommandSpec {
  name: string;
  summary: string;
  /** The usage line after `backend-supervisor`, e.g. `rollback (--to REV | --steps N)`. */
  usage: string;
  /**
   * What follows the options. 'app': everything from the first word that is not an option (or
   * after `--`) belongs to the app, so such a command may only have boolean options.
   */
  takes: 'nothing' | 'app' | 'arguments';
  options: Record<string, OptionSpec>;
  environment: readonly EnvironmentEntry[];
  exitCodes: readonly ExitCodeEntry[];
  example: string;
  run(invocation: Invocation): Promise<number>;
}
