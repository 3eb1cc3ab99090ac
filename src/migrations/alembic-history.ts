/**
 * Reads the revision graph out of `alembic history --verbose`, for scripts the supervisor cannot
 * read itself. Each revision is a block at the start of the line: `Rev: m4 (head) (mergepoint)`,
 * then `Parent: <base>` / `Parent: a1` / `Merges: b2, c3`, `Path: ...`, and the docstring
 * indented by four spaces (which can never be mistaken for a block's lines).
 */
export interface HistoryEntry {
  parents: string[];
  file?: string;
  message?: string;
}

export function parseHistory(lines: readonly string[]): Map<string, HistoryEntry> {
  const revisions = new Map<string, HistoryEntry>();
  let current: HistoryEntry | undefined;
  for (const line of lines) {
    const rev = /^Rev: (\S+)/.exec(line);
    if (rev?.[1]) {
      current = { parents: [] };
      revisions.set(rev[1], current);
      continue;
    }
    if (!current) continue;
    const parents = /^(?:Parent|Merges): (.*)$/.exec(line);
    const file = /^Path: (.*)$/.exec(line);
    if (parents?.[1] !== undefined) current.parents = parents[1] === '<base>' ? [] : parents[1].split(',').map((part) => part.trim()).filter(Boolean);
    else if (file?.[1] !== undefined) current.file = file[1];
    else if (line.startsWith('    ') && current.message === undefined && line.trim() !== '') current.message = line.slice(4);
  }
  return revisions;
}
