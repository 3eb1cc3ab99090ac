import { readdirSync, readFileSync } from 'node:fs';

/** Pids whose parent is `parent` and that are zombies. */
export function zombieChildren(parent: number): number[] {
  return (childrenOf(parent) ?? everyPid()).filter((pid) => {
    const fields = statOf(pid);
    return fields !== null && fields.state === 'Z' && fields.ppid === parent;
  });
}

/**
 * The children the kernel lists for each thread of `parent` (zombies included), or undefined
 * where the kernel has no such list (CONFIG_PROC_CHILDREN off). Without a PID namespace of its own
 * (tests, a bench, an init under another init) /proc holds the whole host: reading every
 * process's stat at each SIGCHLD would cost milliseconds, where this reads a handful of files.
 */
function childrenOf(parent: number): number[] | undefined {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${parent}/task`);
  } catch {
    return undefined;
  }
  const pids: number[] = [];
  for (const thread of threads) {
    let list: string;
    try {
      list = readFileSync(`/proc/${parent}/task/${thread}/children`, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && thread === threads[0]) return undefined;
      continue; // the thread ended while we looked
    }
    for (const word of list.split(' ')) if (word) pids.push(Number(word));
  }
  return pids;
}

function everyPid(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

function statOf(pid: number): { state: string; ppid: number } | null {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null; // it exited and was reaped while we looked
  }
}

/** "pid (comm) S ppid ...": comm may contain spaces and parentheses, so split after the last ')'. */
export function parseStat(stat: string): { state: string; ppid: number } | null {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [state, ppid] = rest;
  if (state === undefined || ppid === undefined) return null;
  return { state, ppid: Number(ppid) };
}
