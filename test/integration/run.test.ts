import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { perTest } from '../support/per-test.js';
import { eventsNamed, expectNoPassword, finalError } from '../support/expect.js';
import { query, tablesOf, versionsOf } from '../support/postgres.js';
import { FAILING_REVISION, HEAD } from '../support/project.js';
import { runSupervisor, type SupervisorRun } from '../support/supervisor.js';

const db = perTest();
const APP = ['--', 'sh', '-c', 'echo "APP RAN with $DATABASE_URL" | sed "s/:[^:@]*@/:***@/"; exit 7'];

async function run(env: Record<string, string>, args = APP): Promise<SupervisorRun> {
  const result = await runSupervisor(args, { env: { DATABASE_URL: db.url, ...env } });
  expectNoPassword(result);
  return result;
}

describe('run', () => {
  it('migrates, then runs the app (after the startup event) and exits with its status', async () => {
    const result = await run({});
    expect(result.exitCode).toBe(7);
    expect(await versionsOf(db.url)).toEqual([HEAD]);
    const startup = eventsNamed(result, 'startup');
    expect(startup).toHaveLength(1);
    expect(startup[0]?.phases).toMatchObject({ wait: expect.any(Number), migrate: expect.any(Number) });
    const lines = result.stdout.split('\n');
    const startupLine = lines.findIndex((line) => line.includes('"event":"startup"'));
    const appLine = lines.findIndex((line) => line.startsWith('APP RAN with postgresql://'));
    expect(startupLine).toBeGreaterThanOrEqual(0);
    expect(appLine).toBeGreaterThan(startupLine);
  });

  it('a failed migration of a database that was behind warns and starts the app by default (ON_MIGRATION_FAILURE=continue)', async () => {
    expect((await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url } })).exitCode).toBe(0);
    const result = await run({ ALEMBIC_CONFIG: await db.projectWith([FAILING_REVISION]) });
    expect(result.exitCode).toBe(7);
    expect(result.stdout).toContain('APP RAN');
    expect(result.events.some((entry) => entry.level === 'warn' && /starting the app anyway/.test(entry.msg))).toBe(true);
    expect(await versionsOf(db.url)).toEqual([HEAD]);
    expect(await tablesOf(db.url)).toEqual(['alembic_version', 'items', 'users']);
  });

  it('a failed migration stops with 70 and no app with ON_MIGRATION_FAILURE=exit', async () => {
    const result = await run({ ALEMBIC_CONFIG: await db.projectWith([FAILING_REVISION]), ON_MIGRATION_FAILURE: 'exit' });
    expect(result.exitCode).toBe(70);
    expect(result.stdout).not.toContain('APP RAN');
  });

  it('an unknown revision follows ON_MIGRATION_FAILURE', async () => {
    await query(db.url, "CREATE TABLE alembic_version (version_num varchar(32) primary key); INSERT INTO alembic_version VALUES ('abcdef999999')");
    const continued = await run({});
    expect(continued.exitCode).toBe(7);
    expect(continued.events.some((entry) => entry.level === 'warn' && /abcdef999999/.test(entry.msg))).toBe(true);
    const stopped = await run({ ON_MIGRATION_FAILURE: 'exit' });
    expect(stopped.exitCode).toBe(65);
    expect(stopped.stdout).not.toContain('APP RAN');
  });

  it('a refused unversioned database stops even with ON_MIGRATION_FAILURE=continue', async () => {
    await query(db.url, 'CREATE TABLE users (id serial primary key)');
    const result = await run({ UNVERSIONED_DATABASE: 'refuse' });
    expect(result.exitCode).toBe(65);
    expect(result.stdout).not.toContain('APP RAN');
  });

  it.each([
    ['RUN_MIGRATIONS', 'false'],
    ['RUN_MIGRATIONS', 'No'],
    ['SKIP_MIGRATIONS', 'true'],
    ['SKIP_MIGRATIONS', '1'],
  ])('%s=%s skips migrations and starts the app', async (variable, value) => {
    const result = await run({ [variable]: value });
    expect(result.exitCode).toBe(7);
    expect(result.stdout).toContain('APP RAN');
    expect(await tablesOf(db.url)).toEqual([]);
    expect(eventsNamed(result, 'wait')).not.toEqual([]);
  });

  it('--migrate-only migrates and exits without an app', async () => {
    const result = await run({}, ['run', '--migrate-only']);
    expect(result.exitCode).toBe(0);
    expect(await versionsOf(db.url)).toEqual([HEAD]);
  });
});

