// How the benchmark measures: whole processes, timed from outside, alternatives interleaved
// (A B C A B C ...) so that the noise of a shared machine hits them alike, and every ratio taken
// pair by pair within one round before its median is quoted.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type Command = string[];
export type Env = Record<string, string | undefined>;

export interface Variant {
  name: string;
  command: Command;
}

/** One finished run of a command, as the runner saw it. */
export interface Sample {
  wallMs: number;
  /** The command's own user + system CPU time (its children's included once reaped). */
  cpuMs: number;
  maxRssKiB: number;
}

export interface Series {
  name: string;
  /** One per round. */
  samples: Sample[];
}

export interface Comparison {
  title: string;
  runs: number;
  series: Series[];
}

export type Metric = 'wallMs' | 'cpuMs';

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

export function medianOf(comparison: Comparison, name: string, metric: Metric = 'wallMs'): number {
  return median(seriesOf(comparison, name).samples.map((sample) => sample[metric]));
}

/** The median of the round-by-round ratios a/b: robust to the machine's speed drifting between rounds. */
export function pairedRatio(comparison: Comparison, a: string, b: string, metric: Metric = 'wallMs'): number {
  const values = (name: string) => seriesOf(comparison, name).samples.map((sample) => sample[metric]);
  return medianRatio(values(a), values(b));
}

/** The median of a[i] / b[i]: values taken in the same round. */
export function medianRatio(a: number[], b: number[]): number {
  return median(a.map((value, round) => value / (b[round] as number)));
}

/** bench/runner.py, started once: it spawns each timed command and reads its rusage when it reaps it. */
class Runner {
  private readonly child = spawn('python3', [fileURLToPath(new URL('./runner.py', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
  private readonly answers: Array<(line: string) => void> = [];
  private buffered = '';

  constructor() {
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.buffered += chunk.toString();
      for (let end = this.buffered.indexOf('\n'); end >= 0; end = this.buffered.indexOf('\n')) {
        const line = this.buffered.slice(0, end);
        this.buffered = this.buffered.slice(end + 1);
        this.answers.shift()?.(line);
      }
    });
    this.child.once('exit', (code) => {
      for (const answer of this.answers.splice(0)) answer(JSON.stringify({ error: `bench/runner.py exited ${code}` }));
    });
  }

  run(command: Command, env: Env): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      this.answers.push((line) => resolve(JSON.parse(line) as Record<string, unknown>));
      this.child.stdin?.write(`${JSON.stringify({ argv: command, env: Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined)) })}\n`);
    });
  }

  close(): void {
    this.child.stdin?.end();
  }
}

let runner: Runner | undefined;

export function closeRunner(): void {
  runner?.close();
  runner = undefined;
}

/** Runs a command to its end, timed from outside; any exit but 0 is an error of the bench. */
export async function timeCommand(command: Command, env: Env): Promise<Sample> {
  runner ??= new Runner();
  const answer = await runner.run(command, env);
  if (typeof answer.error === 'string') throw new Error(`bench: ${answer.error}`);
  if (answer.status !== 0) throw new Error(`bench: \`${command.join(' ')}\` exited ${String(answer.status)}:\n${String(answer.stderr)}`);
  return { wallMs: answer.wallMs as number, cpuMs: answer.cpuMs as number, maxRssKiB: answer.maxRssKiB as number };
}

/**
 * Times each variant `runs` times, interleaved, after one warm-up round that is not counted.
 * `prepare` gives the environment of one run (e.g. a fresh database), outside the timing.
 */
export async function compare(title: string, variants: Variant[], runs: number, prepare: (variant: Variant) => Promise<Env> | Env): Promise<Comparison> {
  const series = variants.map((variant) => ({ name: variant.name, samples: [] as Sample[] }));
  for (let round = -1; round < runs; round += 1) {
    for (const [index, variant] of variants.entries()) {
      const sample = await timeCommand(variant.command, await prepare(variant));
      if (round >= 0) series[index]?.samples.push(sample);
    }
  }
  const comparison = { title, runs, series };
  printComparison(comparison);
  return comparison;
}

export function printComparison(comparison: Comparison): void {
  const base = comparison.series[0] as Series;
  console.log(`\n${comparison.title} (median of ${comparison.runs}; ratio to ${base.name}, pair by pair: wall, CPU)`);
  for (const { name } of comparison.series) {
    const wall = `${medianOf(comparison, name).toFixed(1).padStart(8)} ms x${pairedRatio(comparison, name, base.name).toFixed(2)}`;
    const cpu = `${medianOf(comparison, name, 'cpuMs').toFixed(1).padStart(8)} ms x${pairedRatio(comparison, name, base.name, 'cpuMs').toFixed(2)}`;
    console.log(`  ${name.padEnd(48)} wall ${wall}   cpu ${cpu}`);
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
