// The scenarios of `npm run bench`. Each measures backend-supervisor side by side with what it is
// compared against, in the same run, and returns a section of the report and the checks against
// the targets of issue 11.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { readScriptGraph } from '../src/migrations/script-graph.js';
import type { Logger } from '../src/log.js';
import { Phases } from '../src/phases.js';
import type { GeneratedHistory } from '../test/support/generated-history.js';
import { EXAMPLE, REPO, VENV_BIN } from '../test/support/paths.js';
import { freePort } from '../test/support/ports.js';
import { createDatabase, versionsOf } from '../test/support/postgres.js';
import { HEAD } from '../test/support/project.js';
import { compare, median, medianOf, medianRatio, pairedRatio, rssMiB, sleep, stop, timeCommand, watch, type Command, type Comparison, type Env } from './measure.js';

export interface Check {
  /** What is measured, against what. */
  label: string;
  measured: number;
  target: number;
  unit: 'x' | 'MiB' | 'ms' | 'failures';
  /** For a ratio of run times: the same ratio of CPU time, steadier on a busy machine. */
  cpu?: number;
  /**
   * The same ratio for the floor program of the stack (bench/floor.ts, or node spawning the app),
   * measured in the same run: the least any start on Node and pg measures. A target below it
   * cannot be met by any supervisor built on this stack.
   */
  floor?: number;
}

export interface Section {
  title: string;
  note: string;
  header: string[];
  rows: string[][];
}

export interface Outcome {
  section: Section;
  checks: Check[];
}

export interface Context {
  adminUrl: string;
  runs: number;
  heavyRuns: number;
  history: GeneratedHistory;
}

const BUNDLE = path.join(REPO, 'dist/backend-supervisor.cjs');
const EXECUTABLE = path.join(REPO, 'dist/backend-supervisor');
const bundle: Command = [process.execPath, BUNDLE];
const FLOOR = path.join(REPO, '.tmp/bench-floor.cjs');
const executable: Command = [EXECUTABLE];
const EXAMPLE_INI = path.join(EXAMPLE, 'alembic.ini');
const PATH = `${VENV_BIN}${path.delimiter}${process.env.PATH ?? ''}`;
const APP_MARKER = 'app-running';
/** An app that says it runs, then stays until signalled. */
const longApp: Command = ['sh', '-c', `echo ${APP_MARKER}; exec sleep 600`];

