import type { MigrationTarget } from '../config/config.js';
import type { ScriptGraph } from './plan.js';

/**
 * The heads `migrate` brings the database to, and how alembic's command line names them
 * (MIGRATION_TARGET: `head`, the one head, or `heads`, every head).
 */
export function migrationTarget(scripts: ScriptGraph, target: MigrationTarget): { heads: string[]; argument: MigrationTarget } {
  return { heads: [...scripts.heads].sort(), argument: target };
}

/**
 * The revisions `alembic upgrade` would run to bring `current` to `target`, parents before
 * children (the order alembic applies them). Pure: takes the revision graph.
 */
export function pendingRevisions(revisions: ReadonlyMap<string, readonly string[]>, current: readonly string[], target: readonly string[]): string[] {
  const applied = ancestorsOf(revisions, current);
  const order: string[] = [];
  const visited = new Set<string>();
  // Depth-first, parents first, in sorted order: a deterministic topological order.
  const visit = (revision: string) => {
    if (visited.has(revision) || applied.has(revision)) return;
    visited.add(revision);
    for (const parent of [...(revisions.get(revision) ?? [])].sort()) visit(parent);
    order.push(revision);
  };
  for (const head of [...target].sort()) visit(head);
  return order;
}

/** The revisions themselves and everything they descend from. */
function ancestorsOf(revisions: ReadonlyMap<string, readonly string[]>, from: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...from];
  for (let revision = stack.pop(); revision !== undefined; revision = stack.pop()) {
    if (seen.has(revision)) continue;
    seen.add(revision);
    stack.push(...(revisions.get(revision) ?? []));
  }
  return seen;
}
