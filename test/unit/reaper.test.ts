import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { Reaper, type ReaperSystem } from '../../src/supervise/reaper.js';

const silent = createLogger({ level: 'silent', format: 'json', secrets: [] });

function system(zombies: number[], own: number[], waitpid: (pid: number) => number = (pid) => pid) {
  const waited: number[] = [];
  const fake: ReaperSystem = {
    zombieChildren: () => zombies,
    isOwnChild: (pid) => own.includes(pid),
    waitpidNoHang: (pid) => {
      waited.push(pid);
      return waitpid(pid);
    },
  };
  return { fake, waited };
}

describe('Reaper', () => {
  it("never waits for its own children (the app, alembic): Node collects their status", () => {
    const { fake, waited } = system([101, 202, 303], [202]);
    expect(new Reaper(silent, fake).reapOrphans()).toBe(2);
    expect(waited).toEqual([101, 303]);
  });

  it('counts only the zombies actually reaped', () => {
    const { fake } = system([101, 202], [], (pid) => (pid === 101 ? 101 : 0));
    expect(new Reaper(silent, fake).reapOrphans()).toBe(1);
  });

  it('after a failure (no libc binding) it stops trying rather than fail on every SIGCHLD', () => {
    const { fake, waited } = system([101], [], () => {
      throw new Error('cannot load libc');
    });
    const reaper = new Reaper(silent, fake);
    expect(reaper.reapOrphans()).toBe(0);
    expect(reaper.reapOrphans()).toBe(0);
    expect(waited).toEqual([101]);
  });
});
