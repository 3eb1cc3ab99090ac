/**
 * Reads the revision graph out of `alembic history` output, for scripts the supervisor cannot
 * read itself. Lines look like `c47a -> e9d0 (head), message`, `<base> -> 3f1c, message`, or for
 * a merge `a1, b2 -> m3 (head) (mergepoint), message`.
 */
const LINE = /^(<base>|[\w, ]+?) -> (\w+)\b/;

export function parseHistory(lines: readonly string[]): Map<string, string[]> {
  const revisions = new Map<string, string[]>();
  for (const line of lines) {
    const match = LINE.exec(line.trim());
    if (!match?.[1] || !match[2]) continue;
    const parents = match[1] === '<base>' ? [] : match[1].split(',').map((part) => part.trim()).filter(Boolean);
    revisions.set(match[2], parents);
  }
  return revisions;
}
