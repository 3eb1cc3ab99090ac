// How the benchmark measures: whole processes, timed from outside, alternatives interleaved
// (A B C A B C ...) so that the noise of a shared machine hits them alike, and every ratio taken
// pair by pair within one round before its median is quoted.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export type Command = string[];
export type Env = Record<string, string | undefined>;

export interface Variant {
  name: string;
  command: Command;
}

export interface Series {
  name: string;
  /** Milliseconds, one per round. */
  samples: number[];
}

export interface Comparison {
  title: string;
  runs: number;
  series: Series[];
}

export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function seriesOf(comparison: Comparison, name: string): Series {
  const found = comparison.series.find((series) => series.name === name);
  if (!found) throw new Error(`${comparison.title}: no series ${name}`);
  return found;
}

/** The median of the round-by-round ratios a/b: robust to the machine's speed drifting between rounds. */
export function pairedRatio(comparison: Comparison, a: string, b: string): number {
  const left = seriesOf(comparison, a).samples;
  const right = seriesOf(comparison, b).samples;
  return median(left.map((value, round) => value / (right[round] as number)));
}

/** Runs a command to its end and returns its wall time in ms; any exit but 0 is an error of the bench. */
export function timeCommand(command: Command, env: Env, cwd?: string): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command[0] as string, command.slice(1), { env, cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.error) throw new Error(`bench: cannot run ${command.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`bench: \`${command.join(' ')}\` exited ${result.status ?? result.signal}:\n${result.stderr.toString().slice(-2000)}`);
  }
  return elapsed;
}

/**
 * Times each variant `runs` times, interleaved, after one warm-up round that is not counted.
 * `prepare` gives the environment of one run (e.g. a fresh database), outside the timing.
 */
export async function compare(title: string, variants: Variant[], runs: number, prepare: (variant: Variant) => Promise<Env> | Env): Promise<Comparison> {
  const series = variants.map((variant) => ({ name: variant.name, samples: [] as number[] }));
  for (let round = -1; round < runs; round += 1) {
    for (const [index, variant] of variants.entries()) {
      const elapsed = timeCommand(variant.command, await prepare(variant));
      if (round >= 0) series[index]?.samples.push(elapsed);
    }
  }
  const comparison = { title, runs, series };
  printComparison(comparison);
  return comparison;
}

export function printComparison(comparison: Comparison): void {
  const base = comparison.series[0] as Series;
  console.log(`\n${comparison.title} (median of ${comparison.runs}; ratio to ${base.name}, pair by pair)`);
  for (const series of comparison.series) {
    const ratio = pairedRatio(comparison, series.name, base.name);
    console.log(`  ${series.name.padEnd(48)} ${median(series.samples).toFixed(1).padStart(8)} ms   x${ratio.toFixed(2)}`);
  }
}

/** A running process whose stdout (and stderr) is watched line by line. */
export interface Watched {
  child: ChildProcess;
  /** Resolves with the first line matching `pattern` and the hrtime (ns) it arrived at. */
  line(pattern: RegExp, timeoutMs?: number): Promise<{ text: string; at: bigint }>;
  exited: Promise<number | null>;
  output(): string;
}

export function watch(command: Command, env: Env): Watched {
  const child = spawn(command[0] as string, command.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  const waiters: Array<() => void> = [];
  const onData = (chunk: Buffer) => {
    seen += chunk.toString();
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return {
    child,
    exited,
    output: () => seen,
    line: (pattern, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        let done = false;
        const finish = () => {
          done = true;
          clearTimeout(timer);
          const index = waiters.indexOf(check);
          if (index >= 0) waiters.splice(index, 1);
        };
        const check = () => {
          if (done) return;
          const text = seen.split('\n').find((candidate) => pattern.test(candidate));
          if (text === undefined) return;
          const at = process.hrtime.bigint();
          finish();
          resolve({ text, at });
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`bench: \`${command.join(' ')}\` printed no line matching ${pattern} in ${timeoutMs} ms; output:\n${seen.slice(-2000)}`));
        }, timeoutMs);
        waiters.push(check);
        check();
        void exited.then((code) =>
          setTimeout(() => {
            check();
            if (done) return;
            finish();
            reject(new Error(`bench: \`${command.join(' ')}\` exited ${code} before printing a line matching ${pattern}; output:\n${seen.slice(-2000)}`));
          }, 20),
        );
      }),
  };
}

/** Resident set size of a process, in MiB, from /proc. */
export function rssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`bench: no VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Stops a watched process with SIGTERM (SIGKILL after 10 s) and waits for it. */
export async function stop(watched: Watched): Promise<void> {
  if (watched.child.exitCode !== null || watched.child.signalCode !== null) return;
  watched.child.kill('SIGTERM');
  const timer = setTimeout(() => watched.child.kill('SIGKILL'), 10_000);
  await watched.exited;
  clearTimeout(timer);
}
