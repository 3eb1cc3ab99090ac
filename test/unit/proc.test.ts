import { describe, expect, it } from 'vitest';
import { parseStat } from '../../src/supervise/proc.js';
import { exitStatus } from '../../src/supervise/exit-status.js';

describe('parseStat', () => {
  it('reads the state and the parent pid', () => {
    expect(parseStat('42 (sleep) Z 1 42 42 0 -1 4194564 ...')).toEqual({ state: 'Z', ppid: 1 });
  });

  it('is not fooled by spaces and parentheses in the command name', () => {
    expect(parseStat('43 (my (odd) app) S 7 43 43 0 -1')).toEqual({ state: 'S', ppid: 7 });
  });
});

describe('exitStatus', () => {
  it('passes the code through, or gives 128 + the signal number', () => {
    expect(exitStatus(37, null)).toBe(37);
    expect(exitStatus(null, 'SIGTERM')).toBe(143);
    expect(exitStatus(null, 'SIGKILL')).toBe(137);
    expect(exitStatus(null, 'SIGINT')).toBe(130);
  });
});
