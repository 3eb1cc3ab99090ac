import type { CommandSpec, EnvironmentEntry, ExitCodeEntry } from './command.js';

const NAME = 'backend-supervisor';
const ABOUT = `${NAME}: PID 1 for a Python backend container.
Waits for PostgreSQL, brings the schema to the Alembic head, then runs and supervises the app.`;

/** The overview: every command, every variable, every exit code. */
export function overviewHelp(commands: readonly CommandSpec[]): string {
  const unique = <T>(items: T[], key: (item: T) => string) => [...new Map(items.map((item) => [key(item), item])).values()];
  return [
    ABOUT,
    section('Usage', commands.map((command) => `${NAME} ${command.usage}`)),
    section('Commands', table(commands.map((command) => [command.name, command.summary]))),
    section('Environment (defaults in brackets)', environmentLines(unique(commands.flatMap((command) => command.environment), (entry) => entry.name))),
    section('Exit codes', exitCodeLines(unique(commands.flatMap((command) => command.exitCodes), (entry) => entry.code).sort(byCode))),
    `Run ${NAME} COMMAND --help for a command's options, variables, exit codes and an example.`,
  ].join('\n\n');
}

/** One command's page: usage, options, the variables that change it, its exit codes and an example. */
export function commandHelp(command: CommandSpec): string {
  const options = Object.entries(command.options).map(([name, spec]): [string, string] => [
    `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}`,
    spec.describe,
  ]);
  options.push(['-h, --help', 'show this help']);
  return [
    `Usage: ${NAME} ${command.usage}`,
    `${command.summary[0]?.toUpperCase()}${command.summary.slice(1)}.`,
    section('Options', table(options)),
    section('Environment (defaults in brackets)', environmentLines(command.environment)),
    section('Exit codes', exitCodeLines(command.exitCodes)),
    section('Example', [command.example]),
  ].join('\n\n');
}

function section(title: string, lines: string[]): string {
  return `${title}:\n${lines.map((line) => `  ${line}`).join('\n')}`;
}

function table(rows: Array<[string, string]>): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${left.padEnd(width)}  ${right}`);
}

function environmentLines(entries: readonly EnvironmentEntry[]): string[] {
  return table(entries.map((entry) => [`${entry.name}${entry.default === undefined ? '' : ` [${entry.default}]`}`, entry.meaning]));
}

function exitCodeLines(entries: readonly ExitCodeEntry[]): string[] {
  return entries.map((entry) => `${entry.code.padStart(5)} ${entry.meaning}`);
}

function byCode(a: ExitCodeEntry, b: ExitCodeEntry): number {
  const rank = (code: string) => (/^\d+$/.test(code) ? Number(code) : code === 'N' ? -1 : 127.5);
  return rank(a.code) - rank(b.code);
}
