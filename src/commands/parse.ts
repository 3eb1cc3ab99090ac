import { parseArgs } from 'node:util';
import { SupervisorError } from '../errors.js';
import type { CommandSpec, Invocation } from './command.js';

export type CommandLine =
  | { kind: 'help'; command?: CommandSpec }
  | { kind: 'version' }
  | { kind: 'command'; command: CommandSpec; options: Invocation['options']; rest: string[] };

/** A usage error is a configuration error (64), reported like every other error. */
export function usageError(command: string | undefined, message: string): SupervisorError {
  const help = `backend-supervisor ${command ? `${command} ` : ''}--help`;
  return new SupervisorError('config', `${message} (see ${help})`, { help });
}

/**
 * The command line: the command (run when the first word is none), its options, and what follows
 * them. `isProgram` tells a typo of a command from a program that happens to be spelled like one.
 */
export function parseCommandLine(argv: readonly string[], commands: readonly CommandSpec[], isProgram: (word: string) => boolean): CommandLine {
  const [first] = argv;
  if (first === '--help' || first === '-h') return { kind: 'help' };
  // `help` and `help COMMAND` as git and docker have them; no container runs a program called help.
  if (first === 'help' && argv.length <= 2) return { kind: 'help', command: commands.find((command) => command.name === argv[1]) };
  if (first === '--version') return { kind: 'version' };
  const named = commands.find((command) => command.name === first);
  if (!named && first !== undefined && !first.startsWith('-')) {
    const near = commands.find((command) => oneEditApart(command.name, first));
    if (near && !isProgram(first)) {
      throw usageError(undefined, `${JSON.stringify(first)} is neither a command nor a program on PATH: did you mean \`backend-supervisor ${near.name}\`? (to run a program of that name: backend-supervisor run -- ${first})`);
    }
  }
  const command = named ?? (commands[0] as CommandSpec);
  const args = named ? argv.slice(1) : argv;
  const { own, rest } = command.takes === 'app' ? splitAtApp(args) : { own: args, rest: [] };

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: own,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: command.takes === 'arguments',
    });
  } catch (error) {
    throw usageError(command.name, describeParseError(error as NodeJS.ErrnoException, command));
  }
  if (parsed.values.help === true) return { kind: 'help', command };
  const { help: _help, ...options } = parsed.values;
  return { kind: 'command', command, options: options as Invocation['options'], rest: command.takes === 'app' ? rest : parsed.positionals };
}

/** Everything from the app command on belongs to the app, `--` included; a `--` before it only ends our options. */
function splitAtApp(args: readonly string[]): { own: string[]; rest: string[] } {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === '--') return { own: args.slice(0, index), rest: args.slice(index + 1) };
    if (!arg.startsWith('-') || arg === '-') return { own: args.slice(0, index), rest: args.slice(index) };
  }
  return { own: [...args], rest: [] };
}

function describeParseError(error: NodeJS.ErrnoException, command: CommandSpec): string {
  // parseArgs quotes the option: '--frobnicate', or '--to <value>' when its value is missing.
  const quoted = /'(-[^' ]*)/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) {
    const name = quoted.replace(/^-+/, '').split('=')[0] as string;
    const near = Object.keys(command.options).find((option) => oneEditApart(option, name));
    return `unknown option ${quoted} for ${command.name}${near ? `: did you mean --${near}?` : ''}`;
  }
  if (error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const word = /'([^']*)'/.exec(error.message)?.[1];
    return `${command.name} takes no arguments${word === undefined ? '' : ` (got ${JSON.stringify(word)})`}`;
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && quoted) {
    const option = Object.entries(command.options).find(([name, spec]) => quoted.startsWith(`--${name}`) || (spec.short && quoted.startsWith(`-${spec.short}`)));
    return option?.[1].type === 'string' ? `option ${quoted} needs a value: --${option[0]} ${option[1].valueName ?? 'VALUE'}` : `option ${quoted} takes no value`;
  }
  return error.message;
}

/** True when one insertion, deletion, substitution or swap of neighbours turns `a` into `b` (and a != b). */
export function oneEditApart(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let start = 0;
  while (start < a.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const middleA = a.slice(start, endA);
  const middleB = b.slice(start, endB);
  if (middleA.length + middleB.length <= 1) return true;
  if (middleA.length === 1 && middleB.length === 1) return true;
  return middleA.length === 2 && middleB.length === 2 && middleA[0] === middleB[1] && middleA[1] === middleB[0];
}