/** Nothing of the bench's own environment leaks into a run but PATH (the venv first) and HOME. */
function env(extra: Env = {}): Env {
  return { PATH, HOME: process.env.HOME, ...extra };
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const times = (value: number) => `x${value.toFixed(2)}`;
const mib = (value: number) => `${value.toFixed(1)} MiB`;

/** Command, median wall time, and the wall and CPU ratios to `base`. */
function comparisonRows(comparison: Comparison, base: string): string[][] {
  return comparison.series.map(({ name }) => [name, ms(medianOf(comparison, name)), times(pairedRatio(comparison, name, base)), times(pairedRatio(comparison, name, base, 'cpuMs'))]);
}

/** A target on the wall-time ratio a/b, with the CPU-time ratio beside it, and the floor's ratio to b. */
function ratioCheck(label: string, comparison: Comparison, a: string, b: string, target: number, floor?: string): Check {
  return { label, measured: pairedRatio(comparison, a, b), target, unit: 'x', cpu: pairedRatio(comparison, a, b, 'cpuMs'), ...(floor ? { floor: pairedRatio(comparison, floor, b) } : {}) };
}

/** The least a Node init can do: spawn the app and exit with its status. */
const SPAWN_FLOOR = 'floor: node spawning `true`, exiting with its status';
const spawnFloor: Command = [process.execPath, '-e', "require('child_process').spawn('true', { stdio: 'inherit' }).on('exit', (code) => process.exit(code))"];
const PG_FLOOR = 'floor: node + pg: connect, read the version, disconnect, spawn `true`';

/**
 * The floor program's V8 code cache, made as the supervisor's is, by one run, but at head: the
 * path it then measures. Made once per build of the program (bench/build.mjs removes the old one).
 */
async function floorCodeCache(url: string): Promise<void> {
  if (existsSync(`${FLOOR}.cache`)) return;
  await timeCommand([process.execPath, FLOOR, '--', 'true'], env({ DATABASE_URL: url, BACKEND_SUPERVISOR_BUILD_CODE_CACHE: `${FLOOR}.cache` }));
  if (!existsSync(`${FLOOR}.cache`)) throw new Error(`bench: ${FLOOR} made no code cache; rebuild it with \`node bench/build.mjs\``);
}

export async function plainInit({ runs }: Context): Promise<Outcome> {
  const comparison = await compare(
    'plain init: RUN_MIGRATIONS=false, run `true` as the child',
    [
      { name: 'node -e 0', command: [process.execPath, '-e', '0'] },
      { name: 'backend-supervisor (bundle)', command: [...bundle, '--', 'true'] },
      { name: 'backend-supervisor (single executable)', command: [...executable, '--', 'true'] },
      { name: SPAWN_FLOOR, command: spawnFloor },
      { name: 'tini', command: ['tini', '--', 'true'] },
      { name: 'dumb-init', command: ['dumb-init', 'true'] },
    ],
    runs,
    () => env({ RUN_MIGRATIONS: 'false' }),
  );
  return {
    section: {
      title: 'Plain init',
      note: '`RUN_MIGRATIONS=false backend-supervisor -- true`, no database: the start-up cost of the supervisor itself. Wall time of the whole process. The floor row is the least any init written for Node does (it loads `child_process`, spawns the app and exits with its status): no configuration, logs, signal forwarding or subreaper.',
      header: ['command', 'median wall time', 'ratio to `node -e 0`', 'CPU-time ratio'],
      rows: comparisonRows(comparison, 'node -e 0'),
    },
    checks: [
      ratioCheck('plain init, bundle / node -e 0', comparison, 'backend-supervisor (bundle)', 'node -e 0', 1.3, SPAWN_FLOOR),
      ratioCheck('plain init, executable / node -e 0', comparison, 'backend-supervisor (single executable)', 'node -e 0', 1.3, SPAWN_FLOOR),
    ],
  };
}

/** A database of the example project, migrated to its head. */
async function exampleAtHead(adminUrl: string): Promise<string> {
  const url = await createDatabase(adminUrl);
  await timeCommand([...executable, 'migrate'], env({ DATABASE_URL: url, ALEMBIC_CONFIG: EXAMPLE_INI }));
  const versions = await versionsOf(url);
  if (versions.join() !== HEAD) throw new Error(`bench: the example database is at ${versions.join()}, not ${HEAD}`);
  return url;
}

export async function atHead({ adminUrl, runs }: Context): Promise<Outcome> {
  const url = await exampleAtHead(adminUrl);
  await floorCodeCache(url);
  const shell = 'shell: alembic upgrade head && exec app';
  const comparison = await compare(
    'database already at head: start until the app (`true`) runs',
    [
      { name: 'node -e 0', command: [process.execPath, '-e', '0'] },
      { name: 'backend-supervisor (bundle)', command: [...bundle, '--', 'true'] },
      { name: 'backend-supervisor (single executable)', command: [...executable, '--', 'true'] },
      { name: PG_FLOOR, command: [process.execPath, FLOOR, '--', 'true'] },
      { name: shell, command: ['sh', '-c', `alembic -c ${EXAMPLE_INI} upgrade head && exec true`] },
    ],
    runs,
    () => env({ DATABASE_URL: url, ALEMBIC_CONFIG: EXAMPLE_INI }),
  );
  return {
    section: {
      title: 'Database already at head',
      note: 'The common container restart: the example project (4 revisions), its database at head; until the app (`true`) has run. The floor row is bench/floor.ts, built as the supervisor is (the same pg plugins, a V8 code cache made at head): it connects with SCRAM, reads `alembic_version`, disconnects and spawns the app. No lock, no scripts read, no configuration, no logs: the least a start that checks the schema with the stack\'s driver does.',
      header: ['command', 'median wall time', 'ratio to `node -e 0`', 'CPU-time ratio', 'ratio to the shell entrypoint', 'CPU-time ratio'],
      rows: comparisonRows(comparison, 'node -e 0').map((row, index) => {
        const name = comparison.series[index]?.name as string;
        return [...row, times(pairedRatio(comparison, name, shell)), times(pairedRatio(comparison, name, shell, 'cpuMs'))];
      }),
    },
    checks: [
      ratioCheck('at head, bundle / alembic upgrade head && exec app', comparison, 'backend-supervisor (bundle)', shell, 0.3, PG_FLOOR),
      ratioCheck('at head, executable / alembic upgrade head && exec app', comparison, 'backend-supervisor (single executable)', shell, 0.3, PG_FLOOR),
      ratioCheck('at head, bundle / node -e 0', comparison, 'backend-supervisor (bundle)', 'node -e 0', 1.6, PG_FLOOR),
      ratioCheck('at head, executable / node -e 0', comparison, 'backend-supervisor (single executable)', 'node -e 0', 1.6, PG_FLOOR),
    ],
  };
}

/** RSS once the app runs and the supervisor only supervises, against an idle node process. */
export async function memory({ adminUrl, heavyRuns }: Context): Promise<Outcome> {
  const url = await exampleAtHead(adminUrl);
  const atHeadEnv = env({ DATABASE_URL: url, ALEMBIC_CONFIG: EXAMPLE_INI });
  // `asPid1`: started by unshare in a PID namespace of its own, as in a container; its RSS is the supervisor's, unshare's child.
  const variants: Array<{ name: string; command: Command; env: Env; asPid1?: boolean }> = [
    { name: 'idle node', command: [process.execPath, '-e', `console.log('${APP_MARKER}'); setInterval(() => {}, 1e9)`], env: env() },
    { name: 'backend-supervisor (bundle), after an at-head start', command: [...bundle, '--', ...longApp], env: atHeadEnv },
    { name: 'backend-supervisor (single executable), after an at-head start', command: [...executable, '--', ...longApp], env: atHeadEnv },
    {
      name: 'backend-supervisor (single executable) as PID 1, after an at-head start',
      command: ['unshare', '--pid', '--fork', '--kill-child', '--mount-proc', ...executable, '--', ...longApp],
      env: atHeadEnv,
      asPid1: true,
    },
    { name: 'backend-supervisor (single executable), plain init', command: [...executable, '--', ...longApp], env: env({ RUN_MIGRATIONS: 'false' }) },
  ];
  // Two samples of each: 0.5 s after the app started (start-up garbage still resident), and settled, once
  // V8's memory reducer has run (8 s after start: gc-memory-reducer-start-delay-ms), as in a container
  // that supervises for hours. The variants of a round run side by side, so a round takes 11 s.
  const early = new Map(variants.map((variant) => [variant.name, [] as number[]]));
  const settled = new Map(variants.map((variant) => [variant.name, [] as number[]]));
  for (let round = 0; round < heavyRuns; round += 1) {
    const running = variants.map((variant) => ({ variant, watched: watch(variant.command, variant.env) }));
    try {
      await Promise.all(
        running.map(async ({ variant, watched }) => {
          await watched.line(new RegExp(`^${APP_MARKER}$`));
          const pid = variant.asPid1 ? onlyChildOf(watched.child.pid as number) : (watched.child.pid as number);
          await sleep(EARLY_MS);
          early.get(variant.name)?.push(rssMiB(pid));
          await sleep(SETTLED_MS - EARLY_MS);
          settled.get(variant.name)?.push(rssMiB(pid));
        }),
      );
    } finally {
      for (const { watched } of running) await stop(watched);
    }
  }
  const rss = (samples: Map<string, number[]>, name: string) => median(samples.get(name) ?? []);
  const idle = rss(settled, 'idle node');
  const rows = variants.map(({ name }) => [name, mib(rss(early, name)), mib(rss(settled, name)), times(rss(settled, name) / idle)]);
  console.log(`\nRSS while supervising (median of ${heavyRuns}): 0.5 s after the app started, and settled (${SETTLED_MS / 1000} s)`);
  for (const row of rows) console.log(`  ${row[0]?.padEnd(72)} ${row[1]?.padStart(10)} ${row[2]?.padStart(10)}   ${row[3]}`);
  return {
    section: {
      title: 'Memory while supervising',
      note: `VmRSS of the supervisor process 0.5 s after its app (\`sleep\`) started, and ${SETTLED_MS / 1000} s after, once V8's memory reducer has run (it starts 8 s after start-up and gives back the start-up garbage and the code only start-up ran: about 2.4 MiB); median of ${heavyRuns}. The targets apply to the settled figure, what a container holds while it supervises. Not PID 1 (the targets' rows), the supervisor becomes a child subreaper, which loads koffi (about 1.5-2 MiB); as PID 1, as in a container, it does not.`,
      header: ['process', 'RSS at 0.5 s', `RSS settled (${SETTLED_MS / 1000} s)`, 'ratio to idle node (settled)'],
      rows,
    },
    checks: [
      { label: 'RSS supervising, bundle (MiB)', measured: rss(settled, 'backend-supervisor (bundle), after an at-head start'), target: 48, unit: 'MiB' },
      { label: 'RSS supervising, executable (MiB)', measured: rss(settled, 'backend-supervisor (single executable), after an at-head start'), target: 48, unit: 'MiB' },
      { label: 'RSS supervising as PID 1, executable (MiB)', measured: rss(settled, 'backend-supervisor (single executable) as PID 1, after an at-head start'), target: 48, unit: 'MiB' },
    ],
  };
}

const EARLY_MS = 500;
const SETTLED_MS = 10_000;

/** The one child of `pid` (unshare's: the supervisor it started as PID 1 of a new namespace). */
function onlyChildOf(pid: number): number {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean);
  if (children.length !== 1) throw new Error(`bench: expected one child of pid ${pid}, found ${children.length}`);
  return Number(children[0]);
}

