import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsNamed, expectNoPassword } from '../support/expect.js';
import { EXAMPLE } from '../support/paths.js';
import { perTest } from '../support/per-test.js';
import { freePort } from '../support/ports.js';
import { query, tablesOf, TEST_PASSWORD, versionsOf } from '../support/postgres.js';
import { HEAD, REVISIONS } from '../support/project.js';
import { runSupervisor, type LogEvent, type SupervisorRun } from '../support/supervisor.js';

const db = perTest();

const VERSIONS = path.join(EXAMPLE, 'alembic/versions');
const EXAMPLE_PENDING = [
  { revision: REVISIONS[0], message: 'create users and items tables', file: path.join(VERSIONS, '0001_create_users_and_items.py') },
  { revision: REVISIONS[1], message: 'add items.description', file: path.join(VERSIONS, '0002_add_item_description.py') },
  { revision: REVISIONS[2], message: 'index items.name', file: path.join(VERSIONS, '0003_index_items_name.py') },
  { revision: REVISIONS[3], message: 'seed a user and two items (data migration)', file: path.join(VERSIONS, '0004_seed_data.py') },
];

async function supervisor(args: string[], env: Record<string, string> = {}): Promise<SupervisorRun> {
  const run = await runSupervisor(args, { env: { DATABASE_URL: db.url, ...env } });
  expectNoPassword(run);
  return run;
}

/** `status --json`: stdout is exactly one JSON document. */
async function statusJson(env: Record<string, string> = {}): Promise<{ exitCode: number; document: unknown; run: SupervisorRun }> {
  const run = await supervisor(['status', '--json'], env);
  return { exitCode: run.exitCode, document: JSON.parse(run.stdout), run };
}

async function migrateTo(revision: string): Promise<void> {
  expect((await supervisor(['migrate'])).exitCode).toBe(0);
  if (revision !== HEAD) expect((await supervisor(['rollback', '--to', revision])).exitCode).toBe(0);
}

describe('status as a CI gate: its exit code says what migrate would do', () => {
  it('empty database: exit 1, every revision pending, oldest first, with message and file', async () => {
    const { exitCode, document } = await statusJson();
    expect(exitCode).toBe(1);
    expect(document).toEqual({ state: 'empty', plan: 'upgrade', exitCode: 1, current: [], target: [HEAD], pending: EXAMPLE_PENDING });
    expect(await tablesOf(db.url)).toEqual([]);
  });

  it('behind: exit 1, only the revisions after the current one pending', async () => {
    await migrateTo(REVISIONS[1]);
    const { exitCode, document } = await statusJson();
    expect(exitCode).toBe(1);
    expect(document).toEqual({ state: 'behind', plan: 'upgrade', exitCode: 1, current: [REVISIONS[1]], target: [HEAD], pending: EXAMPLE_PENDING.slice(2) });
    expect(await versionsOf(db.url)).toEqual([REVISIONS[1]]);
  });

  it('at the target: exit 0, nothing pending', async () => {
    await migrateTo(HEAD);
    const { exitCode, document } = await statusJson();
    expect(exitCode).toBe(0);
    expect(document).toEqual({ state: 'at-head', plan: 'nothing', exitCode: 0, current: [HEAD], target: [HEAD], pending: [] });
  });

  it('unversioned with UNVERSIONED_DATABASE=stamp: exit 1 (migrate would stamp)', async () => {
    await query(db.url, 'CREATE TABLE users (id serial primary key)');
    const { exitCode, document } = await statusJson();
    expect(exitCode).toBe(1);
    expect(document).toEqual({ state: 'unversioned', plan: 'stamp', exitCode: 1, current: [], target: [HEAD], pending: [] });
    expect(await tablesOf(db.url)).toEqual(['users']);
  });

  it('unversioned with UNVERSIONED_DATABASE=refuse: exit 65, with the reason', async () => {
    await query(db.url, 'CREATE TABLE users (id serial primary key)');
    const { exitCode, document } = await statusJson({ UNVERSIONED_DATABASE: 'refuse' });
    expect(exitCode).toBe(65);
    expect(document).toMatchObject({ state: 'unversioned', plan: 'refuse', exitCode: 65, current: [], target: [HEAD], pending: [] });
    expect((document as { reason: string }).reason).toMatch(/^the database has tables \(users\) but no Alembic version and UNVERSIONED_DATABASE=refuse/);
  });

  it('a revision the scripts do not contain: exit 65, naming it', async () => {
    await query(db.url, "CREATE TABLE alembic_version (version_num varchar(32) primary key); INSERT INTO alembic_version VALUES ('abcdef999999')");
    const { exitCode, document } = await statusJson();
    expect(exitCode).toBe(65);
    expect(document).toMatchObject({ state: 'unknown-revision', plan: 'refuse', exitCode: 65, current: ['abcdef999999'], target: [HEAD], pending: [] });
    expect((document as { reason: string }).reason).toContain('abcdef999999');
  });

  it('several script heads: exit 65, naming them', async () => {
    const alembicConfig = await db.projectWith([{ id: 'b1a2c3d4e5f6', parent: REVISIONS[2], upgrade: ['pass'] }]);
    const { exitCode, document } = await statusJson({ ALEMBIC_CONFIG: alembicConfig });
    expect(exitCode).toBe(65);
    expect(document).toMatchObject({ state: 'several-heads', plan: 'refuse', exitCode: 65, target: ['b1a2c3d4e5f6', HEAD] });
  });

  it('an unreachable database: exit 69, the error on stderr and nothing on stdout', async () => {
    const port = await freePort();
    const run = await supervisor(['status', '--json'], { DATABASE_URL: `postgresql://app:${encodeURIComponent(TEST_PASSWORD)}@127.0.0.1:${port}/app`, DB_WAIT_TIMEOUT: '1' });
    expect(run.exitCode).toBe(69);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/"event":"exit".*"exitCode":69/);
  });
});

