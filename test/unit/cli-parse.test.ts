import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/index.js';
import { oneEditApart, parseCommandLine, type CommandLine } from '../../src/commands/parse.js';
import { SupervisorError } from '../../src/errors.js';

const noPrograms = () => false;
const parse = (argv: string[], isProgram: (word: string) => boolean = noPrograms) => parseCommandLine(argv, COMMANDS, isProgram);
const invoked = (line: CommandLine) => (line.kind === 'command' ? { name: line.command.name, options: line.options, rest: line.rest } : line.kind);

function usageMessage(argv: string[], isProgram = noPrograms): string {
  try {
    parse(argv, isProgram);
  } catch (error) {
    expect(error).toBeInstanceOf(SupervisorError);
    expect((error as SupervisorError).exitCode).toBe(64);
    return (error as Error).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('the app command owns everything from its first word on, -- included', () => {
  it.each([
    [['echo', 'a', '--', 'b'], ['echo', 'a', '--', 'b']],
    [['run', 'sh', '-c', 'x', '--', 'y'], ['sh', '-c', 'x', '--', 'y']],
    [['run', '-g', '--', 'sh', '-c', 'x', '--', 'y'], ['sh', '-c', 'x', '--', 'y']],
    [['--', 'uvicorn', '--help'], ['uvicorn', '--help']],
    [['uvicorn', 'app.main:app', '--port', '80', '-h'], ['uvicorn', 'app.main:app', '--port', '80', '-h']],
    [['-g', 'uvicorn', '--', '--'], ['uvicorn', '--', '--']],
    [['run', '--', '--', 'x'], ['--', 'x']],
    [['run', '--', 'migrate'], ['migrate']],
  ])('%j -> app %j', (argv, app) => {
    expect(invoked(parse(argv))).toMatchObject({ name: 'run', rest: app });
  });

  it('reads run options before the app command only', () => {
    expect(invoked(parse(['run', '-g', '--migrate-only', 'x', '-g']))).toEqual({
      name: 'run',
      options: { 'process-group': true, 'migrate-only': true },
      rest: ['x', '-g'],
    });
    expect(invoked(parse(['uvicorn', '-g']))).toEqual({ name: 'run', options: {}, rest: ['uvicorn', '-g'] });
  });
});

describe('commands, help and version', () => {
  it('finds each command and its options', () => {
    expect(invoked(parse(['migrate']))).toEqual({ name: 'migrate', options: {}, rest: [] });
    expect(invoked(parse(['rollback', '--to', 'base']))).toEqual({ name: 'rollback', options: { to: 'base' }, rest: [] });
    expect(invoked(parse(['rollback', '--steps=2']))).toEqual({ name: 'rollback', options: { steps: '2' }, rest: [] });
  });

  it('--help and -h give the overview first, a command\'s own page after it; --version the version', () => {
    expect(parse(['--help'])).toEqual({ kind: 'help' });
    expect(parse(['-h'])).toEqual({ kind: 'help' });
    expect(parse(['--version'])).toEqual({ kind: 'version' });
    for (const command of COMMANDS) {
      expect(parse([command.name, '--help'])).toEqual({ kind: 'help', command });
      expect(parse([command.name, '-h'])).toEqual({ kind: 'help', command });
    }
    expect(parse(['-g', '--help'])).toEqual({ kind: 'help', command: COMMANDS[0] });
    expect(parse(['help'])).toEqual({ kind: 'help', command: undefined });
    expect(parse(['help', 'rollback'])).toEqual({ kind: 'help', command: COMMANDS.find((command) => command.name === 'rollback') });
  });
});

describe('usage errors: 64, naming the word and the help to read', () => {
  it.each([
    [['run', '--frobnicate', '--', 'true'], /^unknown option --frobnicate for run \(see backend-supervisor run --help\)$/],
    [['run', '--proces-group', 'true'], /^unknown option --proces-group for run: did you mean --process-group\? /],
    [['status', 'extra'], /^status takes no arguments \(got "extra"\) \(see backend-supervisor status --help\)$/],
    [['migrate', '--', 'sh'], /^migrate takes no arguments \(got "sh"\)/],
    [['rollback', '--to'], /^option --to needs a value: --to REV /],
    [['wait', '--to', 'x'], /^unknown option --to for wait /],
  ])('%j', (argv, message) => {
    expect(usageMessage(argv)).toMatch(message);
  });

  it.each(['statu', 'stauts', 'migrat', 'migratee', 'rollbak', 'wiat', 'rn', 'runn'])('%s, not a program, is a typo of a command', (word) => {
    const near = COMMANDS.find((command) => oneEditApart(command.name, word))?.name;
    expect(usageMessage([word, 'x'])).toBe(
      `"${word}" is neither a command nor a program on PATH: did you mean \`backend-supervisor ${near}\`? (to run a program of that name: backend-supervisor run -- ${word}) (see backend-supervisor --help)`,
    );
  });

  it('a program on PATH spelled like a command is the app command', () => {
    expect(invoked(parse(['bun', 'server.js'], (word) => word === 'bun'))).toMatchObject({ name: 'run', rest: ['bun', 'server.js'] });
    expect(invoked(parse(['uvicorn'], noPrograms))).toMatchObject({ name: 'run', rest: ['uvicorn'] });
  });
});

/** The reference: optimal string alignment distance (Levenshtein plus swaps of neighbours). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

describe('oneEditApart', () => {
  it('agrees with the edit distance on 5,000 random pairs of near and far words', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const word = () => Array.from({ length: random(6) }, () => 'abc'[random(3)]).join('');
    const mutate = (w: string) => {
      const at = random(w.length + 1);
      const edits = [() => w.slice(0, at) + 'abc'[random(3)] + w.slice(at), () => w.slice(0, at) + w.slice(at + 1), () => w.slice(0, at) + (w[at + 1] ?? '') + (w[at] ?? '') + w.slice(at + 2)];
      return edits[random(3)]!();
    };
    for (let n = 0; n < 5_000; n++) {
      const a = word();
      const b = n % 2 ? word() : mutate(mutate(a));
      expect([a, b, oneEditApart(a, b)]).toEqual([a, b, distance(a, b) === 1]);
    }
  });
});
