import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, fixture, killLeftovers, requireUnshare, start } from './helpers.js';

/** SHUTDOWN_DELAY: after SIGTERM the app keeps serving for the delay (load balancers drain), then gets SIGTERM. */

beforeAll(requireUnshare);
afterEach(killLeftovers);

describe('SHUTDOWN_DELAY as PID 1', () => {
  it('holds SIGTERM back for SHUTDOWN_DELAY=1.5, then forwards it; the app exits on its own', async () => {
    const app = start(['python3', fixture('print_signals.py'), 'TERM'], { SHUTDOWN_DELAY: '1.5' });
    await app.output(/^ready pid=/);
    await app.signal('SIGTERM');
    const run = await app.finished();
    expect(run.exitCode).toBe(0);
    expect(run.stdout.split('\n').filter((line) => line === 'got TERM')).toHaveLength(1);
    // A timer never fires early: the app cannot have had the signal before the delay was over.
    expect(run.msAfterSignal).toBeGreaterThanOrEqual(1_400);
    expect(eventsOf(run.events, 'shutdown').filter((event) => event.level === 'info')).toEqual([
      expect.objectContaining({ signal: 'SIGTERM', shutdownDelayMs: 1_500, msg: expect.stringMatching(/keeps serving for SHUTDOWN_DELAY=1.5s/) }),
      expect.objectContaining({ signal: 'SIGTERM', shutdownTimeoutMs: 8_000 }),
      expect.objectContaining({ msg: 'the app has stopped' }),
    ]);
  });

  it.each([
    ['a second SIGTERM', 'SIGTERM', 'TERM'],
    ['a SIGINT', 'SIGINT', 'INT'],
  ] as const)('%s during the delay skips the rest of it and reaches the app at once', async (_, second, name) => {
    const app = start(['python3', fixture('print_signals.py'), name], { SHUTDOWN_DELAY: '120' });
    await app.output(/^ready pid=/);
    const holding = app.output(/keeps serving for SHUTDOWN_DELAY=120s/);
    await app.signal('SIGTERM');
    await holding;
    await app.signal(second);
    const run = await app.finished();
    expect(run.exitCode).toBe(0);
    // Only the second signal ever reached the app: the held SIGTERM was not sent as well.
    expect(run.stdout.split('\n').filter((line) => line.startsWith('got '))).toEqual([`got ${name}`]);
    expect(run.msAfterSignal).toBeLessThan(60_000);
    expect(eventsOf(run.events, 'shutdown')).toEqual(
      expect.arrayContaining([expect.objectContaining({ signal: second, msg: `received ${second} during SHUTDOWN_DELAY: stopping the app now` })]),
    );
  });

  it('SHUTDOWN_TIMEOUT counts from the forwarded SIGTERM, not from the one received: an app ignoring it dies after delay + timeout', async () => {
    const app = start(['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done'], { SHUTDOWN_DELAY: '1', SHUTDOWN_TIMEOUT: '1' });
    await app.output(/^ready$/);
    await app.signal('SIGTERM');
    const run = await app.finished();
    expect(run.exitCode).toBe(137);
    expect(run.msAfterSignal).toBeGreaterThanOrEqual(1_900);
    expect(eventsOf(run.events, 'shutdown').filter((event) => event.level === 'warn')).toEqual([
      expect.objectContaining({ msg: expect.stringMatching(/SHUTDOWN_TIMEOUT=1s.*SIGKILL/) }),
    ]);
  });
});
