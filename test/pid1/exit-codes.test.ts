import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, killLeftovers, requireUnshare, start } from './helpers.js';

/** The app's exit status comes back as the supervisor's (like dumb-init's exit_status_test). */

beforeAll(requireUnshare);
afterEach(killLeftovers);

describe('exit status as PID 1', () => {
  it.each([0, 1, 37, 255])('the app exits %i -> the supervisor exits with it', async (code) => {
    const run = await start(['sh', '-c', `echo "app says bye"; exit ${code}`]).finished();
    expect(run.exitCode).toBe(code);
    // The app's own output passes through untouched, between the supervisor's JSON lines.
    expect(run.stdout.split('\n')).toContain('app says bye');
    expect(eventsOf(run.events, 'app').find((event) => 'exitCode' in event)).toMatchObject({ exitCode: code });
    expect(eventsOf(run.events, 'startup')).toHaveLength(1);
  });

  it.each([
    ['TERM', 143],
    ['INT', 130],
    ['QUIT', 131],
    ['KILL', 137],
  ] as const)('the app is killed by SIG%s (it kills itself) -> %i', async (signal, code) => {
    const run = await start(['sh', '-c', `kill -${signal} $$; sleep 5`]).finished();
    expect(run.exitCode).toBe(code);
  });

  it('a command that does not exist -> 127', async () => {
    const run = await start(['no-such-command-for-pid1-test']).finished();
    expect(run.exitCode).toBe(127);
  });

  it('a file that is not executable -> 126', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bs-pid1-'));
    const script = path.join(dir, 'not-executable.sh');
    writeFileSync(script, '#!/bin/sh\necho should not run\n');
    chmodSync(script, 0o644);
    const run = await start([script]).finished();
    expect(run.exitCode).toBe(126);
    expect(run.stdout).not.toContain('should not run');
  });
});

describe('as a plain init outside a PID namespace', () => {
  it('passes exit code 3 through', async () => {
    const run = await start(['sh', '-c', 'exit 3'], {}, { pid1: false }).finished();
    expect(run.exitCode).toBe(3);
  });

  it('forwards a signal and reports 128+N', async () => {
    const app = start(['sh', '-c', 'echo ready; exec sleep 30'], {}, { pid1: false });
    await app.output(/^ready$/);
    // Not in a namespace: the supervisor is the direct child of the test runner.
    app.subprocess.kill('SIGTERM');
    const run = await app.finished();
    expect(run.exitCode).toBe(143);
  });
});
