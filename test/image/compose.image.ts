// The compose files as the design's users type them, verbatim, from the repository root, against the image
// under test and a local PostgreSQL image: each project on compose's own bridge network, the backends on a
// host port range. `docker-compose exec` wants a terminal, so those commands run under `script`.
import { execa } from 'execa';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/paths.js';
import { HEAD, REVISIONS } from '../support/project.js';
import { awkwardPassword, BASES, docker, dockerOk, failingRevision, FAILING_REVISION_ID, getJson, healthOf, IMAGE, jsonLines, publishedPort, uniqueName, until } from './docker.js';

/** Ten consecutive free host ports, for BACKEND_PORTS. */
async function freeRange(): Promise<string> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const ports = Array.from({ length: 10 }, (_, i) => base + i);
    if ((await Promise.all(ports.map(free))).every(Boolean)) return `${base}-${base + 9}`;
  }
  throw new Error('no ten consecutive free ports found');
}

/** One compose project (its own network and volume, so a fresh database), driven from the repository root. */
async function project(extra: Record<string, string> = {}) {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    COMPOSE_PROJECT_NAME: uniqueName('bsimage').replace('-', ''),
    POSTGRES_IMAGE: BASES.postgres,
    BACKEND_IMAGE: IMAGE,
    POSTGRES_PASSWORD: awkwardPassword(),
    BACKEND_PORTS: await freeRange(),
    ...extra,
  };
  /** A command line exactly as a user types it (words split on spaces: no quoting needed in these). */
  const sh = (line: string, more: Record<string, string> = {}) => {
    const [file, ...args] = line.split(' ');
    return execa(file as string, args, { cwd: REPO, env: { ...env, ...more }, extendEnv: false, reject: false, all: true });
  };
  /** The same under a pseudo-terminal, for `docker-compose exec` (it allocates a TTY by default). */
  const tty = (line: string) => execa('script', ['-qec', line, '/dev/null'], { cwd: REPO, env, extendEnv: false, reject: false, all: true });
  const containers = async (service: string) =>
    (await dockerOk(['ps', '-aq', '--filter', `label=com.docker.compose.project=${env.COMPOSE_PROJECT_NAME}`, '--filter', `label=com.docker.compose.service=${service}`]))
      .split('\n')
      .filter(Boolean);
  const psql = async (sql: string) => {
    const [db] = await containers('db');
    return dockerOk(['exec', '-e', `PGPASSWORD=${env.POSTGRES_PASSWORD}`, db as string, 'psql', '-h', '127.0.0.1', '-U', 'app', '-d', 'app', '-tAc', sql]);
  };
  const healthy = (container: string) =>
    until(`${container} to turn healthy`, 150_000, async () => {
      const health = await healthOf(container);
      if (health === 'unhealthy') throw new Error(`${container} is unhealthy: ${String((await docker(['logs', container])).all)}`);
      return health === 'healthy' ? true : undefined;
    });
  const down = () => execa('docker-compose', ['-f', 'docker-compose.container.yml', '-f', 'docker-compose.alembic.yml', 'down', '-v', '--remove-orphans', '-t', '2'], { cwd: REPO, env, extendEnv: false, reject: false });
  return { env, password: env.POSTGRES_PASSWORD as string, sh, tty, containers, psql, healthy, down };
}

const logsOf = async (container: string) => String((await docker(['logs', container])).all);
const ranAlembicUpgrade = (logs: string) => jsonLines(logs).some((entry) => entry.event === 'alembic' && /Running upgrade/.test(String(entry.msg)));