const silentLog = { warn: () => {}, info: () => {}, error: () => {}, debug: () => {} } as unknown as Logger;

/** The generated 300-revision history: parsing it without Python, migrating it, starting at its head. */
export async function longHistory({ adminUrl, runs, heavyRuns, history }: Context): Promise<Outcome> {
  const options = {
    cwd: history.dir,
    log: silentLog,
    phases: new Phases(silentLog),
    alembicHistory: () => Promise.reject(new Error('bench: the fast path could not read the generated history and fell back to `alembic history`')),
  };
  const parses: number[] = [];
  for (let run = 0; run <= runs; run += 1) {
    const started = process.hrtime.bigint();
    const graph = await readScriptGraph(history.alembicConfig, options);
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (graph.heads.join() !== history.head || graph.revisions.size !== history.revisions.length + 4) {
      throw new Error(`bench: the fast path read ${graph.revisions.size} revisions with heads ${graph.heads.join()}; expected ${history.revisions.length + 4} and ${history.head}`);
    }
    parses.push(elapsed);
  }
  const [firstParse, ...warmParses] = parses;
  console.log(`\n300-revision history: fast-path parse ${ms(firstParse as number)} first, ${ms(median(warmParses))} median of ${runs} after`);

  const historyEnv = (url: string) => env({ DATABASE_URL: url, ALEMBIC_CONFIG: history.alembicConfig });
  const alembic = 'alembic upgrade head';
  const supervisor = 'backend-supervisor migrate (single executable)';
  const supervisorPid1 = 'backend-supervisor migrate (single executable) as PID 1';
  const floor = 'floor: node + pg: read the version, run alembic upgrade head, read it again';
  const shortAtHead = await exampleAtHead(adminUrl);
  await floorCodeCache(shortAtHead);
  const fresh = await compare(
    `fresh database, ${history.revisions.length + 4} revisions: migrate to head`,
    [
      { name: alembic, command: ['alembic', '-c', history.alembicConfig, 'upgrade', 'head'] },
      { name: supervisor, command: [...executable, 'migrate'] },
      // As in a container: alembic is started without the launcher (the kernel ends the namespace with its init).
      { name: supervisorPid1, command: ['unshare', '--pid', '--fork', '--kill-child', '--mount-proc', ...executable, 'migrate'] },
      { name: floor, command: [process.execPath, FLOOR, '--verify', '--', 'alembic', '-c', history.alembicConfig, 'upgrade', 'head'] },
    ],
    // alembic's own time varies by a tenth from run to run: twice the heavy rounds, for a steadier ratio.
    2 * heavyRuns,
    async () => historyEnv(await createDatabase(adminUrl)),
  );

  const longAtHead = await createDatabase(adminUrl);
  await timeCommand([...executable, 'migrate'], historyEnv(longAtHead));
  if ((await versionsOf(longAtHead)).join() !== history.head) throw new Error('bench: the generated history did not migrate to its head');
  const startLong = `${history.revisions.length + 4} revisions`;
  const startShort = '4 revisions (the example)';
  const start = await compare(
    'database at head: start until the app runs, long history against the example',
    [
      { name: startShort, command: [...executable, '--', 'true'] },
      { name: startLong, command: [...executable, '--', 'true'] },
    ],
    runs,
    (variant) => (variant.name === startLong ? historyEnv(longAtHead) : env({ DATABASE_URL: shortAtHead, ALEMBIC_CONFIG: EXAMPLE_INI })),
  );
  return {
    section: {
      title: `A generated history of ${history.revisions.length} revisions`,
      note: `On top of the example's 4: ${history.branches} branch points, ${history.merges} merges, one head (test/support/generated-history.ts, seed 1). Each fresh migration gets a new database (${2 * heavyRuns} rounds); the single executable, started directly (alembic through the launcher that gives it a parent-death signal) and as PID 1 of a PID namespace, as in a container (alembic started as it is). The floor row (bench/floor.ts) connects, reads \`alembic_version\`, runs alembic while connected and reads it again: no lock, no scripts read, no logs.`,
      header: ['measure', 'median wall time', 'ratio', 'CPU-time ratio'],
      rows: [
        ['fast-path parse of the scripts, in process (first / median of the next)', `${ms(firstParse as number)} / ${ms(median(warmParses))}`, '', ''],
        ...comparisonRows(fresh, alembic).map(([name, ...rest]) => [`fresh migrate: ${name}`, ...rest]),
        ...comparisonRows(start, startShort).map(([name, ...rest]) => [`at head, start until the app runs: ${name}`, ...rest]),
      ],
    },
    checks: [
      ratioCheck(`fresh migrate ${history.revisions.length} revisions / alembic upgrade head`, fresh, supervisor, alembic, 1.05, floor),
      ratioCheck(`fresh migrate ${history.revisions.length} revisions as PID 1 / alembic upgrade head`, fresh, supervisorPid1, alembic, 1.05, floor),
    ],
  };
}

