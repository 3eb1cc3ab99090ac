import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/index.js';
import { eventsNamed, expectNoPassword, finalError } from '../support/expect.js';
import { perTest } from '../support/per-test.js';
import { tablesOf } from '../support/postgres.js';
import { runSupervisor, type SupervisorRun } from '../support/supervisor.js';

const db = perTest();
const PLAIN_INIT = { RUN_MIGRATIONS: 'false' };

/** Exactly one line of output, the error event, and nothing else: the supervisor's error format. */
function expectOneErrorLine(run: SupervisorRun, exitCode: number): string {
  expect(run.exitCode).toBe(exitCode);
  expect(run.stderr).toBe('');
  expect(run.stdout.trim().split('\n')).toHaveLength(1);
  expect(run.events).toHaveLength(1);
  expect(run.events[0]).toMatchObject({ level: 'error', event: 'exit', exitCode });
  return run.events[0]?.msg as string;
}

/** The database was never waited for, migrated or otherwise touched. */
async function expectDatabaseUntouched(run: SupervisorRun): Promise<void> {
  expect(eventsNamed(run, 'wait')).toEqual([]);
  expect(await tablesOf(db.url)).toEqual([]);
}

async function scratchDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'bs-cli-'));
}

describe('the app command owns everything from its first word on, -- included', () => {
  it('backend-supervisor echo a -- b runs `echo a -- b`', async () => {
    const run = await runSupervisor(['echo', 'a', '--', 'b'], { env: PLAIN_INIT });
    expect(run.exitCode).toBe(0);
    expect(run.stdout.split('\n')).toContain('a -- b');
  });

  it("run sh -c 'x' -- y runs it, with -- as $0 and y as $1", async () => {
    const run = await runSupervisor(['run', 'sh', '-c', 'echo "zero=$0 one=$1"; exit 5', '--', 'y'], { env: PLAIN_INIT });
    expect(run.exitCode).toBe(5);
    expect(run.stdout.split('\n')).toContain('zero=-- one=y');
  });

  it('an app option spelled like ours (--help, -g) is the app\'s', async () => {
    const run = await runSupervisor(['sh', '-c', 'echo "args=$*"', 'sh', '--help', '-g'], { env: PLAIN_INIT });
    expect(run.exitCode).toBe(0);
    expect(run.stdout.split('\n')).toContain('args=--help -g');
  });
});

describe('a typo of a command, a missing app or a missing alembic: found before the database is touched', () => {
  it.each([
    ['statu', 'status'],
    ['migrat', 'migrate'],
    ['rollbak', 'rollback'],
  ])('%s -> 64 "did you mean %s", nothing migrated', async (typo, command) => {
    const run = await runSupervisor([typo], { env: { DATABASE_URL: db.url } });
    expectNoPassword(run);
    expect(expectOneErrorLine(run, 64)).toContain(`did you mean \`backend-supervisor ${command}\`?`);
    await expectDatabaseUntouched(run);
  });

  it('a missing app command -> 127 naming it, nothing migrated', async () => {
    const run = await runSupervisor(['--', 'no-such-app-server', '--port', '80'], { env: { DATABASE_URL: db.url } });
    expect(expectOneErrorLine(run, 127)).toBe('the app command "no-such-app-server" was not found on PATH (check the command, the image and PATH)');
    await expectDatabaseUntouched(run);
  });

  it('an app file that is not executable -> 126 naming it, nothing migrated', async () => {
    const script = path.join(await scratchDir(), 'serve.sh');
    await writeFile(script, '#!/bin/sh\necho should not run\n');
    await chmod(script, 0o644);
    const run = await runSupervisor([script], { env: { DATABASE_URL: db.url } });
    expect(expectOneErrorLine(run, 126)).toBe(`the app command ${JSON.stringify(script)} cannot be executed: ${script} is not executable (chmod +x it, or start it through its interpreter)`);
    await expectDatabaseUntouched(run);
  });

  it('an empty app command (run -- "") -> 64, nothing migrated', async () => {
    const run = await runSupervisor(['run', '--', ''], { env: { DATABASE_URL: db.url } });
    expect(expectOneErrorLine(run, 64)).toBe('the app command is an empty word: give a program, e.g. backend-supervisor run -- uvicorn app.main:app');
    await expectDatabaseUntouched(run);
  });

  it('an app command that is a directory on PATH -> 126 naming it, nothing migrated', async () => {
    const dir = await scratchDir();
    await mkdir(path.join(dir, 'serve'));
    const run = await runSupervisor(['serve'], { env: { DATABASE_URL: db.url, PATH: `${dir}:${process.env.PATH}` } });
    expect(expectOneErrorLine(run, 126)).toBe(`the app command "serve" cannot be executed: ${path.join(dir, 'serve')} is a directory`);
    await expectDatabaseUntouched(run);
  });

  it.each([['run'], ['migrate'], ['rollback']])('%s with a missing ALEMBIC_COMMAND -> 64 naming it, nothing migrated', async (command) => {
    const args = command === 'run' ? ['--', 'true'] : command === 'rollback' ? ['rollback', '--to', 'base'] : ['migrate'];
    const run = await runSupervisor(args, { env: { DATABASE_URL: db.url, ALEMBIC_COMMAND: 'no-such-alembic -x' } });
    expect(expectOneErrorLine(run, 64)).toBe(
      'ALEMBIC_COMMAND="no-such-alembic -x" cannot be started: "no-such-alembic" was not found on PATH; install alembic in the image or set ALEMBIC_COMMAND, e.g. "python -m alembic"',
    );
    await expectDatabaseUntouched(run);
  });

  it('with migrations off, ALEMBIC_COMMAND is not needed', async () => {
    const run = await runSupervisor(['--', 'true'], { env: { ...PLAIN_INIT, ALEMBIC_COMMAND: 'no-such-alembic' } });
    expect(run.exitCode).toBe(0);
  });
});

