import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exampleWith, HEAD } from './project.js';
import { random as seeded, shuffle } from './random.js';

/** A copy of the example project with a long generated history on top of its own revisions. */
export interface GeneratedHistory {
  dir: string;
  alembicConfig: string;
  /** The generated revisions, in the order written (every parent before its children). */
  revisions: Array<{ id: string; parents: string[] }>;
  /** The single head the history ends in (every branch is merged back). */
  head: string;
  /** How many revisions branch off (have a sibling) and how many merge two or more parents. */
  branches: number;
  merges: number;
  remove: () => Promise<void>;
}

export interface HistoryOptions {
  /** Generated revisions on top of the example's four (default 300). */
  count?: number;
  /** The same seed gives the same history, ids included. */
  seed?: number;
}

/**
 * Generates `count` revisions after the example's head, in the typed style of Alembic's own
 * template, with branches (two children of one parent) that run side by side for a while and
 * are merged again (merge revisions with two or three parents), ending in a single head. Every
 * non-merge revision creates a table (some also an index and a row), so `alembic upgrade head`
 * does real DDL; every downgrade undoes its upgrade.
 */
export async function generatedHistory({ count = 300, seed = 1 }: HistoryOptions = {}): Promise<GeneratedHistory> {
  const random = seeded(seed);
  const project = await exampleWith([]);
  const versions = path.join(project.dir, 'alembic/versions');
  const revisions: GeneratedHistory['revisions'] = [];
  const used = new Set<string>();
  const newId = () => {
    for (;;) {
      const id = Array.from({ length: 12 }, () => Math.floor(random() * 16).toString(16)).join('');
      if (!used.has(id)) return used.add(id), id;
    }
  };
  const pick = <T>(values: T[]): T => values[Math.floor(random() * values.length)] as T;
  let tips = [HEAD as string];
  let branches = 0;
  let merges = 0;

  const add = async (parents: string[]) => {
    const id = newId();
    const index = revisions.length;
    revisions.push({ id, parents });
    await writeFile(path.join(versions, `g${String(index).padStart(4, '0')}_${id}.py`), revisionSource(id, parents, index, random()));
    return id;
  };

  while (revisions.length < count) {
    const left = count - revisions.length;
    // Enough revisions must remain to merge every open branch back into one head.
    const mustMerge = tips.length > 1 && left <= tips.length - 1;
    if (tips.length > 1 && (mustMerge || random() < 0.12)) {
      const width = tips.length > 2 && left > tips.length - 1 && random() < 0.3 ? 3 : 2;
      const parents = shuffle(tips, random).slice(0, width);
      const merged = await add(parents);
      tips = [...tips.filter((tip) => !parents.includes(tip)), merged];
      merges += 1;
    } else if (tips.length < 4 && left >= tips.length + 2 && random() < 0.1) {
      const parent = pick(tips);
      const children = [await add([parent]), await add([parent])];
      tips = [...tips.filter((tip) => tip !== parent), ...children];
      branches += 1;
    } else {
      const parent = pick(tips);
      const child = await add([parent]);
      tips = tips.map((tip) => (tip === parent ? child : tip));
    }
  }
  if (tips.length !== 1) throw new Error(`generated history ends in ${tips.length} heads`);
  return { ...project, revisions, head: tips[0] as string, branches, merges };
}

function revisionSource(id: string, parents: string[], index: number, dice: number): string {
  const down = parents.length === 1 ? `"${parents[0]}"` : `(${parents.map((parent) => `"${parent}"`).join(', ')})`;
  const table = `g_${index}`;
  const [upgrade, downgrade] =
    parents.length > 1
      ? [['pass'], ['pass']]
      : [
          [
            `op.create_table("${table}", sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(80), nullable=False))`,
            ...(dice < 0.3 ? [`op.create_index("ix_${table}_name", "${table}", ["name"])`] : []),
            ...(dice > 0.8 ? [`op.execute(sa.text("INSERT INTO ${table} (name) VALUES ('row ${index}')"))`] : []),
          ],
          [...(dice < 0.3 ? [`op.drop_index("ix_${table}_name", table_name="${table}")`] : []), `op.drop_table("${table}")`],
        ];
  return `"""generated revision ${index}${parents.length > 1 ? ' (merge)' : ''}

Revision ID: ${id}
Revises: ${parents.join(', ')}
Create Date: 2024-02-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "${id}"
down_revision: Union[str, Sequence[str], None] = ${down}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
${upgrade.map((line) => `    ${line}`).join('\n')}


def downgrade() -> None:
${downgrade.map((line) => `    ${line}`).join('\n')}
`;
}
