// `docker-compose config` of every compose file and of the combinations the README shows: it needs no
// Docker engine, only docker-compose (scripts/setup-compose.sh, run by `npm test`, installs it).
// The image tests (npm run test:image) run the same files for real.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO } from '../support/paths.js';

const CONTAINER = 'docker-compose.container.yml';
const ALEMBIC = 'docker-compose.alembic.yml';
const PRODUCTION = 'docker-compose.production.yml';
// Every character a URL would need encoded, a shell would need quoted, and compose would interpolate.
const PASSWORD = `p@ss:w/rd?#%&= 'x"y$z\\`;

interface Run {
  status: number | null;
  output: string;
  config: Record<string, any>;
}

// docker-compose (Python) takes a second or more to start: each combination runs once.
const runs = new Map<string, Run>();

function compose(args: string[], env: Record<string, string> = {}): Run {
  const key = JSON.stringify([args, env]);
  const done = runs.get(key);
  if (done) return done;
  const result = spawnSync('docker-compose', [...args, 'config'], {
    cwd: REPO,
    encoding: 'utf8',
    // Nothing of the caller's COMPOSE_* or variables: only what the test gives.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', POSTGRES_PASSWORD: PASSWORD, ...env },
  });
  if (result.error) throw new Error(`docker-compose could not run (${result.error.message}): run scripts/setup-compose.sh (npm test does) or install docker-compose`);
  const output = `${result.stdout}${result.stderr}`;
  // `config` prints a literal $ as $$, as compose files must spell it.
  const run = { status: result.status, output, config: result.status === 0 ? (parse(result.stdout.replaceAll('$$', '$')) as Record<string, any>) : {} };
  runs.set(key, run);
  return run;
}
const files = (...names: string[]) => names.flatMap((name) => ['-f', name]);

beforeAll(() => {
  const version = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    throw new Error('docker-compose is not installed: run scripts/setup-compose.sh (npm test does; as root it installs Debian\'s docker-compose)');
  }
});

describe('compose files (docker-compose config)', () => {
  it.each([[[CONTAINER]], [[CONTAINER, ALEMBIC]], [[CONTAINER, ALEMBIC, PRODUCTION]], [[]]])('%j is valid', (names) => {
    const run = compose(files(...names));
    expect(run.output).not.toMatch(/WARNING|ERROR/i);
    expect(run.status).toBe(0);
  });

  it('POSTGRES_PASSWORD reaches the db and every backend unchanged, whatever it holds, and never inside DATABASE_URL', () => {
    const { config } = compose(files(CONTAINER, ALEMBIC));
    expect(config.services.db.environment.POSTGRES_PASSWORD).toBe(PASSWORD);
    for (const service of ['backend', 'migrate']) {
      expect(config.services[service].environment.PGPASSWORD).toBe(PASSWORD);
      expect(config.services[service].environment.DATABASE_URL).toBe('postgresql+psycopg2://app@db:5432/app');
    }
  });

  it('without POSTGRES_PASSWORD it stops, saying what to set', () => {
    const run = compose(files(CONTAINER), { POSTGRES_PASSWORD: '' });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('set POSTGRES_PASSWORD');
  });

  it('the backend: built from Dockerfile.backend under the README\'s tag, probed by the supervisor, scalable, stopped by the supervisor', () => {
    const backend = compose(files(CONTAINER)).config.services.backend;
    expect(backend.build).toEqual({ context: REPO, dockerfile: 'Dockerfile.backend' });
    expect(backend.image).toBe('backend-supervisor-example:latest');
    expect(readFileSync(path.join(REPO, 'README.md'), 'utf8')).toContain('docker build -f Dockerfile.backend -t backend-supervisor-example .');
    expect(backend.healthcheck.test).toEqual(['CMD', 'backend-supervisor', 'probe', '--timeout', '4', 'http://127.0.0.1:8000/health']);
    // A host port range: `--scale backend=3` gives each replica one, where one fixed port fails the second.
    expect(backend.ports).toEqual([{ published: '8000-8009', target: 8000 }]);
    expect(backend.environment).toMatchObject({ RUN_MIGRATIONS: 'true', SKIP_MIGRATIONS: 'false', SHUTDOWN_DELAY: '0', SHUTDOWN_TIMEOUT: '8' });
    expect(backend.stop_grace_period).toBe('15s');
    expect(backend.depends_on).toEqual({ db: { condition: 'service_healthy' } });
  });

  it('SKIP_MIGRATIONS=true in the environment reaches the backend (compose has no `up -e`)', () => {
    expect(compose(files(CONTAINER), { SKIP_MIGRATIONS: 'true' }).config.services.backend.environment.SKIP_MIGRATIONS).toBe('true');
  });

  it('docker-compose.alembic.yml adds the one-shot migrate service, which the backends do not wait for', () => {
    const { config } = compose(files(CONTAINER, ALEMBIC));
    expect(Object.keys(config.services).sort()).toEqual(['backend', 'db', 'migrate']);
    expect(config.services.migrate).toMatchObject({ command: 'migrate', restart: 'no', image: 'backend-supervisor-example:latest', depends_on: { db: { condition: 'service_healthy' } } });
    expect(config.services.migrate.ports).toBeUndefined();
    expect(config.services.backend.depends_on).toEqual({ db: { condition: 'service_healthy' } });
  });

  it('docker-compose.production.yml: the backends start without migrating, once migrate exited 0', () => {
    const { config } = compose(files(CONTAINER, ALEMBIC, PRODUCTION));
    expect(config.services.backend.depends_on).toEqual({ db: { condition: 'service_healthy' }, migrate: { condition: 'service_completed_successfully' } });
    expect(config.services.backend.environment.RUN_MIGRATIONS).toBe('false');
  });

  it('from the repository root with no -f, .env makes the short forms (`docker-compose run migrate`, `up -d`) the production flow', () => {
    expect(compose([]).config).toEqual(compose(files(CONTAINER, ALEMBIC, PRODUCTION)).config);
  });
});
