import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, fixture, killLeftovers, requireUnshare, start } from './helpers.js';

/** SHUTDOWN_TIMEOUT: SIGTERM/SIGINT are forwarded, and an app still running after the timeout gets SIGKILL. */

beforeAll(requireUnshare);
afterEach(killLeftovers);

describe('shutdown timeout as PID 1', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('an app that ignores %s is killed after SHUTDOWN_TIMEOUT=1: exit 137', async (signal) => {
    const app = start(['sh', '-c', `trap "" ${signal.slice(3)}; echo ready; while :; do sleep 0.1; done`], { SHUTDOWN_TIMEOUT: '1' });
    await app.output(/^ready$/);
    await app.signal(signal);
    const run = await app.finished();
    expect(run.exitCode).toBe(137);
    // The timeout is honoured (not killed at once), and not much overrun.
    expect(run.msAfterSignal).toBeGreaterThanOrEqual(900);
    expect(run.msAfterSignal).toBeLessThan(5_000);
    const shutdown = eventsOf(run.events, 'shutdown');
    expect(shutdown).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'info', signal, shutdownTimeoutMs: 1000 }),
        expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/SHUTDOWN_TIMEOUT=1s.*SIGKILL/) }),
      ]),
    );
    expect(eventsOf(run.events, 'app').find((event) => 'exitCode' in event)).toMatchObject({ exitCode: 137, signal: 'SIGKILL' });
  });

  it('an app that handles SIGTERM and exits 0 within the timeout exits 0 and is not killed', async () => {
    const app = start(['python3', fixture('print_signals.py'), '--exit-delay', '0.5', 'TERM'], { SHUTDOWN_TIMEOUT: '3' });
    await app.output(/^ready pid=/);
    await app.signal('SIGTERM');
    const run = await app.finished();
    expect(run.stdout).toContain('got TERM');
    expect(run.stdout).toContain('exiting 0');
    expect(run.exitCode).toBe(0);
    expect(run.msAfterSignal).toBeGreaterThanOrEqual(400);
    const shutdown = eventsOf(run.events, 'shutdown');
    expect(shutdown).toEqual(expect.arrayContaining([expect.objectContaining({ level: 'info', signal: 'SIGTERM' })]));
    expect(shutdown.filter((event) => event.level === 'warn')).toEqual([]);
    expect(run.stdout).not.toContain('SIGKILL');
  });

  it('a second SIGTERM during the shutdown window is forwarded and does not restart the timer', async () => {
    const app = start(['python3', fixture('print_signals.py'), '--exit-delay', '30', 'TERM'], { SHUTDOWN_TIMEOUT: '2' });
    await app.output(/^ready pid=/);
    const first = app.output(/^got TERM$/);
    await app.signal('SIGTERM');
    await first;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const started = Date.now();
    await app.signal('SIGTERM');
    const run = await app.finished();
    expect(run.exitCode).toBe(137);
    // Killed about 1 s after the second SIGTERM (2 s after the first), not 2 s after the second.
    expect(Date.now() - started).toBeLessThan(1_900);
    expect(run.stdout.split('\n').filter((line) => line === 'got TERM')).toHaveLength(2);
  });
});
