import { describe, expect, it } from 'vitest';
import { runToEnd, type RunOptions } from '../../src/supervise/run-to-end.js';

// Real processes: how alembic is run, stopped and reported.
const options = (extra: Partial<RunOptions> = {}): RunOptions => ({ env: process.env, signal: new AbortController().signal, timeoutMs: 0, killAfterMs: 5_000, ...extra });

async function run(file: string, args: string[], extra: Partial<RunOptions> = {}) {
  const started = Date.now();
  const child = runToEnd(file, args, options(extra));
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const result = await child.result;
  return { ...result, stdout, ms: Date.now() - started, pid: child.pid };
}

describe('runToEnd: a command run to its end, stopped on time or on demand', () => {
  it('reports its exit code and output; stdin is closed', async () => {
    expect(await run('sh', ['-c', 'cat; echo out; exit 0'])).toMatchObject({ failed: false, exitCode: 0, timedOut: false, stdout: 'out\n' });
    expect(await run('sh', ['-c', 'exit 3'])).toMatchObject({ failed: true, exitCode: 3 });
  });

  it('reports the signal that ended it, with no exit code', async () => {
    const result = await run('sh', ['-c', 'kill -TERM $$']);
    expect(result).toMatchObject({ failed: true, signal: 'SIGTERM', timedOut: false });
    expect(result.exitCode).toBeUndefined();
  });

  it('a timeout stops it with SIGTERM and says so', async () => {
    const result = await run('sleep', ['30'], { timeoutMs: 100 });
    expect(result).toMatchObject({ failed: true, signal: 'SIGTERM', timedOut: true });
    expect(result.ms).toBeLessThan(5_000);
  });

  it('a child that ignores SIGTERM gets SIGKILL killAfterMs later', async () => {
    const result = await run('sh', ['-c', "trap '' TERM; exec sleep 30"], { timeoutMs: 100, killAfterMs: 300 });
    expect(result).toMatchObject({ failed: true, signal: 'SIGKILL', timedOut: true });
    expect(result.ms).toBeGreaterThanOrEqual(400);
    expect(result.ms).toBeLessThan(5_000);
  });

  it('aborting the signal stops it with SIGTERM (also when aborted before it starts)', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    expect(await run('sleep', ['30'], { signal: stop.signal })).toMatchObject({ failed: true, signal: 'SIGTERM', timedOut: false });
    expect(await run('sleep', ['30'], { signal: AbortSignal.abort() })).toMatchObject({ failed: true, signal: 'SIGTERM' });
  });

  it('a command that cannot be started: its error code, no pid', async () => {
    expect(await run('/nonexistent/alembic', [])).toMatchObject({ failed: true, code: 'ENOENT', pid: undefined });
  });
});
