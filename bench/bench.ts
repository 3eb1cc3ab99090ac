// `npm run bench`: the start-up and running costs of backend-supervisor, side by side with what it
// replaces or is compared with, in ONE run, as ratios; writes bench/results.md and bench/results.svg.
//   BENCH_RUNS        rounds of the quick comparisons (default 15)
//   BENCH_HEAVY_RUNS  rounds of the slow ones: RSS, 300-revision migrations, readiness (default 5)
//   BENCH_IMAGE       the image whose size to report, if present locally
//   BENCH_ONLY        comma-separated scenarios to run (names below); results.md is written only by a full run
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { generatedHistory } from '../test/support/generated-history.js';
import { REPO } from '../test/support/paths.js';
import { startEmbeddedPostgres } from '../test/support/postgres.js';
import { closeRunner } from './measure.js';
import { markdown, svg, type Report } from './report.js';
import { atHead, longHistory, memory, plainInit, readiness, replicas, sigterm, sizes, type Context, type Outcome } from './scenarios.js';

function count(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}=${process.env[name]} must be a whole number >= 1`);
  return value;
}

const SCENARIOS = { 'plain-init': plainInit, 'at-head': atHead, memory, history: longHistory, replicas, readiness, sigterm, sizes };
type Name = keyof typeof SCENARIOS;
const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim()).filter(Boolean);
for (const name of only ?? []) {
  if (!(name in SCENARIOS)) throw new Error(`BENCH_ONLY=${process.env.BENCH_ONLY}: no scenario ${name}; choose from ${Object.keys(SCENARIOS).join(', ')}`);
}
const chosen = (only ?? Object.keys(SCENARIOS)) as Name[];

const started = new Date();
const runs = count('BENCH_RUNS', 15);
const heavyRuns = count('BENCH_HEAVY_RUNS', 5);
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ');
const git = (...args: string[]) => execFileSync('git', ['-C', REPO, ...args], { encoding: 'utf8' }).trim();
// The results files are rewritten by every run: they do not make the tree count as changed.
const changed = git('status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench/results.md', ':!bench/results.svg') !== '';
const commit = `${git('rev-parse', '--short', 'HEAD')}${changed ? ' with uncommitted changes' : ''}`;
const machine = [
  `${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, commit ${commit}`,
  `BENCH_RUNS=${runs}, BENCH_HEAVY_RUNS=${heavyRuns}; load average at the start: ${load()}`,
];
if ((loadavg()[0] ?? 0) > cpus().length) {
  machine.push('**Busy machine**: the load average exceeded the number of CPUs, so other work shared them. Wall-time ratios are unreliable; the CPU-time ratios less so. Re-run on a quiet machine before quoting.');
}
console.log(machine.join('\n'));

const server = await startEmbeddedPostgres();
const history = await generatedHistory({ count: 300 });
const outcomes: Outcome[] = [];
try {
  const context: Context = { adminUrl: server.adminUrl, runs, heavyRuns, history };
  for (const name of chosen) outcomes.push(await SCENARIOS[name](context));
} finally {
  closeRunner();
  await history.remove();
  await server.stop();
}
machine.push(`load average at the end: ${load()} (PostgreSQL: the embedded server of the tests, on loopback)`);

const report: Report = {
  started,
  seconds: (Date.now() - started.getTime()) / 1000,
  machine,
  checks: outcomes.flatMap((outcome) => outcome.checks),
  sections: outcomes.map((outcome) => outcome.section),
};
// The raw figures too, for anyone who wants more than the report shows.
writeFileSync(path.join(REPO, '.tmp/bench-report.json'), `${JSON.stringify(report, null, 2)}\n`);
if (only) {
  console.log(`\nBENCH_ONLY: bench/results.md is left as it was (raw figures in .tmp/bench-report.json); ${report.seconds.toFixed(0)} s`);
} else {
  writeFileSync(path.join(REPO, 'bench/results.md'), markdown(report));
  writeFileSync(path.join(REPO, 'bench/results.svg'), svg(report));
  console.log(`\nwrote bench/results.md and bench/results.svg in ${report.seconds.toFixed(0)} s`);
}
