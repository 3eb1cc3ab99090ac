import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { random, shuffle } from './random.js';

/**
 * Generated Alembic histories for the property test of the script reader: branches, merges,
 * dependencies, branch labels, and every literal style alembic users write, deterministic from a
 * seed. Each project is an alembic.ini and a versions directory: `alembic history` needs no env.py.
 */

export interface GeneratedRevision {
  id: string;
  parents: string[];
  file: string;
  message: string | undefined;
}

export interface GeneratedProject {
  dir: string;
  alembicConfig: string;
  revisions: GeneratedRevision[];
  /** Files written in a form the reader must decline (a variable, a computed id, concatenation). */
  unreadable: string[];
  usesDependsOn: boolean;
}


export async function generateProject(seed: number, size: number, options: { unreadable: boolean }): Promise<GeneratedProject> {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const chance = (p: number) => next() < p;

  const dir = await mkdtemp(path.join(tmpdir(), `bs-history-${seed}-`));
  const versions = path.join(dir, 'migrations', 'versions');
  await mkdir(versions, { recursive: true });
  const alembicConfig = path.join(dir, 'alembic.ini');
  await writeFile(alembicConfig, '[alembic]\nscript_location = %(here)s/migrations\npath_separator = os\n');

  const revisions: GeneratedRevision[] = [];
  const heads = new Set<string>();
  const unreadable: string[] = [];
  let usesDependsOn = false;
  const ids = new Set<string>();
  const newId = () => {
    for (;;) {
      const id = chance(0.8) ? Array.from({ length: 12 }, () => pick([...'0123456789abcdef'])).join('') : `rev_${Math.floor(next() * 1e6)}_${pick(['a', 'b', 'x'])}`;
      if (!ids.has(id)) {
        ids.add(id);
        return id;
      }
    }
  };
  const unreadableAt = options.unreadable ? Math.floor(next() * size) : -1;

  for (let index = 0; index < size; index += 1) {
    const id = newId();
    const open = [...heads];
    let parents: string[];
    if (index === 0 || (chance(0.03) && revisions.length > 0)) parents = [];
    else if (open.length > 1 && chance(0.35)) parents = shuffle(open, next).slice(0, 2 + (open.length > 2 && chance(0.3) ? 1 : 0));
    else if (chance(0.15)) parents = [pick(revisions).id];
    else parents = [open.length > 0 && chance(0.8) ? pick(open) : pick(revisions).id];
    for (const parent of parents) heads.delete(parent);
    heads.add(id);

    const dependsOn = revisions.length > 3 && chance(0.1) ? pick(revisions.filter((revision) => !parents.includes(revision.id))).id : undefined;
    if (dependsOn) usesDependsOn = true;
    const label = chance(0.05) ? `label_${index}` : undefined;
    const message = pick([undefined, `step ${index}: change things`, `merge of ${parents.join(' and ') || 'nothing'}`, `quote 'single' and "double" marks`]);
    const name = `${String(index).padStart(4, '0')}_${id}.py`;
    const file = path.join(versions, name);
    const written =
      index === unreadableAt
        ? unreadableSource(id, parents, pick)
        : { source: revisionFileSource({ id, parents, dependsOn, label, message, decoys: revisions.slice(-3).map((revision) => revision.id) }, pick, chance), message };
    if (index === unreadableAt) unreadable.push(file);
    await writeFile(file, written.source);
    revisions.push({ id, parents, file, message: written.message });
  }
  // A stray __init__.py and an editor lock file: alembic skips both.
  await writeFile(path.join(versions, '__init__.py'), '');
  await writeFile(path.join(versions, '.#0000_lock.py'), 'not python at all (');
  return { dir, alembicConfig, revisions, unreadable, usesDependsOn };
}


type Pick = <T>(items: readonly T[]) => T;

function stringLiteral(value: string, pick: Pick): string {
  return pick([`'${value}'`, `"${value}"`, `u'${value}'`, `U"${value}"`, `r'${value}'`, `R"${value}"`, `'''${value}'''`, `"""${value}"""`, `u"""${value}"""`]);
}

