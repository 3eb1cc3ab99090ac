import type { Logger } from '../log.js';
import { isOwnChild } from './children.js';
import { libc } from './libc.js';
import { zombieChildren } from './proc.js';

/** What the reaper asks of the system; replaceable to test its decisions. */
export interface ReaperSystem {
  zombieChildren(parent: number): number[];
  isOwnChild(pid: number): boolean;
  waitpidNoHang(pid: number): number;
}

/**
 * Reaps orphans re-parented to this process. Node only waits for the children it spawned, so
 * without this every orphaned grandchild of the app would stay a zombie. Each zombie is reaped
 * by its own pid, never with waitpid(-1), so Node keeps the exit status of its own children.
 */
export class Reaper {
  private scheduled = false;
  private disabled = false;
  private readonly onChildSignal = () => this.schedule();

  constructor(
    private readonly log: Logger,
    private readonly system: ReaperSystem = { zombieChildren, isOwnChild, waitpidNoHang: (pid) => libc().waitpidNoHang(pid) },
  ) {}

  start(): void {
    process.on('SIGCHLD', this.onChildSignal);
    this.schedule();
  }

  /**
   * Not PID 1 (under another init, or in tests): ask the kernel to hand the app's orphans to us
   * anyway. Called just before the app starts, so other commands never load the libc binding.
   */
  adoptOrphans(): void {
    if (process.pid === 1) return;
    try {
      libc().becomeSubreaper();
    } catch (error) {
      this.log.warn({ event: 'reap', err: error }, 'cannot become a child subreaper; orphans go to the real PID 1');
    }
  }

  stop(): void {
    process.off('SIGCHLD', this.onChildSignal);
  }

  /** SIGCHLDs coalesce; one sweep reaps every zombie present, however many signals arrived. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.reapOrphans();
    });
  }

  reapOrphans(): number {
    if (this.disabled) return 0;
    let reaped = 0;
    try {
      for (const pid of this.system.zombieChildren(process.pid)) {
        if (this.system.isOwnChild(pid)) continue;
        if (this.system.waitpidNoHang(pid) === pid) reaped += 1;
      }
      if (reaped > 0) this.log.debug({ event: 'reap', reaped }, `reaped ${reaped} orphaned process(es)`);
    } catch (error) {
      // Said once: the app goes on either way, and a log line per SIGCHLD would drown everything else.
      this.disabled = true;
      this.log.error({ event: 'reap', err: error }, `cannot reap orphaned processes, zombies will accumulate: ${(error as Error).message}`);
    }
    return reaped;
  }
}