/** Samples how many sessions hold a connection to one database, until stopped. */
function connectionSampler(adminUrl: string, database: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  let peak = 0;
  let running = true;
  const done = (async () => {
    await client.connect();
    try {
      while (running) {
        const { rows } = await client.query<{ count: number }>('SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = $1', [database]);
        peak = Math.max(peak, rows[0]?.count ?? 0);
        await sleep(25);
      }
    } finally {
      await client.end();
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return peak;
    },
  };
}

interface ReplicaRound {
  failures: number;
  /** Replicas that ran alembic: exactly one, when all go well. */
  migrated: number;
  atHead: boolean;
  totalMs: number;
  peakConnections: number;
}

/** `count` replicas started at once on one fresh database, until the last one has exited. */
async function replicaRound(adminUrl: string, history: GeneratedHistory, count: number): Promise<ReplicaRound> {
  const url = await createDatabase(adminUrl);
  const sampler = connectionSampler(adminUrl, new URL(url).pathname.slice(1));
  const started = process.hrtime.bigint();
  const runs = Array.from({ length: count }, () =>
    watch([...executable, '--', 'true'], env({ DATABASE_URL: url, ALEMBIC_CONFIG: history.alembicConfig, ON_MIGRATION_FAILURE: 'exit' })),
  );
  const codes = await Promise.all(runs.map((run) => run.exited));
  const totalMs = Number(process.hrtime.bigint() - started) / 1e6;
  const peakConnections = await sampler.stop();
  return {
    failures: codes.filter((code) => code !== 0).length,
    // A replica that ran alembic re-emits its output as `alembic` events.
    migrated: runs.filter((run) => run.output().includes('"event":"alembic"')).length,
    atHead: (await versionsOf(url)).join() === history.head,
    totalMs,
    peakConnections,
  };
}

/** 1, 4 and 16 replicas starting at once on a fresh database with the long history; rounds interleaved. */
export async function replicas({ adminUrl, heavyRuns, history }: Context): Promise<Outcome> {
  const counts = [1, 4, 16];
  const rounds = Math.min(heavyRuns, 3);
  const results = new Map<number, ReplicaRound[]>(counts.map((count) => [count, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const count of counts) results.get(count)?.push(await replicaRound(adminUrl, history, count));
  }
  const of = (count: number) => results.get(count) ?? [];
  const alone = of(1).map((round) => round.totalMs);
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const rows = counts.map((count) => {
    const entries = of(count);
    return [
      String(count),
      String(sum(entries.map((round) => round.failures))),
      entries.map((round) => round.migrated).join(', '),
      entries.every((round) => round.atHead) ? 'yes' : 'no',
      ms(median(entries.map((round) => round.totalMs))),
      times(medianRatio(entries.map((round) => round.totalMs), alone)),
      String(Math.max(...entries.map((round) => round.peakConnections))),
    ];
  });
  console.log(`\nreplicas on a fresh database (${history.revisions.length + 4} revisions, single executable, ${rounds} round(s))`);
  for (const row of rows) console.log(`  ${row[0]} replica(s): failed ${row[1]}, ran alembic ${row[2]}, at head ${row[3]}, ${row[4]} (${row[5]} one alone), peak connections ${row[6]}`);
  const wrong = sum([...results.values()].flat().map((round) => round.failures + (round.atHead ? 0 : 1) + (round.migrated === 1 ? 0 : 1)));
  return {
    section: {
      title: 'Replicas starting at once on a fresh database',
      note: `All replicas start together (\`backend-supervisor -- true\`, \`ON_MIGRATION_FAILURE=exit\`) on one fresh database with the generated history; ${rounds} round(s), the counts interleaved. Time until the last replica exited (median), and its ratio to one replica alone in the same round. "Ran alembic": per round, how many replicas ran it. Connections: sessions on that database in \`pg_stat_activity\`, sampled every ~25 ms; the highest of the rounds.`,
      header: ['replicas', 'failed', 'ran alembic', 'database at head', 'time until all exited', 'ratio to one alone', 'connections at peak'],
      rows,
    },
    checks: [{ label: 'replicas (1, 4, 16): failed, not at head, or alembic run other than once', measured: wrong, target: 0, unit: 'failures' }],
  };
}

/** A TCP forwarder to PostgreSQL, so "PostgreSQL accepts connections" is one precise moment: listen(). */
async function openProxy(port: number, target: number): Promise<{ close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => (client.destroy(), upstream.destroy()));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  return {
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** From PostgreSQL accepting connections to the app starting, for a supervisor already waiting. */
export async function readiness({ adminUrl, heavyRuns }: Context): Promise<Outcome> {
  const url = new URL(await exampleAtHead(adminUrl));
  const postgresPort = Number(url.port);
  const latencies: number[] = [];
  for (let run = 0; run < heavyRuns; run += 1) {
    const port = await freePort();
    url.port = String(port);
    const supervisor = watch([...executable, '--', 'echo', APP_MARKER], env({ DATABASE_URL: url.toString(), ALEMBIC_CONFIG: EXAMPLE_INI, DB_WAIT_TIMEOUT: '30' }));
    let proxy: { close: () => Promise<void> } | undefined;
    try {
      // PostgreSQL comes up at some moment while the supervisor waits: spread it over the backoff.
      await sleep(500 + Math.random() * 1000);
      if (supervisor.child.exitCode !== null) throw new Error(`bench: the supervisor exited ${supervisor.child.exitCode} while waiting:\n${supervisor.output()}`);
      const appStarted = supervisor.line(new RegExp(`^${APP_MARKER}$`));
      const accepting = process.hrtime.bigint();
      proxy = await openProxy(port, postgresPort);
      latencies.push(Number((await appStarted).at - accepting) / 1e6);
      const code = await supervisor.exited;
      if (code !== 0) throw new Error(`bench: the supervisor exited ${code}:\n${supervisor.output()}`);
    } finally {
      await stop(supervisor);
      await proxy?.close();
    }
  }
  const value = median(latencies);
  console.log(`\nreadiness: PostgreSQL accepting -> app started: median ${ms(value)} (min ${ms(Math.min(...latencies))}, max ${ms(Math.max(...latencies))}, ${heavyRuns} runs)`);
  return {
    section: {
      title: 'Readiness',
      note: `The supervisor (single executable) starts while nothing listens on the database port; 0.5-1.5 s later PostgreSQL "comes up" (a forwarder starts listening). Time from then until the app (\`echo\`) prints; the database is at head. ${heavyRuns} runs.`,
      header: ['measure', 'median', 'min', 'max'],
      rows: [['PostgreSQL accepting connections -> app started', ms(value), ms(Math.min(...latencies)), ms(Math.max(...latencies))]],
    },
    checks: [{ label: 'readiness: PostgreSQL accepting -> app started (ms)', measured: value, target: 100, unit: 'ms' }],
  };
}

/** An app that prints when it is ready, and on SIGTERM the CLOCK_MONOTONIC time it got it (ns). */
const SIGNALLED_APP = `
import os, signal, time
def on_term(*_):
    os.write(1, b"got %d\\n" % time.monotonic_ns())
    os._exit(0)
signal.signal(signal.SIGTERM, on_term)
os.write(1, b"ready\\n")
while True:
    signal.pause()
`;

/** From SIGTERM sent to the init process to the app receiving it, against tini and dumb-init. */
export async function sigterm({ runs }: Context): Promise<Outcome> {
  const app = ['python3', '-c', SIGNALLED_APP];
  const variants = [
    { name: 'tini', command: ['tini', '-s', '--', ...app] },
    { name: 'dumb-init', command: ['dumb-init', ...app] },
    { name: 'backend-supervisor (bundle)', command: [...bundle, '--', ...app] },
    { name: 'backend-supervisor (single executable)', command: [...executable, '--', ...app] },
  ];
  const series = variants.map((variant) => ({ name: variant.name, samples: [] as number[] }));
  for (let round = -1; round < runs; round += 1) {
    for (const [index, variant] of variants.entries()) {
      const init = watch(variant.command, env({ RUN_MIGRATIONS: 'false' }));
      try {
        await init.line(/^ready$/);
        await sleep(100);
        const sent = process.hrtime.bigint();
        init.child.kill('SIGTERM');
        const got = BigInt(/^got (\d+)$/.exec((await init.line(/^got \d+$/)).text)?.[1] as string);
        if (round >= 0) series[index]?.samples.push(Number(got - sent) / 1e6);
        await init.exited;
      } finally {
        await stop(init);
      }
    }
  }
  const tini = series[0]?.samples as number[];
  console.log(`\nSIGTERM forwarding: sent to the init -> received by the app (median of ${runs}; ratio to tini, pair by pair)`);
  const rows = series.map((entry) => [entry.name, `${median(entry.samples).toFixed(2)} ms`, times(medianRatio(entry.samples, tini))]);
  for (const row of rows) console.log(`  ${row[0]?.padEnd(48)} ${row[1]?.padStart(10)}   ${row[2]}`);
  return {
    section: {
      title: 'SIGTERM forwarding',
      note: 'SIGTERM sent to the init process; the app (Python, blocked in `signal.pause()`) records when it arrives (both clocks CLOCK_MONOTONIC). No target: for comparison.',
      header: ['init', 'median latency', 'ratio to tini'],
      rows,
    },
    checks: [],
  };
}

function imageSize(): { tag: string; bytes: number } | undefined {
  const tags = [process.env.BENCH_IMAGE, 'backend-supervisor-example:image-test', 'backend'].filter((tag): tag is string => Boolean(tag));
  for (const tag of tags) {
    const result = spawnSync('docker', ['image', 'inspect', '--format', '{{.Size}}', tag], { encoding: 'utf8', timeout: 10_000 });
    if (result.status === 0) return { tag, bytes: Number(result.stdout.trim()) };
  }
  return undefined;
}

export async function sizes(): Promise<Outcome> {
  const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  const image = imageSize();
  const nodeBinary = statSync(process.execPath).size;
  const executableSize = existsSync(EXECUTABLE) ? statSync(EXECUTABLE).size : 0;
  const rows = [
    ['single executable (`dist/backend-supervisor`)', megabytes(executableSize)],
    ['bundle (`dist/backend-supervisor.cjs`)', megabytes(statSync(BUNDLE).size)],
    [`the node binary it was built from (${process.execPath})`, megabytes(nodeBinary)],
    [image ? `image \`${image.tag}\`` : 'image', image ? megabytes(image.bytes) : 'not built'],
  ];
  console.log('\nsizes');
  for (const row of rows) console.log(`  ${row[0]?.padEnd(72)} ${row[1]}`);
  const python = execFileSync(path.join(VENV_BIN, 'python'), ['--version'], { encoding: 'utf8' }).trim();
  return {
    section: {
      title: 'Sizes',
      note: `The image is only measured when one is present locally (\`docker image inspect\`; BENCH_IMAGE names it): the bench never builds one. ${python} in the venv.`,
      header: ['file', 'size'],
      rows,
    },
    checks: [],
  };
}