describe('configuration errors: one line naming the variable and the value, exit 64, nothing started', () => {
  it.each([
    ['RUN_MIGRATIONS', 'maybe'],
    ['SKIP_MIGRATIONS', 'nope'],
    ['DB_WAIT_TIMEOUT', 'ten'],
    ['DB_WAIT_TIMEOUT', '-5'],
    ['MIGRATION_TIMEOUT', '1m'],
    ['MIGRATION_LOCK_TIMEOUT', 'forever'],
    ['SHUTDOWN_TIMEOUT', ''.padEnd(3, 'x')],
    ['ON_MIGRATION_FAILURE', 'ignore'],
    ['UNVERSIONED_DATABASE', 'drop'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_FORMAT', 'xml'],
    ['SIGNAL_PROCESS_GROUP', 'sometimes'],
    ['DATABASE_URL', 'mysql://user:S3cr3t-p%40ss%3Aw%2Frd@db/app'],
    ['DATABASE_URL', 'postgresql://user:S3cr3t-p%40ss%3Aw%2Frd@db:notaport/app'],
    ['DATABASE_URL', 'postgresql://user:S3cr3t-p@ss:w/rd@db/app'],
    ['DATABASE_URL', 'host=db user=app password=S3cr3t-p@ss:w/rd dbname=app'],
    ['ALEMBIC_CONFIG', '/nonexistent/alembic.ini'],
    ['ALEMBIC_CONFIG', tmpdir()],
  ])('%s=%s', async (variable, value) => {
    const marker = path.join(await mkdtemp(path.join(tmpdir(), 'bs-marker-')), 'started');
    const result = await runSupervisor(['--', 'touch', marker], { env: { DATABASE_URL: db.url, [variable]: value } });
    expectNoPassword(result);
    expect(result.exitCode).toBe(64);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(finalError(result)?.msg).toContain(variable);
    if (variable !== 'DATABASE_URL') expect(finalError(result)?.msg).toContain(value);
    expect(existsSync(marker)).toBe(false);
    expect(await tablesOf(db.url)).toEqual([]);
  });

  it('no DATABASE_URL with migrations enabled is a configuration error', async () => {
    const result = await runSupervisor(['--', 'true'], { env: {} });
    expect(result.exitCode).toBe(64);
    expect(finalError(result)?.msg).toMatch(/DATABASE_URL is not set/);
  });

  it('no DATABASE_URL with migrations disabled is a plain init', async () => {
    const result = await runSupervisor(['--', 'sh', '-c', 'exit 3'], { env: { RUN_MIGRATIONS: 'false' } });
    expect(result.exitCode).toBe(3);
  });

  it('--help lists the commands, the environment and the exit codes; --version prints the version', async () => {
    const help = await runSupervisor(['--help'], { env: {} });
    expect(help.exitCode).toBe(0);
    for (const word of ['migrate', 'status', 'rollback', 'wait', 'DATABASE_URL', 'ON_MIGRATION_FAILURE', '75 lock timeout']) expect(help.stdout).toContain(word);
    const version = await runSupervisor(['--version'], { env: {} });
    expect(version.exitCode).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('an unknown flag is a usage error (64)', async () => {
    const result = await runSupervisor(['run', '--frobnicate', '--', 'true'], { env: { RUN_MIGRATIONS: 'false' } });
    expect(result.exitCode).toBe(64);
    expect(finalError(result)?.msg).toMatch(/frobnicate/);
  });
});
