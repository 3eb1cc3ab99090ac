import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exampleWith, HEAD, type ExtraRevision } from './project.js';

/** A revision with a downgrade of its own (project.ts's extra revisions downgrade with `pass`). */
export interface FullRevision extends ExtraRevision {
  downgrade: string[];
}

export interface HistoryOptions {
  /** Python source of app/models.py, which env.py then gives alembic as target_metadata (`metadata`). */
  models?: string;
}

/** A copy of the example with extra revisions, their downgrades, and optionally models for `alembic check`. */
export async function historyWith(revisions: FullRevision[], options: HistoryOptions = {}): Promise<{ alembicConfig: string; dir: string; remove: () => Promise<void> }> {
  const project = await exampleWith(revisions);
  for (const revision of revisions) {
    const file = path.join(project.dir, 'alembic/versions', `${revision.id}.py`);
    const body = revision.downgrade.map((line) => `    ${line}`).join('\n');
    await replaceIn(file, 'def downgrade() -> None:\n    pass\n', `def downgrade() -> None:\n${body}\n`);
  }
  if (options.models !== undefined) {
    await writeFile(path.join(project.dir, 'app/models.py'), options.models);
    await replaceIn(path.join(project.dir, 'alembic/env.py'), '\ntarget_metadata = None\n', '\nfrom app.models import metadata as target_metadata  # noqa: E402\n');
  }
  return project;
}

/** Replaces every occurrence; fails loudly if there is none, so a changed example cannot void a test. */
export async function replaceIn(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
  await writeFile(file, text.split(from).join(to));
}

/** The example's schema at head as SQLAlchemy models; `extraItemColumn` adds one the migrations never create. */
export function exampleModels(extraItemColumn?: string): string {
  return `import sqlalchemy as sa

metadata = sa.MetaData()

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("email", sa.String(length=255), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.UniqueConstraint("email", name="uq_users_email"),
)

items = sa.Table(
    "items",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.Column("owner_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_items_owner_id_users", ondelete="CASCADE"), nullable=False),
    sa.Column("description", sa.Text(), nullable=True),
    ${extraItemColumn ? `sa.Column("${extraItemColumn}", sa.Integer(), nullable=True),` : ''}
    sa.Index("ix_items_name", "name"),
)
`;
}

/** Its downgrade raises: drops a table that does not exist. */
export const RAISING_DOWNGRADE: FullRevision = {
  id: 'd0000000bad1',
  parent: HEAD,
  upgrade: ['op.create_table("tags", sa.Column("id", sa.Integer, primary_key=True))'],
  downgrade: ['op.drop_table("no_such_table")'],
};

/** Its downgrade forgets the table its upgrade creates: upgrading again fails. */
export const FORGETFUL_DOWNGRADE: FullRevision = {
  id: 'd0000000bad2',
  parent: HEAD,
  upgrade: ['op.create_table("forgotten", sa.Column("id", sa.Integer, primary_key=True))'],
  downgrade: ['pass'],
};

/**
 * Creates an enum type only if it is missing (so upgrading again works) and a table using it; its
 * downgrade drops the table but not the type, which stays behind at base.
 */
export const LEFTOVER_TYPE: FullRevision = {
  id: 'd0000000bad3',
  parent: HEAD,
  upgrade: [
    'from sqlalchemy.dialects import postgresql',
    'mood = postgresql.ENUM("happy", "sad", name="mood", create_type=False)',
    'mood.create(op.get_bind(), checkfirst=True)',
    'op.create_table("moods", sa.Column("id", sa.Integer, primary_key=True), sa.Column("mood", mood))',
  ],
  downgrade: ['op.drop_table("moods")'],
};
