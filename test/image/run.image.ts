// The image as users run it: `docker run` against a PostgreSQL container, then `docker stop`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { HEAD } from '../support/project.js';
import { docker, dockerOk, getJson, IMAGE, jsonLines, startPostgres, uniqueName, until, type Postgres } from './docker.js';

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

describe('docker run against PostgreSQL, then docker stop', () => {
  let pg: Postgres;
  const name = uniqueName('bs-image-backend');
  const shutdownTimeout = 8;

  beforeAll(async () => {
    pg = await startPostgres(await freePort());
  });
  afterAll(async () => {
    await docker(['rm', '-f', name]);
    await pg?.remove();
  });

  it('migrates, serves /health, shuts uvicorn down gracefully with 143, and never logs the password', async () => {
    const port = await freePort();
    await dockerOk([
      'run', '-d', '--name', name, '--network', 'host',
      '-e', `DATABASE_URL=postgresql+psycopg2://app:${pg.password}@127.0.0.1:${pg.port}/app`,
      '-e', `SHUTDOWN_TIMEOUT=${shutdownTimeout}`,
      IMAGE, 'uvicorn', 'app.main:app', '--host', '127.0.0.1', '--port', String(port),
    ]);
    const health = await until('/health to answer 200', 90_000, async () => {
      const answer = await getJson(port, '/health');
      if (answer?.status === 200) return answer;
      const state = await dockerOk(['inspect', '-f', '{{.State.Running}}', name]);
      if (state !== 'true') throw new Error(`the container stopped: ${String((await docker(['logs', name])).all)}`);
      return undefined;
    });
    expect(health.body).toEqual({ status: 'ok', database: 'ok', revision: HEAD });
    expect(await pg.psql('SELECT version_num FROM alembic_version')).toBe(HEAD);
    expect(await pg.psql("SELECT count(*) FROM information_schema.tables WHERE table_name IN ('users', 'items')")).toBe('2');

    const started = Date.now();
    await dockerOk(['stop', '-t', String(shutdownTimeout + 10), name]);
    const stopSeconds = (Date.now() - started) / 1000;
    expect(stopSeconds).toBeLessThan(shutdownTimeout);
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
});
