// docker/docker-compose.yml as users run it: `docker-compose run migrate` (the seed's production step),
// a failing migration, then `up backend`. test/image/compose.host-network.yml puts every service on
// the host network, as the test machines' dockerd has no bridge; docker-compose 1.x cannot drop the
// backend's published port in an override ("host" network_mode is incompatible with port_bindings),
// so the test runs a copy of the real file with only that `ports:` entry taken out.
import { execa } from 'execa';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/paths.js';
import { freePort } from '../support/ports.js';
import { HEAD } from '../support/project.js';
import { BASES, docker, dockerOk, failingRevision, FAILING_REVISION_ID, getJson, IMAGE, jsonLines, password, uniqueName, until } from './docker.js';

describe('docker/docker-compose.yml', () => {
  const project = uniqueName('bsimage').replace('-', '');
  const secret = password();
  let env: { DB_PORT: string; BACKEND_PORT: string } & Record<string, string>;
  let scratch: string;
  let composeFile: string;

  const compose = (args: string[]) =>
    execa('docker-compose', ['-f', composeFile, '-f', 'test/image/compose.host-network.yml', '--project-directory', 'docker', '-p', project, ...args], {
      cwd: REPO,
      env,
      reject: false,
      all: true,
    });
  const psql = (sql: string) =>
    compose(['exec', '-T', '-e', `PGPASSWORD=${secret}`, 'db', 'psql', '-h', '127.0.0.1', '-p', env.DB_PORT, '-U', 'app', '-d', 'app', '-tAc', sql]).then(
      (result) => {
        if (result.exitCode !== 0) throw new Error(`psql: ${String(result.all)}`);
        return String(result.stdout).trim();
      },
    );

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'bs-image-compose-'));
    const real = await readFile(path.join(REPO, 'docker/docker-compose.yml'), 'utf8');
    const published = /\n {4}ports:\n {6}- "\$\{BACKEND_PORT:-8000\}:8000"\n/;
    if (!published.test(real)) throw new Error('docker/docker-compose.yml: the backend\'s ports entry changed; update compose.image.ts');
    composeFile = path.join(scratch, 'docker-compose.yml');
    await writeFile(composeFile, real.replace(published, '\n'));
    env = {
      POSTGRES_IMAGE: BASES.postgres,
      BACKEND_IMAGE: IMAGE,
      POSTGRES_PASSWORD: secret,
      DB_HOST: '127.0.0.1',
      DB_PORT: String(await freePort()),
      BACKEND_PORT: String(await freePort()),
      SHUTDOWN_TIMEOUT: '8',
    };
  });
  afterAll(async () => {
    await compose(['down', '-v', '--remove-orphans', '-t', '2']);
    await rm(scratch, { recursive: true, force: true });
  });

  it('`docker-compose run migrate` starts db, waits for it, migrates to head and exits 0; a second run has nothing to do', async () => {
    const first = await compose(['run', '--rm', 'migrate']);
    expect(first.exitCode, String(first.all)).toBe(0);
    expect(String(first.all)).not.toContain(secret);
    expect(await psql('SELECT version_num FROM alembic_version')).toBe(HEAD);

    const second = await compose(['run', '--rm', 'migrate']);
    expect(second.exitCode, String(second.all)).toBe(0);
    expect(String(second.all)).not.toContain(secret);
  });

  it('a failing revision makes `docker-compose run migrate` exit 70, leaving the database at the old head', async () => {
    const file = path.join(scratch, `${FAILING_REVISION_ID}.py`);
    await writeFile(file, failingRevision(HEAD));
    await chmod(scratch, 0o755);
    await chmod(file, 0o644);
    const result = await compose(['run', '--rm', '-v', `${file}:/app/alembic/versions/${FAILING_REVISION_ID}.py:ro`, 'migrate']);
    expect(result.exitCode, String(result.all)).toBe(70);
    expect(String(result.all)).toContain('division by zero');
    expect(String(result.all)).not.toContain(secret);
    expect(await psql('SELECT version_num FROM alembic_version')).toBe(HEAD);
    expect(await psql("SELECT count(*) FROM information_schema.tables WHERE table_name = 'half_applied'")).toBe('0');
  });

  it('`docker-compose up -d backend` serves /health; `docker-compose stop` ends it gracefully with 143', async () => {
    const up = await compose(['up', '-d', 'backend']);
    expect(up.exitCode, String(up.all)).toBe(0);
    const port = Number(env.BACKEND_PORT);
    const health = await until('/health to answer 200', 90_000, async () => {
      const answer = await getJson(port, '/health');
      return answer?.status === 200 ? answer : undefined;
    });
    expect(health.body).toEqual({ status: 'ok', database: 'ok', revision: HEAD });

    const stop = await compose(['stop', '-t', '20', 'backend']);
    expect(stop.exitCode, String(stop.all)).toBe(0);
    const id = String((await compose(['ps', '-q', 'backend'])).stdout).trim();
    expect(await dockerOk(['inspect', '-f', '{{.State.ExitCode}}', id])).toBe('143');
    const logs = String((await docker(['logs', id])).all);
    expect(logs).toContain('Application shutdown complete');
    expect(logs).not.toContain(secret);
    // At head already (the migrate service ran): the supervisor found nothing to do, without Python.
    expect(jsonLines(logs).some((entry) => entry.event === 'startup')).toBe(true);
  });
});
