import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { EXAMPLE, SUPERVISOR } from './paths.js';
import { supervisorEnv } from './supervisor.js';

/** VmHWM (peak resident set) of a live process, in bytes; undefined once it is gone. */
export function peakRss(pid: number): number | undefined {
  try {
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined;
  }
}

export interface MeasuredRun {
  exitCode: number | null;
  /** Lines of stdout seen, counted as they stream: the output itself is not kept. */
  lines: number;
  /** How many stdout lines matched `count`. */
  counted: number;
  /** Stdout lines matching `keep`, at most 20. */
  kept: string[];
  /** The peak RSS when the first line matching `idleAt` appeared. */
  idlePeak: number | undefined;
  /** The last peak RSS read while the process was alive. */
  peak: number | undefined;
}

/**
 * Runs the built supervisor with stdout streamed through a counter (a million log lines must not
 * pile up in the test either), sampling its peak RSS from /proc.
 */
export function runMeasured(args: string[], env: Record<string, string>, patterns: { idleAt: RegExp; count: RegExp; keep: RegExp }): Promise<MeasuredRun> {
  const child = spawn(process.execPath, [SUPERVISOR, ...args], { env: supervisorEnv(env) as NodeJS.ProcessEnv, cwd: EXAMPLE, stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = child.pid as number;
  const result: MeasuredRun = { exitCode: null, lines: 0, counted: 0, kept: [], idlePeak: undefined, peak: undefined };
  const sampler = setInterval(() => {
    result.peak = peakRss(pid) ?? result.peak;
  }, 20);
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    if (partial.length > 1_000_000) partial = partial.slice(0, 1_000_000);
    for (const line of lines) {
      result.lines += 1;
      if (patterns.count.test(line)) result.counted += 1;
      if (result.kept.length < 20 && patterns.keep.test(line)) result.kept.push(line);
      if (result.idlePeak === undefined && patterns.idleAt.test(line)) result.idlePeak = peakRss(pid);
    }
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearInterval(sampler);
      result.exitCode = code;
      resolve(result);
    });
  });
}