describe('help: each command has its own page; usage errors look like every other error', () => {
  it.each(COMMANDS.map((command) => [command.name, command] as const))('%s --help shows its options, variables, exit codes and example', async (_name, command) => {
    const run = await runSupervisor([command.name, '--help'], { env: {} });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    const page = run.stdout;
    expect(page.startsWith(`Usage: backend-supervisor ${command.usage}\n`)).toBe(true);
    for (const option of Object.keys(command.options)) expect(page).toMatch(new RegExp(`^ +(-\\w, )?--${option}\\b`, 'm'));
    for (const variable of command.environment) expect(page).toMatch(new RegExp(`^  ${variable.name}\\b.*${escape(variable.meaning)}$`, 'm'));
    for (const exit of command.exitCodes) expect(page).toMatch(new RegExp(`^ +${escape(exit.code)} ${escape(exit.meaning)}$`, 'm'));
    expect(page.endsWith(`Example:\n  ${command.example}`)).toBe(true);
  });

  it('the overview names every command and every variable', async () => {
    const run = await runSupervisor(['--help'], { env: {} });
    expect(run.exitCode).toBe(0);
    for (const command of COMMANDS) {
      expect(run.stdout).toMatch(new RegExp(`^  ${command.name} +${escape(command.summary)}$`, 'm'));
      for (const variable of command.environment) expect(run.stdout).toMatch(new RegExp(`^  ${variable.name}\\b`, 'm'));
    }
  });

  it.each([
    [['run', '--frobnicate', '--', 'true'], 'unknown option --frobnicate for run (see backend-supervisor run --help)'],
    [['rollback', '--steps', '0'], '--steps "0": expected a whole number above 0 (see backend-supervisor rollback --help)'],
    [['rollback'], 'rollback needs --to REV or --steps N (see backend-supervisor rollback --help)'],
    [['status', 'now'], 'status takes no arguments (got "now") (see backend-supervisor status --help)'],
  ])('%j -> one JSON error line, 64', async (args, message) => {
    const run = await runSupervisor(args, { env: { DATABASE_URL: db.url } });
    expect(expectOneErrorLine(run, 64)).toBe(message);
    expect(finalError(run)?.help).toBe(`backend-supervisor ${args[0]} --help`);
    await expectDatabaseUntouched(run);
  });

  it('a usage error honours LOG_FORMAT=pretty: one line', async () => {
    const run = await runSupervisor(['wait', '--forever'], { env: { LOG_FORMAT: 'pretty' } });
    expect(run.exitCode).toBe(64);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3} ERROR \[exit\] unknown option --forever for wait \(see backend-supervisor wait --help\) {2}exitCode=64 help=backend-supervisor wait --help$/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
