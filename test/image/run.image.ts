// The image as users run it: `docker run` against a PostgreSQL container, then `docker stop`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEAD } from '../support/project.js';
import { createNetwork, docker, dockerOk, getJson, healthOf, IMAGE, jsonLines, publishedPort, startPostgres, uniqueName, until, type Postgres } from './docker.js';

describe('the image', () => {
  it('ships backend-supervisor as one self-contained executable: no node, no node_modules, runs as non-root', async () => {
    const script = [
      'set -e',
      'f=/usr/local/bin/backend-supervisor',
      'test -f "$f" && test -x "$f" && test ! -L "$f"',
      'echo "size $(stat -c %s "$f")"',
      'echo "node $(command -v node || echo none)"',
      'echo "node_modules $(find / -xdev -name node_modules -not -path "/proc/*" 2>/dev/null | wc -l)"',
      'echo "missing-libs $(ldd "$f" | grep -c "not found" || true)"',
      'echo "uid $(id -u)"',
      'echo "version $(backend-supervisor --version)"',
      'echo "pwd $(pwd) $(test -f alembic.ini && echo alembic.ini)"',
    ].join('\n');
    const out = await dockerOk(['run', '--rm', '--network', 'host', '--entrypoint', 'sh', IMAGE, '-c', script]);
    const facts = Object.fromEntries(out.split('\n').map((line) => [line.split(' ')[0], line.slice(line.indexOf(' ') + 1)]));
    expect(Number(facts.size)).toBeGreaterThan(10_000_000); // the node runtime is inside
    expect(facts.node).toBe('none');
    expect(facts.node_modules).toBe('0');
    expect(facts['missing-libs']).toBe('0');
    expect(facts.uid).toBe('10001');
    expect(facts.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(facts.pwd).toBe('/app alembic.ini');
  });

  it('as a plain init (no DATABASE_URL, migrations off) it runs the command and exits with its status', async () => {
    const result = await docker(['run', '--rm', '--network', 'host', '-e', 'RUN_MIGRATIONS=false', IMAGE, 'sh', '-c', 'exit 37']);
    expect(result.exitCode).toBe(37);
  });

  it('reaps orphaned zombies as PID 1 (the koffi native module loads from the executable)', async () => {
    const script = 'for i in 1 2 3; do (sleep 0.1 &); done; sleep 1; cat /proc/[0-9]*/stat 2>/dev/null | grep -c " Z " || true';
    const result = await docker(['run', '--rm', '--network', 'host', '-e', 'RUN_MIGRATIONS=false', '-e', 'LOG_LEVEL=debug', IMAGE, 'sh', '-c', script]);
    expect(result.exitCode).toBe(0);
    const lines = String(result.stdout).split('\n');
    expect(lines).toContain('0');
    expect(jsonLines(String(result.stdout)).some((entry) => entry.event === 'reap')).toBe(true);
    expect(String(result.all)).not.toMatch(/koffi|dlopen/i);
  });

  it('a configuration error is one line and exit 64', async () => {
    const result = await docker(['run', '--rm', '--network', 'host', '-e', 'RUN_MIGRATIONS=maybe', IMAGE]);
    expect(result.exitCode).toBe(64);
    expect(String(result.all)).toContain('RUN_MIGRATIONS');
  });
});

describe('docker run on a network with PostgreSQL, then docker stop', () => {
  let net: Awaited<ReturnType<typeof createNetwork>>;
  let pg: Postgres;
  const names: string[] = [];
  const backend = async (database: string, extra: string[] = [], command: string[] = []) => {
    const name = uniqueName('bs-image-backend');
    names.push(name);
    await dockerOk([
      'run', '-d', '--name', name, '--network', net.name, '-p', '127.0.0.1::8000',
      '-e', `DATABASE_URL=postgresql+psycopg2://app:${pg.password}@db:5432/${database}`,
      ...extra, IMAGE, ...command,
    ]);
    return name;
  };
  const healthy = (name: string) =>
    until(`${name} to turn healthy`, 150_000, async () => {
      const health = await healthOf(name);
      if (health === 'unhealthy' || (await dockerOk(['inspect', '-f', '{{.State.Running}}', name])) !== 'true') {
        throw new Error(`${name} is ${health}: ${String((await docker(['logs', name])).all)}`);
      }
      return health === 'healthy' ? true : undefined;
    });

  beforeAll(async () => {
    net = await createNetwork();
    pg = await startPostgres(5432, net.name);
  });
  afterAll(async () => {
    for (const name of names) await docker(['rm', '-f', name]);
    await pg?.remove();
    await net?.remove();
  });

  it('migrates, turns healthy by its own HEALTHCHECK (backend-supervisor probe), and `docker stop` ends uvicorn gracefully with 143', async () => {
    const name = await backend('app');
    await healthy(name);
    const health = await getJson(await publishedPort(name, 8000), '/health');
    expect(health).toEqual({ status: 200, body: { status: 'ok', database: 'ok', revision: HEAD } });
    expect(await pg.psql('SELECT version_num FROM alembic_version')).toBe(HEAD);
    const probes = await dockerOk(['inspect', '-f', '{{range .State.Health.Log}}{{.ExitCode}} {{.Output}}{{end}}', name]);
    expect(probes).toContain('0 GET http://127.0.0.1:8000/health: 200 OK');

    // docker stop's default: SIGTERM, then SIGKILL after 10 s. uvicorn is done long before.
    const started = Date.now();
    await dockerOk(['stop', name]);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(await dockerOk(['inspect', '-f', '{{.State.ExitCode}}', name])).toBe('143');
    const logs = String((await docker(['logs', name])).all);
    expect(logs).toContain('Application shutdown complete');
    expect(logs).toContain('backend: shutting down');
    const events = jsonLines(logs);
    expect(events.some((entry) => entry.event === 'migrate')).toBe(true);
    expect(events.some((entry) => entry.event === 'shutdown' && /SIGTERM/.test(String(entry.msg)))).toBe(true);
    expect(events.some((entry) => entry.event === 'shutdown' && /SIGKILL/.test(String(entry.msg)))).toBe(false);
    expect(logs).not.toContain(pg.password);
  });

  it('--read-only with an arbitrary UID (no /etc/passwd entry): migrates a fresh database, turns healthy, stops with 143', async () => {
    await pg.psql('CREATE DATABASE readonly OWNER app');
    const name = await backend('readonly', ['--read-only', '--user', '4242:4242']);
    await healthy(name);
    expect(await dockerOk(['inspect', '-f', '{{.HostConfig.ReadonlyRootfs}} {{.Config.User}}', name])).toBe('true 4242:4242');
    const health = await getJson(await publishedPort(name, 8000), '/health');
    expect(health).toEqual({ status: 200, body: { status: 'ok', database: 'ok', revision: HEAD } });
    await dockerOk(['stop', name]);
    expect(await dockerOk(['inspect', '-f', '{{.State.ExitCode}}', name])).toBe('143');
    const logs = String((await docker(['logs', name])).all);
    expect(jsonLines(logs).some((entry) => entry.event === 'migrate')).toBe(true);
    expect(jsonLines(logs).filter((entry) => entry.level === 'error')).toEqual([]);
  });

  it('an app that ignores SIGTERM: the supervisor sends SIGKILL after SHUTDOWN_TIMEOUT (8 s), before docker stop\'s own 10 s', async () => {
    const name = await backend('app', ['-e', 'RUN_MIGRATIONS=false'], ['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 1; done']);
    await until('the app to start', 60_000, async () => (/ready/.test(String((await docker(['logs', name])).all)) ? true : undefined));
    const started = Date.now();
    await dockerOk(['stop', name]);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(7_500);
    expect(elapsed).toBeLessThan(10_000);
    expect(await dockerOk(['inspect', '-f', '{{.State.ExitCode}}', name])).toBe('137');
    const events = jsonLines(String((await docker(['logs', name])).all));
    expect(events.filter((entry) => entry.event === 'shutdown' && entry.level === 'warn').map((entry) => entry.msg)).toEqual([
      'the app did not exit within SHUTDOWN_TIMEOUT=8s; sending SIGKILL',
    ]);
    expect(events.find((entry) => entry.event === 'app' && 'exitCode' in entry)).toMatchObject({ exitCode: 137, signal: 'SIGKILL' });
  });
});
