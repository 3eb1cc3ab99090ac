import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, fixture, killLeftovers, requireUnshare, start } from './helpers.js';

/** Signal forwarding with the supervisor as PID 1 (like dumb-init's proxies_signals_test and tini's signals test). */

beforeAll(requireUnshare);
afterEach(killLeftovers);

// Written out here, not imported from src/: a list taken from the code would shrink with it.
// The contract names HUP INT QUIT USR1 USR2 TERM WINCH CONT; the README documents the rest.
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = [
  'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGTERM', 'SIGCONT', 'SIGTSTP',
  'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR',
];

describe('signals sent to PID 1 reach the app', () => {
  it('forwards every forwardable signal, and SIGUSR1 never starts the Node inspector', async () => {
    // The stopping signals last: after them the app is in its shutdown window.
    const order = [...FORWARDED_SIGNALS.filter((s) => s !== 'SIGTERM' && s !== 'SIGINT'), 'SIGINT', 'SIGTERM'] as NodeJS.Signals[];
    const names = order.map((signal) => signal.slice(3));
    const app = start(['python3', fixture('print_signals.py'), ...names], { SHUTDOWN_TIMEOUT: '30' });
    await app.output(/^ready pid=/);
    for (const signal of order) {
      // One at a time, each confirmed before the next: signals of one kind pending together coalesce.
      const got = app.output(new RegExp(`^got ${signal.slice(3)}$`), 5_000);
      await app.signal(signal);
      await got;
    }
    const run = await app.finished();
    for (const name of names) expect(run.stdout.split('\n')).toContain(`got ${name}`);
    expect(run.stdout).toContain('exiting 0');
    expect(run.exitCode).toBe(0);
    expect(run.all).not.toMatch(/Debugger listening|inspector/i);
    // The app got each signal once: the supervisor forwarded, it did not also act on them itself.
    for (const name of names) expect(run.stdout.split('\n').filter((line) => line === `got ${name}`)).toHaveLength(1);
  });

  it('SIGUSR1 alone: forwarded to the app, no inspector opened', async () => {
    const app = start(['python3', fixture('print_signals.py'), 'USR1']);
    await app.output(/^ready pid=/);
    await app.signal('SIGUSR1');
    const run = await app.finished();
    expect(run.stdout).toContain('got USR1');
    expect(run.exitCode).toBe(0);
    expect(run.all).not.toContain('Debugger listening');
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
    ['SIGQUIT', 131],
    ['SIGUSR2', 140],
  ] as const)('an app ended by the forwarded %s (its default action) gives %i', async (signal, status) => {
    const app = start(['sh', '-c', 'echo ready; exec sleep 30']);
    await app.output(/^ready$/);
    await app.signal(signal);
    const run = await app.finished();
    expect(run.exitCode).toBe(status);
    expect(run.msAfterSignal).toBeLessThan(5_000);
    const done = eventsOf(run.events, 'app').find((event) => 'exitCode' in event);
    expect(done).toMatchObject({ exitCode: status, signal });
    // It exited on the signal itself, so no SIGKILL was needed.
    expect(eventsOf(run.events, 'shutdown').filter((event) => event.level === 'warn')).toEqual([]);
  });

  it('SIGTERM to the supervisor: the app exits on it by default, status 143 and a shutdown event', async () => {
    const app = start(['sh', '-c', 'echo ready; exec sleep 30'], { SHUTDOWN_TIMEOUT: '10' });
    await app.output(/^ready$/);
    await app.signal('SIGTERM');
    const run = await app.finished();
    expect(run.exitCode).toBe(143);
    expect(eventsOf(run.events, 'shutdown')).toEqual(expect.arrayContaining([expect.objectContaining({ signal: 'SIGTERM' })]));
  });
});

describe('process group (SIGNAL_PROCESS_GROUP, like tini -g and dumb-init without --single-child)', () => {
  it('SIGNAL_PROCESS_GROUP=true: SIGTERM reaches a child of the app too', async () => {
    const app = start(['python3', fixture('process_group.py')], { SIGNAL_PROCESS_GROUP: 'true' });
    await app.output(/^app ready/);
    await app.signal('SIGTERM');
    const run = await app.finished();
    expect(run.stdout).toContain('app got TERM');
    expect(run.stdout).toContain('child: got TERM');
    expect(run.stdout).toContain('child exited 0');
    expect(run.stdout).not.toContain('child did not get TERM');
    expect(run.exitCode).toBe(0);
  });

  it('--process-group (-g) does the same', async () => {
    const app = start(['python3', fixture('process_group.py')], {}, { args: ['run', '-g'] });
    await app.output(/^app ready/);
    await app.signal('SIGTERM');
    const run = await app.finished();
    expect(run.stdout).toContain('child: got TERM');
    expect(run.exitCode).toBe(0);
  });

  it('without it, only the app itself gets the signal', async () => {
    const app = start(['python3', fixture('process_group.py')]);
    await app.output(/^app ready/);
    await app.signal('SIGTERM');
    const run = await app.finished();
    expect(run.stdout).toContain('app got TERM');
    expect(run.stdout).toContain('child did not get TERM');
    expect(run.stdout).not.toContain('child: got TERM');
    expect(run.exitCode).toBe(0);
  });
});
