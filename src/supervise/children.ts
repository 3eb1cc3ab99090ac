/**
 * The pids of the children this process spawned itself. Node reaps those; the zombie reaper must
 * leave them alone or it would steal their exit status.
 */
const spawned = new Set<number>();

export function trackChild(pid: number | undefined, exited: Promise<unknown>): void {
  if (pid === undefined) return;
  spawned.add(pid);
  void exited.finally(() => spawned.delete(pid)).catch(() => {});
}

export function isOwnChild(pid: number): boolean {
  return spawned.has(pid);
}
