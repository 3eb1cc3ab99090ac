import { readdirSync, readFileSync } from 'node:fs';

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
