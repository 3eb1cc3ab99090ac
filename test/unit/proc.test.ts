import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { parseStat, zombieChildren } from '../../src/supervise/proc.js';
import { exitStatus } from '../../src/supervise/exit-status.js';

describe('parseStat', () => {
  it('reads the state and the parent pid', () => {
    expect(parseStat('42 (sleep) Z 1 42 42 0 -1 4194564 ...')).toEqual({ state: 'Z', ppid: 1 });
  });

  it('is not fooled by spaces and parentheses in the command name', () => {
    expect(parseStat('43 (my (odd) app) S 7 43 43 0 -1')).toEqual({ state: 'S', ppid: 7 });
  });
});

describe('zombieChildren', () => {
  it("finds a process's zombie children, and only them", async () => {
    // sh forks `true` and execs sleep, which never waits: `true` stays a zombie child of sleep.
    const parent = spawn('sh', ['-c', 'true & exec sleep 30'], { stdio: 'ignore' });
    try {
      let zombies: number[] = [];
      for (let i = 0; i < 100 && zombies.length === 0; i++) {
        await sleep(20);
        zombies = zombieChildren(parent.pid as number);
      }
      expect(zombies).toHaveLength(1);
      expect(parseStat(readFileSync(`/proc/${zombies[0]}/stat`, 'utf8'))).toEqual({ state: 'Z', ppid: parent.pid });
      expect(zombieChildren(process.pid)).toEqual([]);
    } finally {
      parent.kill('SIGKILL');
    }
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
