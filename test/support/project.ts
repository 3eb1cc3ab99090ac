import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXAMPLE } from './paths.js';

/** The example's revisions, oldest first. */
export const REVISIONS = ['3f1c9a2b7d01', '8b2e4d6f1a02', 'c47a1e9d5b03', 'e9d05b3a2c04'] as const;
export const HEAD = REVISIONS[3];

export interface ExtraRevision {
  id: string;
  parent: string;
  /** Python statements of upgrade(), indented by the template. */
  upgrade: string[];
  /** Python source of the revision identifiers, instead of the plain literal ones. */
  identifiers?: string;
}

/** A copy of examples/backend with extra revisions, for scenarios the example itself must not contain. */
export async function exampleWith(extra: ExtraRevision[]): Promise<{ dir: string; alembicConfig: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bs-project-'));
  await cp(EXAMPLE, dir, { recursive: true, filter: (source) => !source.includes('__pycache__') });
  for (const revision of extra) {
    const body = revision.upgrade.map((line) => `    ${line}`).join('\n');
    await writeFile(
      path.join(dir, 'alembic/versions', `${revision.id}.py`),
      `"""test revision ${revision.id}"""
from alembic import op
import sqlalchemy as sa

${revision.identifiers ?? `revision = "${revision.id}"\ndown_revision = "${revision.parent}"`}
branch_labels = None
depends_on = None


def upgrade() -> None:
${body}


def downgrade() -> None:
    pass
`,
    );
  }
  return { dir, alembicConfig: path.join(dir, 'alembic.ini'), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Creates a table, then fails: proves a failed run leaves nothing half-applied. */
export const FAILING_REVISION: ExtraRevision = {
  id: 'f00000000bad',
  parent: HEAD,
  upgrade: ['op.create_table("half_applied", sa.Column("id", sa.Integer, primary_key=True))', 'op.execute("SELECT 1/0")'],
};

/** Sleeps in the database, so a timeout, a signal or another replica arrives while it runs. */
export function slowRevision(seconds: number): ExtraRevision {
  return {
    id: '5100000000ff',
    parent: HEAD,
    upgrade: ['op.create_table("slow_table", sa.Column("id", sa.Integer, primary_key=True))', `op.execute("SELECT pg_sleep(${seconds})")`],
  };
}
