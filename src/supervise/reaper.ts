import { readdirSync, readFileSync } from 'node:fs';
import type { Logger } from '../log.js';
import { isOwnChild } from './children.js';
import { libc } from './libc.js';

/**
 * Reaps orphans re-parented to this process. Node only waits for the children it spawned, so
 * without this every orphaned grandchild of the app would stay a zombie. Each zombie is reaped
 * by its own pid, never with waitpid(-1), so Node keeps the exit status of its own children.
 */
export class Reaper {
  private scheduled = false;
  private disabled = false;
  private readonly onChildSignal = () => this.schedule();

  constructor(private readonly log: Logger) {}

  start(): void {
    process.on('SIGCHLD', this.onChildSignal);
    // Not PID 1 (e.g. run under another init or in tests): ask the kernel to hand orphans to us anyway.
    if (process.pid !== 1) this.tryBecomeSubreaper();
    this.schedule();
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
      for (const pid of zombieChildren(process.pid)) {
        if (isOwnChild(pid)) continue;
        if (libc().waitpidNoHang(pid) === pid) reaped += 1;
      }
      if (reaped > 0) this.log.debug({ event: 'reap', reaped }, `reaped ${reaped} orphaned process(es)`);
    } catch (error) {
      // Said once: the app goes on either way, and a log line per SIGCHLD would drown everything else.
      this.disabled = true;
      this.log.error({ event: 'reap', err: error }, 'cannot reap orphaned processes, zombies will accumulate; give the container a writable TMPDIR');
    }
    return reaped;
  }

  private tryBecomeSubreaper(): void {
    try {
      libc().becomeSubreaper();
    } catch (error) {
      this.log.warn({ event: 'reap', err: error }, 'cannot become a child subreaper; orphans go to the real PID 1');
    }
  }
}

/** Pids whose parent is `parent` and that are zombies, from /proc/<pid>/stat. */
export function zombieChildren(parent: number): number[] {
  const zombies: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // it exited and was reaped while we looked
    }
    const fields = parseStat(stat);
    if (fields && fields.state === 'Z' && fields.ppid === parent) zombies.push(Number(entry));
  }
  return zombies;
}

/** "pid (comm) S ppid ...": comm may contain spaces and parentheses, so split after the last ')'. */
export function parseStat(stat: string): { state: string; ppid: number } | null {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [state, ppid] = rest;
  if (state === undefined || ppid === undefined) return null;
  return { state, ppid: Number(ppid) };
}
