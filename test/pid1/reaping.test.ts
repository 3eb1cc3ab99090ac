import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SUPERVISOR } from '../support/paths.js';
import { fixture, killLeftovers, requireUnshare, start } from './helpers.js';

/** Orphans re-parented to PID 1 are reaped (like tini's reaping test and dumb-init's test-zombies). */

beforeAll(requireUnshare);
afterEach(killLeftovers);

describe('orphan reaping as PID 1', () => {
  it('20 short-lived double-forked grandchildren leave no zombie, and the app status (42) still comes back', async () => {
    const script = [
      'i=0',
      'while [ "$i" -lt 20 ]; do (sleep 0.2 &); i=$((i + 1)); done',
      'sleep 0.6',
      `python3 ${fixture('count_zombies.py')}`,
      'exit 42',
    ].join('\n');
    const run = await start(['sh', '-c', script]).finished();
    expect(run.stdout).toMatch(/^zombies=0$/m);
    expect(run.exitCode).toBe(42);
  });

  it('20 orphans, checked to be re-parented to PID 1, are reaped; the app exits 42', async () => {
    const run = await start(['python3', fixture('orphans.py'), '20', '42']).finished();
    expect(run.stdout).toContain('reparented=20/20');
    expect(run.stdout).toMatch(/^zombies=0 .*grandchildren-left=0$/m);
    expect(run.exitCode).toBe(42);
  });

  it('50 orphans exiting at the same moment (coalesced SIGCHLD) leave no zombie', async () => {
    const run = await start(['python3', fixture('orphans.py'), '50', '0']).finished();
    expect(run.stdout).toContain('reparented=50/50');
    expect(run.stdout).toMatch(/^zombies=0 .*grandchildren-left=0$/m);
    expect(run.exitCode).toBe(0);
  });

  it('the reaper never steals the app status: the app exits 42 amid 50 orphans exiting (5 runs)', async () => {
    const runs = await Promise.all(
      Array.from({ length: 5 }, () => start(['python3', fixture('orphans.py'), '50', '42', '--exit-at-once']).finished()),
    );
    for (const run of runs) {
      expect(run.stdout).toContain('reparented=50/50');
      expect(run.exitCode).toBe(42);
    }
  });

  it('an internal failure of the reaper (its libc binding missing beside the bundle) is logged once; the app runs on', async () => {
    const script = 'for i in 1 2 3 4 5; do (sleep 0.1 &); sleep 0.2; done; echo app-finished; exit 42';
    const alone = path.join(mkdtempSync(path.join(tmpdir(), 'bs-bundle-')), 'backend-supervisor.cjs');
    copyFileSync(SUPERVISOR, alone);
    const run = await start(['sh', '-c', script], {}, { bundle: alone }).finished();
    expect(run.stdout).toContain('app-finished');
    expect(run.exitCode).toBe(42);
    const errors = run.events.filter((event) => event.event === 'reap' && event.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toMatch(/koffi-linux-\w+-(glibc|musl)\.node is missing: koffi's native module must be shipped beside backend-supervisor/);
  });
});