describe('docker-compose.container.yml and docker-compose.alembic.yml, the design\'s commands verbatim', () => {
  let p: Awaited<ReturnType<typeof project>>;
  let scratch: string;
  beforeAll(async () => {
    p = await project();
    scratch = await mkdtemp(path.join(tmpdir(), 'bs-image-compose-'));
  });
  afterAll(async () => {
    await p?.down();
    await rm(scratch, { recursive: true, force: true });
  });

  it('SKIP_MIGRATIONS=true docker-compose -f docker-compose.container.yml up -d: the backend starts without migrating', async () => {
    const up = await p.sh('docker-compose -f docker-compose.container.yml up -d', { SKIP_MIGRATIONS: 'true' });
    expect(up.exitCode, String(up.all)).toBe(0);
    const [backend] = await p.containers('backend');
    const logs = await until('the app to start', 120_000, async () => {
      const text = await logsOf(backend as string);
      return /Application startup complete/.test(text) ? text : undefined;
    });
    // The one migrate event says migrations were skipped, and by which variable; nothing was locked or inspected.
    expect(jsonLines(logs).filter((entry) => ['lock', 'inspect', 'migrate'].includes(String(entry.event)))).toEqual([
      expect.objectContaining({ event: 'migrate', skipped: true, msg: 'migrations skipped: SKIP_MIGRATIONS=true' }),
    ]);
    expect(await p.psql("SELECT to_regclass('alembic_version') IS NULL")).toBe('t');
    expect(logs).not.toContain(p.password);
  });

  it('docker-compose -f docker-compose.container.yml -f docker-compose.alembic.yml run migrate: migrates to head, exit 0, password never shown', async () => {
    const run = await p.sh('docker-compose -f docker-compose.container.yml -f docker-compose.alembic.yml run migrate');
    expect(run.exitCode, String(run.all)).toBe(0);
    expect(ranAlembicUpgrade(String(run.all))).toBe(true);
    expect(String(run.all)).not.toContain(p.password);
    expect(await p.psql('SELECT version_num FROM alembic_version')).toBe(HEAD);
  });

  it('a failing revision makes `run migrate` exit 70, leaving the database at the old head', async () => {
    const file = path.join(scratch, `${FAILING_REVISION_ID}.py`);
    await writeFile(file, failingRevision(HEAD));
    await chmod(scratch, 0o755);
    await chmod(file, 0o644);
    const run = await execa(
      'docker-compose',
      ['-f', 'docker-compose.container.yml', '-f', 'docker-compose.alembic.yml', 'run', '-v', `${file}:/app/alembic/versions/${FAILING_REVISION_ID}.py:ro`, 'migrate'],
      { cwd: REPO, env: p.env, extendEnv: false, reject: false, all: true },
    );
    expect(run.exitCode, String(run.all)).toBe(70);
    expect(String(run.all)).toContain('division by zero');
    expect(String(run.all)).not.toContain(p.password);
    expect(await p.psql('SELECT version_num FROM alembic_version')).toBe(HEAD);
    expect(await p.psql("SELECT count(*) FROM information_schema.tables WHERE table_name = 'half_applied'")).toBe('0');
  });

  it('docker-compose run migrate (the short form; .env names the files): nothing to do, exit 0', async () => {
    const run = await p.sh('docker-compose run migrate');
    expect(run.exitCode, String(run.all)).toBe(0);
    expect(ranAlembicUpgrade(String(run.all))).toBe(false);
    expect(String(run.all)).not.toContain(p.password);
  });

  it('docker-compose -f docker-compose.container.yml up -d: the backend turns healthy (the probe) and serves /health', async () => {
    const up = await p.sh('docker-compose -f docker-compose.container.yml up -d');
    expect(up.exitCode, String(up.all)).toBe(0);
    const [backend] = await p.containers('backend');
    await p.healthy(backend as string);
    const port = await publishedPort(backend as string, 8000);
    // One of BACKEND_PORTS (recreating the backend takes the next free one while the old one still holds its own).
    const [first, last] = (p.env.BACKEND_PORTS as string).split('-').map(Number);
    expect(port).toBeGreaterThanOrEqual(first as number);
    expect(port).toBeLessThanOrEqual(last as number);
    expect(await getJson(port, '/health')).toEqual({ status: 200, body: { status: 'ok', database: 'ok', revision: HEAD } });
  });

  it('docker-compose -f docker-compose.container.yml exec backend alembic current / stamp REV / upgrade head', async () => {
    const current = await p.tty('docker-compose -f docker-compose.container.yml exec backend alembic current');
    expect(current.exitCode, String(current.all)).toBe(0);
    expect(String(current.all)).toContain(`${HEAD} (head)`);
    const previous = REVISIONS[2];
    const stamp = await p.tty(`docker-compose -f docker-compose.container.yml exec backend alembic stamp ${previous}`);
    expect(stamp.exitCode, String(stamp.all)).toBe(0);
    expect(await p.psql('SELECT version_num FROM alembic_version')).toBe(previous);
    const back = await p.tty(`docker-compose -f docker-compose.container.yml exec backend alembic stamp ${HEAD}`);
    expect(back.exitCode, String(back.all)).toBe(0);
    const upgrade = await p.tty('docker-compose -f docker-compose.container.yml exec backend alembic upgrade head');
    expect(upgrade.exitCode, String(upgrade.all)).toBe(0);
    expect(await p.psql('SELECT version_num FROM alembic_version')).toBe(HEAD);
    expect(String(current.all) + String(stamp.all) + String(upgrade.all)).not.toContain(p.password);
  });

  it('docker stop: uvicorn shuts down gracefully, exit 143, long before docker\'s 10 s', async () => {
    const [backend] = await p.containers('backend');
    const started = Date.now();
    await dockerOk(['stop', backend as string]);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(await dockerOk(['inspect', '-f', '{{.State.ExitCode}}', backend as string])).toBe('143');
    const logs = await logsOf(backend as string);
    expect(logs).toContain('Application shutdown complete');
    expect(logs).not.toMatch(/SIGKILL/);
    expect(logs).not.toContain(p.password);
  });
});

