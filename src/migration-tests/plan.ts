/**
 * The pure core of test-migrations: from the revision graph, the order in which revisions are
 * walked and the alembic arguments that move exactly one revision; from alembic's output, the line
 * that says what went wrong; from schema snapshots, which revision left what behind.
 */
import type { ScriptGraph } from '../migrations/plan.js';

/** Parents before children; ties broken by id, so every run walks the same way. */
export function walkOrder(scripts: ScriptGraph): string[] {
  const waiting = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const [revision, parents] of scripts.revisions) {
    const known = parents.filter((parent) => scripts.revisions.has(parent));
    waiting.set(revision, known.length);
    for (const parent of known) children.set(parent, [...(children.get(parent) ?? []), revision]);
  }
  const ready = [...waiting].filter(([, count]) => count === 0).map(([revision]) => revision);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort();
    const revision = ready.shift() as string;
    order.push(revision);
    for (const child of children.get(revision) ?? []) {
      const left = (waiting.get(child) ?? 0) - 1;
      waiting.set(child, left);
      if (left === 0) ready.push(child);
    }
  }
  if (order.length !== scripts.revisions.size) {
    const stuck = [...scripts.revisions.keys()].filter((revision) => !order.includes(revision));
    throw new Error(`the revisions ${stuck.join(', ')} form a cycle`);
  }
  return order;
}

/**
 * `alembic downgrade` arguments that undo `revision` alone, while it is one of the database's heads
 * (the walk guarantees it). A plain `downgrade <parent>` would also undo every other branch that
 * grew from that parent; `<rev>@-1` stays on the revision's own branch. A merge point has no single
 * branch (`@-1` is an "ambiguous walk"): downgrading to one parent undoes the merge and nothing else.
 */
export function downgradeOne(revision: string, parents: readonly string[]): string[] {
  return ['downgrade', parents.length > 1 ? (parents[0] as string) : `${revision}@-1`];
}

export function upgradeTo(revision: string): string[] {
  return ['upgrade', revision];
}

// A Python exception line ("sqlalchemy.exc.ProgrammingError: ...", "RuntimeError: ...") or
// alembic's own "FAILED: ...". SQLAlchemy follows the exception with [SQL: ...] and a link to its
// docs, so the last line of the output is rarely the one that says what happened.
const ERROR_LINE = /^(?:FAILED|(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception|Exit|Failure|Warning|Interrupt)): ./;

/** The line of alembic's output that says what went wrong. */
export function errorLine(output: string): string {
  const lines = output.split('\n').map((line) => line.trimEnd()).filter((line) => line.trim() !== '');
  return [...lines].reverse().find((line) => ERROR_LINE.test(line)) ?? lines.at(-1) ?? 'alembic printed nothing';
}

/** A user object of a schema as the checks compare them, e.g. "type public.mood". */
export type SchemaObject = string;

/** Objects in `after` that were not in `before`. */
export function leftOver(before: readonly SchemaObject[], after: readonly SchemaObject[]): SchemaObject[] {
  const had = new Set(before);
  return after.filter((object) => !had.has(object));
}

/**
 * Which revision's downgrade left the objects still there at base: the first, walking down from the
 * head, whose database after its downgrade holds one of them that was not there before its upgrade.
 */
export function blameLeftovers(
  walk: readonly string[],
  beforeUpgrade: ReadonlyMap<string, readonly SchemaObject[]>,
  afterDowngrade: ReadonlyMap<string, readonly SchemaObject[]>,
  atBase: readonly SchemaObject[],
): { revision: string; objects: SchemaObject[] } | undefined {
  for (const revision of [...walk].reverse()) {
    const objects = leftOver(beforeUpgrade.get(revision) ?? [], afterDowngrade.get(revision) ?? []).filter((object) => atBase.includes(object));
    if (objects.length > 0) return { revision, objects };
  }
  return undefined;
}

/** `alembic check`'s answer when env.py gives autogenerate no MetaData: nothing to compare, a skip. */
export function noTargetMetadata(output: string): boolean {
  return /does not provide a MetaData object/.test(output);
}

/** What alembic said about its failure (the exception's last line, or its FAILED: line), from the runner's error. */
export function alembicSaid(error: unknown): string | undefined {
  const said = (error as { details?: { alembic?: { exception?: unknown } } } | undefined)?.details?.alembic?.exception;
  return typeof said === 'string' ? said : undefined;
}
