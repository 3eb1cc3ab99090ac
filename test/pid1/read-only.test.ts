import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { singleExecutableDir } from '../support/executable.js';
import { parseEvents } from '../support/supervisor.js';
import { fixture, requireUnshare } from './helpers.js';

/**
 * Kubernetes readOnlyRootFilesystem / docker run --read-only: the single executable, as PID 1 in a
 * mount namespace whose root (and so /tmp, TMPDIR) is read-only, reaps orphans with no error.
 */

let dir = '';
let executable = '';

beforeAll(async () => {
  requireUnshare();
  dir = await singleExecutableDir();
  executable = path.join(dir, 'backend-supervisor');
}, 180_000);

describe('a read-only root filesystem', () => {
  it('the executable as PID 1 with a read-only root and /tmp reaps 50 orphans without an error', async () => {
    // Remounting the root bind read-only touches only this mount namespace; the probe proves it took.
    const setUp = 'mount -o remount,bind,ro / && exec "$0" "$@"';
    const app = `if touch /tmp/bs-probe 2>/dev/null || touch "${dir}/bs-probe" 2>/dev/null; then echo root-writable; fi; exec python3 "$0" 50 0`;
    const result = await execa(
      'unshare',
      ['--mount', '--pid', '--fork', '--kill-child', '--mount-proc', 'sh', '-c', setUp, executable, '--', 'sh', '-c', app, fixture('orphans.py')],
      { env: { PATH: process.env.PATH, TMPDIR: '/tmp', RUN_MIGRATIONS: 'false', LOG_LEVEL: 'debug' }, extendEnv: false, reject: false, timeout: 30_000 },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).not.toMatch(/^root-writable$/m);
    expect(result.stdout).toContain('reparented=50/50');
    expect(result.stdout).toMatch(/^zombies=0 .*grandchildren-left=0$/m);
    const events = parseEvents(result.stdout);
    expect(events.filter((event) => event.level === 'error' || event.level === 'warn')).toEqual([]);
    expect(events.filter((event) => event.event === 'reap').reduce((sum, event) => sum + Number(event.reaped), 0)).toBe(50);
    expect(result.exitCode).toBe(0);
  });
});
