// Helpers of the image tests: the docker CLI, the image under test, a PostgreSQL container.
// Everything runs with --network host: the test machines' dockerd has no bridge (scripts/image/prepare.sh).
import { execa, type Options, type Result } from 'execa';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { revisionSource } from '../support/custom-project.js';
import { REPO } from '../support/paths.js';
import { FAILING_REVISION } from '../support/project.js';

/** The base images; the defaults are the local stand-ins that scripts/image/prepare.sh builds. */
export const BASES = {
  node: process.env.IMAGE_TEST_NODE_IMAGE ?? 'local/node:bookworm',
  python: process.env.IMAGE_TEST_PYTHON_IMAGE ?? 'local/python:bookworm',
  postgres: process.env.IMAGE_TEST_POSTGRES_IMAGE ?? 'local/postgres:bookworm',
};
/** pip options of the image build: by default only the wheels prepare.sh put in docker/wheels/. */
export const PIP_EXTRA_ARGS = process.env.IMAGE_TEST_PIP_EXTRA_ARGS ?? '--no-index --find-links /tmp/wheels';
export const IMAGE = process.env.IMAGE_TEST_TAG ?? 'backend-supervisor-example:image-test';
export const BUILD_LOG = path.join(tmpdir(), 'backend-supervisor-image-build.log');
export const PREPARE = 'scripts/image/prepare.sh';

export function docker(args: string[], options: Options = {}): Promise<Result> {
  return execa('docker', args, { reject: false, all: true, cwd: REPO, ...options }) as Promise<Result>;
}

export async function dockerOk(args: string[], options: Options = {}): Promise<string> {
  const result = await docker(args, options);
  if (result.exitCode !== 0) throw new Error(`docker ${args.join(' ')} exited ${result.exitCode}:\n${String(result.all)}`);
  return String(result.stdout).trim();
}

/** A password that is easy to find in a log, and needs no URL encoding. */
export function password(): string {
  return `pw${randomBytes(12).toString('hex')}`;
}

/** A password with every character a URL would need encoded and a shell would need quoted. */
export function awkwardPassword(): string {
  return `p@ss:w/rd?#%&= '${randomBytes(6).toString('hex')}"$x`;
}

/** A user-defined bridge network (the test machines' dockerd has no default bridge; these work). */
export async function createNetwork(): Promise<{ name: string; remove: () => Promise<void> }> {
  const name = uniqueName('bs-image-net');
  await dockerOk(['network', 'create', name]);
  return { name, remove: async () => void (await docker(['network', 'rm', name])) };
}

/** The host port docker published for a container's port (`-p 127.0.0.1::8000`). */
export async function publishedPort(container: string, port: number): Promise<number> {
  const mapping = await dockerOk(['port', container, `${port}/tcp`]);
  const found = /:(\d+)\s*$/m.exec(mapping.split('\n')[0] ?? '');
  if (!found) throw new Error(`no published port for ${container}:${port}: ${mapping}`);
  return Number(found[1]);
}

/** The container's health as docker's HEALTHCHECK sees it: starting, healthy or unhealthy. */
export async function healthOf(container: string): Promise<string> {
  return dockerOk(['inspect', '-f', '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}', container]);
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` returns a value, or throws after `timeoutMs` with the last error. */
export async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export interface Postgres {
  name: string;
  port: number;
  password: string;
  url: string;
  psql(sql: string): Promise<string>;
  remove(): Promise<void>;
}

/**
 * A PostgreSQL container (user and database `app`), ready to accept connections: on the host network at
 * 127.0.0.1:port, or on `network` as host `db` (port 5432; `url` is then for containers on that network).
 */
export async function startPostgres(port: number, network?: string): Promise<Postgres> {
  const name = uniqueName('bs-image-pg');
  const secret = password();
  const inner = network ? 5432 : port;
  const where = network ? ['--network', network, '--network-alias', 'db'] : ['--network', 'host', '-e', `PGPORT=${port}`];
  await dockerOk([
    'run', '-d', '--name', name, ...where,
    '-e', `POSTGRES_PASSWORD=${secret}`, '-e', 'POSTGRES_USER=app', '-e', 'POSTGRES_DB=app',
    BASES.postgres,
  ]);
  await until(`PostgreSQL in ${name}`, 60_000, async () => {
    const ready = await docker(['exec', name, 'pg_isready', '-h', '127.0.0.1', '-p', String(inner)]);
    return ready.exitCode === 0 ? true : undefined;
  });
  return {
    name,
    port: inner,
    password: secret,
    url: network ? `postgresql://app:${secret}@db:5432/app` : `postgresql://app:${secret}@127.0.0.1:${port}/app`,
    psql: (sql) => dockerOk(['exec', '-e', `PGPASSWORD=${secret}`, name, 'psql', '-h', '127.0.0.1', '-p', String(inner), '-U', 'app', '-d', 'app', '-tAc', sql]),
    remove: async () => void (await docker(['rm', '-f', '-v', name])),
  };
}

/** GET http://127.0.0.1:port/path: status and parsed JSON body, or undefined while nothing answers. */
export async function getJson(port: number, urlPath: string): Promise<{ status: number; body: unknown } | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${urlPath}`, { signal: AbortSignal.timeout(3000) });
    return { status: response.status, body: await response.json() };
  } catch {
    return undefined;
  }
}

/** The JSON log lines of a docker log (the app's own lines are not JSON and are left out). */
export function jsonLines(log: string): Array<Record<string, unknown>> {
  return log
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

export const FAILING_REVISION_ID = FAILING_REVISION.id;

/** A revision after `parent` that creates a table, then fails: alembic exits non-zero, nothing stays. */
export function failingRevision(parent: string): string {
  return revisionSource(FAILING_REVISION.id, parent, FAILING_REVISION.upgrade);
}
