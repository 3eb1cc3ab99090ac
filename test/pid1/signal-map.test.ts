import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, fixture, killLeftovers, requireUnshare, start } from './helpers.js';

/** SIGNAL_MAP: a signal is rewritten or dropped on its way to the app. */

beforeAll(requireUnshare);
afterEach(killLeftovers);

describe('SIGNAL_MAP as PID 1', () => {
  it('without it, SIGHUP reaches the app unchanged: an app that does not handle it dies of it (129)', async () => {
    const app = start(['python3', fixture('print_signals.py'), 'TERM']);
    await app.output(/^ready pid=/);
    await app.signal('SIGHUP');
    expect((await app.finished()).exitCode).toBe(129);
  });

  it('HUP: drops SIGHUP (logged): the app keeps running and stops normally on SIGTERM', async () => {
    const app = start(['python3', fixture('print_signals.py'), 'TERM'], { SIGNAL_MAP: 'HUP:' });
    await app.output(/^ready pid=/);
    const dropped = app.output(/dropped SIGHUP \(SIGNAL_MAP\)/);
    await app.signal('SIGHUP');
    await dropped;
    expect(app.running()).toBe(true);
    await app.signal('SIGTERM');
    const run = await app.finished();
    expect(run.exitCode).toBe(0);
    expect(run.stdout.split('\n').filter((line) => line.startsWith('got '))).toEqual(['got TERM']);
    expect(eventsOf(run.events, 'signal')).toEqual([expect.objectContaining({ level: 'info', signal: 'SIGHUP', msg: 'dropped SIGHUP (SIGNAL_MAP)' })]);
  });

  it('sighup:sigterm (any case, with SIG) turns SIGHUP into SIGTERM, which starts the shutdown timer', async () => {
    const app = start(['sh', '-c', 'trap "echo got TERM" TERM; echo ready; while :; do sleep 0.1; done'], { SIGNAL_MAP: 'sighup:sigterm', SHUTDOWN_TIMEOUT: '1' });
    await app.output(/^ready$/);
    await app.signal('SIGHUP');
    const run = await app.finished();
    expect(run.stdout).toContain('got TERM');
    expect(run.exitCode).toBe(137);
    expect(eventsOf(run.events, 'shutdown')).toEqual(
      expect.arrayContaining([expect.objectContaining({ signal: 'SIGTERM', shutdownTimeoutMs: 1_000, msg: expect.stringContaining('(for SIGHUP, SIGNAL_MAP)') })]),
    );
  });

  it('USR1:USR2,WINCH: rewrites one signal and drops another, leaving the rest alone', async () => {
    const app = start(['python3', fixture('print_signals.py'), 'USR2', 'QUIT'], { SIGNAL_MAP: 'USR1:USR2, WINCH:' });
    await app.output(/^ready pid=/);
    const got = app.output(/^got USR2$/);
    await app.signal('SIGUSR1');
    await got;
    await app.signal('SIGWINCH');
    await app.output(/dropped SIGWINCH/);
    await app.signal('SIGQUIT');
    const run = await app.finished();
    expect(run.exitCode).toBe(0);
    expect(run.stdout.split('\n').filter((line) => line.startsWith('got '))).toEqual(['got USR2', 'got QUIT']);
  });

  it('a bad SIGNAL_MAP is a configuration error naming the variable: exit 64, nothing started', async () => {
    const app = start(['sh', '-c', 'echo started'], { SIGNAL_MAP: 'TERM:' });
    const run = await app.finished();
    expect(run.exitCode).toBe(64);
    expect(run.stdout).not.toContain('started');
    expect(eventsOf(run.events, 'exit')).toEqual([expect.objectContaining({ exitCode: 64, variable: 'SIGNAL_MAP', msg: expect.stringContaining('SIGTERM cannot be dropped') })]);
  });
});