function sequence(values: string[], pick: Pick): string {
  const items = values.map((value) => stringLiteral(value, pick));
  return pick([
    `(${items.join(', ')})`,
    `(${items.join(', ')},)`,
    `[${items.join(', ')}]`,
    `(\n    ${items.join(',  # a parent\n    ')},\n)`,
    `[\n    ${items.join(',\n    ')}\n]`,
  ]);
}

function optional(values: string[], pick: Pick): string {
  if (values.length === 0) return 'None';
  if (values.length === 1) return pick([stringLiteral(values[0] as string, pick), `(${stringLiteral(values[0] as string, pick)})`, sequence(values, pick)]);
  return sequence(values, pick);
}

interface Header {
  id: string;
  parents: string[];
  dependsOn: string | undefined;
  label: string | undefined;
  message: string | undefined;
  decoys: string[];
}

function revisionFileSource(header: Header, pick: Pick, chance: (p: number) => boolean): string {
  const typed = chance(0.5);
  const annotation = (kind: string) => (typed ? `: ${kind}` : '');
  const assignments = [
    `revision${annotation('str')} = ${pick([stringLiteral(header.id, pick), `(${stringLiteral(header.id, pick)})`])}${chance(0.3) ? "  # revision = 'not_this_one'" : ''}`,
    `down_revision${annotation(pick(['Union[str, None]', 'Union[str, Sequence[str], None]', 'Optional[Union[str, Tuple[str, ...]]]']))} = ${optional(header.parents, pick)}`,
    `branch_labels${annotation('Union[str, Sequence[str], None]')} = ${optional(header.label ? [header.label] : [], pick)}`,
    `depends_on${annotation('Union[str, Sequence[str], None]')} = ${optional(header.dependsOn ? [header.dependsOn] : [], pick)}`,
  ];
  if (chance(0.3)) assignments.reverse();
  const decoy = header.decoys[0] ?? 'deadbeef0000';
  const docstring =
    header.message === undefined
      ? ''
      : pick([
          `"""${header.message}\n\nRevision ID: ${header.id}\nRevises: ${decoy}\nCreate Date: 2024-01-01 00:00:00\n\nrevision = '${decoy}'\n"""\n`,
          `'''${header.message}\n\nRevises: ${header.parents.join(', ')}\n'''\n`,
          `"""${header.message}"""\n`,
          `# -*- coding: utf-8 -*-\n"""\n  ${header.message}\n\ndown_revision = "${decoy}"\n"""\n`,
        ]);
  return `${docstring}from typing import Optional, Sequence, Tuple, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
${assignments.join('\n')}
# down_revision = '${decoy}'


def upgrade() -> None:
    revision = "${decoy}"  # a local, not the module's
    op.execute("SELECT 'revision = ${decoy}'")


def downgrade() -> None:
    pass
`;
}

/** Valid Python alembic runs, in forms the reader must not read. */
function unreadableSource(id: string, parents: string[], pick: Pick): { source: string; message: string } {
  const down = parents.length === 0 ? 'None' : parents.length === 1 ? `"${parents[0]}"` : `(${parents.map((parent) => `"${parent}"`).join(', ')})`;
  const half = Math.ceil(id.length / 2);
  const source = pick([
    `"""a variable"""\nPARENT = ${down}\nrevision = "${id}"\ndown_revision = PARENT\n`,
    `"""concatenated"""\nrevision = "${id.slice(0, half)}" + "${id.slice(half)}"\ndown_revision = ${down}\n`,
    `"""implicitly concatenated"""\nrevision = "${id.slice(0, half)}" "${id.slice(half)}"\ndown_revision = ${down}\n`,
    `"""in a block"""\nif True:\n    revision = "${id}"\ndown_revision = ${down}\n`,
    `"""computed"""\nrevision = str("${id}")\ndown_revision = ${down}\n`,
  ]);
  return { source, message: /^"""([^"]+)/.exec(source)?.[1] as string };
}
