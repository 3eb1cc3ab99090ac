import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { diesWithMe } from '../../src/supervise/launcher.js';

// The supervisor may die between the child's fork and its prctl(PR_SET_PDEATHSIG): then no signal
// would ever come, so the child checks that its parent is still the supervisor before it execs.
describe('a child that dies with the supervisor, started through setpriv and a shell', () => {
  const [file, args] = diesWithMe('sh', ['-c', 'echo ran "$@"', 'sh', 'a b', 'c']);

  it('is started through setpriv with SIGKILL as its parent-death signal (util-linux must be installed)', () => {
    expect(file).toMatch(/\/setpriv$/);
    expect(args.slice(0, 4)).toEqual(['--pdeathsig', 'KILL', '--', '/bin/sh']);
  });

  it('runs the command, its arguments as they were, while its parent is the supervisor', () => {
    const run = spawnSync(file, args, { encoding: 'utf8' });
    expect(run.stdout).toBe('ran a b c\n');
    expect(run.status).toBe(0);
  });

  it('exits 137 without running the command when its parent is no longer the supervisor', () => {
    const elsewhere = args.map((arg) => (arg === String(process.pid) ? '1' : arg));
    expect(elsewhere).not.toEqual(args);
    const run = spawnSync(file, elsewhere, { encoding: 'utf8' });
    expect(run.stdout).toBe('');
    expect(run.status).toBe(137);
  });
});
