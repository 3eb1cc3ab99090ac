// Start-up cost, side by side with the alternatives, in one run, reported as ratios.
//   init only:      backend-supervisor as a plain init (the bundle run by node, and the single
//                   executable the image ships) vs tini and dumb-init, around `true`.
//   database ready: a container start whose database is already at head: backend-supervisor
//                   (wait + inspect, no Python) vs the shell entrypoint it replaces
//                   (`alembic upgrade head && exec app`).
//   fresh database: migrating an empty database: backend-supervisor vs plain `alembic upgrade head`.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, startEmbeddedPostgres } from '../test/support/postgres.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const supervisor = [process.execPath, path.join(repo, 'dist/backend-supervisor.cjs')];
const executable = [path.join(repo, 'dist/backend-supervisor')];
const alembicIni = path.join(repo, 'examples/backend/alembic.ini');
const PATH = `${path.join(repo, '.venv/bin')}${path.delimiter}${process.env.PATH}`;
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

type Command = string[];
type Env = Record<string, string>;

function time(command: Command, env: Env): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command[0] as string, command.slice(1), { env: { PATH, HOME: process.env.HOME, ...env }, stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`${command.join(' ')} exited ${result.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Runs each variant RUNS times, interleaved so that machine noise hits them alike. */
async function compare(title: string, variants: Array<[string, Command]>, prepare: () => Promise<Env> | Env): Promise<void> {
  const samples = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  for (let run = 0; run < RUNS; run += 1) {
    for (const [name, command] of variants) samples.get(name)?.push(time(command, await prepare()));
  }
  const baseName = variants[0]?.[0] as string;
  const base = median(samples.get(baseName) ?? []);
  console.log(`\n${title} (median of ${RUNS}; ratio to ${baseName})`);
  for (const [name] of variants) {
    const value = median(samples.get(name) ?? []);
    console.log(`  ${name.padEnd(42)} ${value.toFixed(1).padStart(8)} ms   x${(value / base).toFixed(2)}`);
  }
}

await compare('init only: run `true` as the child', [
  ['backend-supervisor (plain init)', [...supervisor, '--', 'true']],
  ['backend-supervisor single executable', [...executable, '--', 'true']],
  ['tini', ['tini', '--', 'true']],
  ['dumb-init', ['dumb-init', 'true']],
], () => ({ RUN_MIGRATIONS: 'false' }));

const server = await startEmbeddedPostgres();
try {
  const atHead = await createDatabase(server.adminUrl);
  time([...supervisor, 'migrate'], { DATABASE_URL: atHead, ALEMBIC_CONFIG: alembicIni });
  await compare('database already at head: start-up until the app runs', [
    ['backend-supervisor', [...supervisor, '--', 'true']],
    ['shell entrypoint: alembic upgrade head && app', ['sh', '-c', `alembic -c ${alembicIni} upgrade head && exec true`]],
  ], () => ({ DATABASE_URL: atHead, ALEMBIC_CONFIG: alembicIni }));

  await compare('fresh database: migrate to head', [
    ['backend-supervisor migrate', [...supervisor, 'migrate']],
    ['alembic upgrade head', ['alembic', '-c', alembicIni, 'upgrade', 'head']],
  ], async () => ({ DATABASE_URL: await createDatabase(server.adminUrl), ALEMBIC_CONFIG: alembicIni }));
} finally {
  await server.stop();
}