describe('status output', () => {
  it('text for people with LOG_FORMAT=pretty: state, current, target and the pending revisions; logs on stderr', async () => {
    await migrateTo(REVISIONS[1]);
    const run = await supervisor(['status'], { LOG_FORMAT: 'pretty' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe(
      [
        `the database is at ${REVISIONS[1]}, behind head ${HEAD}; plan: alembic upgrade head (exit 1)`,
        `current: ${REVISIONS[1]}`,
        `target:  ${HEAD}`,
        'pending: 2 revisions, oldest first',
        `  ${REVISIONS[2]}  index items.name                            alembic/versions/0003_index_items_name.py`,
        `  ${REVISIONS[3]}  seed a user and two items (data migration)  alembic/versions/0004_seed_data.py`,
      ].join('\n'),
    );
    expect(run.stderr).toContain('[inspect]');
  });

  it('piped with JSON logs: a `status` event among the log lines, with the same fields', async () => {
    const run = await supervisor(['status']);
    expect(run.exitCode).toBe(1);
    const { level, time, name, ...event } = eventsNamed(run, 'status')[0] as LogEvent;
    expect([level, typeof time, name]).toEqual(['info', 'string', 'backend-supervisor']);
    expect(event).toEqual({ event: 'status', msg: 'the database is empty; plan: alembic upgrade head', state: 'empty', plan: 'upgrade', exitCode: 1, current: [], target: [HEAD], pending: EXAMPLE_PENDING });
  });

  it('--json with a bad variable: the configuration error on stderr, stdout stays empty (64)', async () => {
    const run = await supervisor(['status', '--json'], { LOG_LEVEL: 'loud' });
    expect(run.exitCode).toBe(64);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/"exitCode":64.*LOG_LEVEL=\\"loud\\" is invalid/);
  });

  it('--json and --sql together are a usage error (64)', async () => {
    const run = await supervisor(['status', '--json', '--sql']);
    expect(run.exitCode).toBe(64);
  });
});

describe('status --sql', () => {
  it('prints the SQL of the pending revisions only, from the current revision to the target', async () => {
    await migrateTo(REVISIONS[1]);
    const run = await supervisor(['status', '--sql']);
    expect(run.exitCode).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('BEGIN;');
    expect(lines.filter((line) => line.startsWith('-- Running'))).toEqual([`-- Running upgrade ${REVISIONS[1]} -> ${REVISIONS[2]}`, `-- Running upgrade ${REVISIONS[2]} -> ${HEAD}`]);
    expect(lines).toContain('CREATE INDEX ix_items_name ON items (name);');
    expect(lines.at(-1)).toBe('COMMIT;');
    // Nothing ran: the database is where it was, without the index.
    expect(await versionsOf(db.url)).toEqual([REVISIONS[1]]);
    expect(await query(db.url, "SELECT indexname FROM pg_indexes WHERE indexname = 'ix_items_name'")).toEqual([]);
  });

  it('from an empty database: every revision', async () => {
    const run = await supervisor(['status', '--sql']);
    expect(run.exitCode).toBe(1);
    expect(run.stdout.split('\n').filter((line) => line.startsWith('-- Running'))).toHaveLength(4);
    expect(run.stdout).toContain('CREATE TABLE alembic_version');
    expect(await tablesOf(db.url)).toEqual([]);
  });

  it('at the target: a comment and exit 0', async () => {
    await migrateTo(HEAD);
    const run = await supervisor(['status', '--sql']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(`-- the database is at ${HEAD}: migrate has nothing to run`);
  });

  it('a revision that cannot be rendered offline is named with the reason (70), and no partial SQL is printed', async () => {
    await migrateTo(HEAD);
    const alembicConfig = await db.projectWith([
      { id: '0ff11e000001', parent: HEAD, upgrade: ['count = op.get_bind().execute(sa.text("SELECT count(*) FROM users")).scalar()', 'op.execute(f"SELECT {count}")'] },
    ]);
    const run = await supervisor(['status', '--sql'], { ALEMBIC_CONFIG: alembicConfig });
    expect(run.exitCode).toBe(70);
    expect(run.stdout).toBe('');
    const error = JSON.parse(run.stderr.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    expect(error).toMatchObject({ event: 'exit', exitCode: 70, revision: '0ff11e000001', exception: "AttributeError: 'NoneType' object has no attribute 'scalar'" });
    expect(error.msg).toMatch(/^revision 0ff11e000001 \(test revision 0ff11e000001\) cannot be rendered as SQL offline: AttributeError: 'NoneType' object has no attribute 'scalar'; /);
  });

  it('a refused database prints no SQL and exits 65', async () => {
    await query(db.url, "CREATE TABLE alembic_version (version_num varchar(32) primary key); INSERT INTO alembic_version VALUES ('abcdef999999')");
    const run = await supervisor(['status', '--sql']);
    expect(run.exitCode).toBe(65);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('abcdef999999');
  });
});
