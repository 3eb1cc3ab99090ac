/** Reads a revision's id and parents out of an Alembic script's source, without Python. */

export interface RevisionHeader {
  revision: string;
  downRevisions: string[];
}

// Matches both `revision = 'x'` and the typed style `revision: str = "x"`.
const REVISION = /^revision\s*(?::[^=\n]*)?=\s*(['"])([^'"\n]+)\1/m;
// A tuple or list of parents may span several lines.
const DOWN_REVISION = /^down_revision\s*(?::[^=\n]*)?=\s*(\([^)]*\)|\[[^\]]*\]|[^\n]+)/m;
const QUOTED = /(['"])([^'"\n]+)\1/g;

/** null for a Python file that is not a revision (no module-level `revision =`). */
export function parseRevisionFile(source: string, file: string): RevisionHeader | null {
  const revision = REVISION.exec(source)?.[2];
  if (revision === undefined) return null;
  const down = DOWN_REVISION.exec(source)?.[1]?.replace(/#.*$/gm, '').trim();
  if (down === undefined) throw new Error(`${file}: revision ${revision} has no down_revision line`);
  if (down === 'None' || down === '()' || down === '[]') return { revision, downRevisions: [] };
  const downRevisions = [...down.matchAll(QUOTED)].map((match) => match[2] as string);
  if (downRevisions.length === 0) throw new Error(`${file}: cannot read down_revision = ${down}`);
  return { revision, downRevisions };
}