describe('docker-compose -f docker-compose.container.yml up -d --scale backend=3, on a fresh database', () => {
  let p: Awaited<ReturnType<typeof project>>;
  beforeAll(async () => {
    p = await project();
  });
  afterAll(async () => {
    await p?.down();
  });

  it('one replica migrates, the others wait for it; all three turn healthy, each on its own host port', async () => {
    const up = await p.sh('docker-compose -f docker-compose.container.yml up -d --scale backend=3');
    expect(up.exitCode, String(up.all)).toBe(0);
    const backends = await p.containers('backend');
    expect(backends).toHaveLength(3);
    for (const backend of backends) await p.healthy(backend);
    const logs = await Promise.all(backends.map(logsOf));
    expect(logs.filter(ranAlembicUpgrade)).toHaveLength(1);
    for (const text of logs) expect(text).not.toContain(p.password);
    expect(await p.psql('SELECT version_num FROM alembic_version')).toBe(HEAD);
    const ports = await Promise.all(backends.map((backend) => publishedPort(backend, 8000)));
    expect(new Set(ports).size).toBe(3);
    for (const port of ports) expect((await getJson(port, '/health'))?.status).toBe(200);
  });
});

describe('the production flow from the repository root: docker-compose up -d (.env adds alembic + production)', () => {
  let p: Awaited<ReturnType<typeof project>>;
  beforeAll(async () => {
    p = await project();
  });
  afterAll(async () => {
    await p?.down();
  });

  it('migrate runs once and exits 0, then the backends start with RUN_MIGRATIONS=false and turn healthy', async () => {
    const up = await p.sh('docker-compose up -d --scale backend=2');
    expect(up.exitCode, String(up.all)).toBe(0);
    const [migrate] = await p.containers('migrate');
    expect(await dockerOk(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', migrate as string])).toBe('exited 0');
    expect(ranAlembicUpgrade(await logsOf(migrate as string))).toBe(true);
    const backends = await p.containers('backend');
    expect(backends).toHaveLength(2);
    for (const backend of backends) {
      await p.healthy(backend);
      const events = jsonLines(await logsOf(backend));
      expect(events.filter((entry) => ['lock', 'inspect', 'migrate'].includes(String(entry.event)))).toEqual([
        expect.objectContaining({ event: 'migrate', skipped: true, msg: 'migrations skipped: RUN_MIGRATIONS=false' }),
      ]);
    }
    expect(await p.psql('SELECT version_num FROM alembic_version')).toBe(HEAD);
  });
});
