/**
 * The pure core: what the database holds, what the scripts say, what the deployment allows
 * -> what to do. No I/O here; everything is decided from values.
 */

import type { MigrationTarget } from '../config/config.js';
import type { DatabaseSnapshot } from '../db/inspect.js';

export type { DatabaseSnapshot };

/** The revision graph read from the migration scripts. */
export interface ScriptGraph {
  /** Every revision id and the ids it revises (its down_revision). */
  revisions: ReadonlyMap<string, readonly string[]>;
  heads: string[];
  /** Where each revision comes from: its file (when known) and message (the docstring's first line, as `alembic history` shows it). */
  details: ReadonlyMap<string, { file?: string; message?: string }>;
}

export type DatabaseState =
  | { kind: 'empty' }
  | { kind: 'unversioned'; userTables: string[]; versionTables: string[] }
  | { kind: 'ambiguous-version-table'; versionTables: string[] }
  | { kind: 'behind'; current: string[]; heads: string[] }
  | { kind: 'at-head'; heads: string[] }
  | { kind: 'unknown-revision'; unknown: string[]; heads: string[] }
  | { kind: 'several-heads'; heads: string[] };

export interface PlanPolicy {
  unversionedDatabase: 'stamp' | 'refuse';
  /** Default `head`. */
  migrationTarget?: MigrationTarget;
}

export type Plan =
  | { action: 'upgrade'; state: DatabaseState }
  | { action: 'stamp'; state: DatabaseState }
  | { action: 'nothing'; state: DatabaseState }
  | { action: 'refuse'; state: DatabaseState; reason: string };

export function headsOf(revisions: ReadonlyMap<string, readonly string[]>): string[] {
  const revised = new Set([...revisions.values()].flat());
  return [...revisions.keys()].filter((revision) => !revised.has(revision)).sort();
}

/** Nothing in it: no version, no table of the app's. */
function isEmpty(snapshot: DatabaseSnapshot): boolean {
  return snapshot.versions.length === 0 && !snapshot.ambiguousVersionTables && snapshot.userTables.length === 0;
}

/**
 * The plan the scripts cannot change, for a start that has not read them yet: an empty database is
 * upgraded whatever they hold, but for several heads, which `alembic upgrade head` refuses too
 * before it changes anything (the caller checks them once read). Undefined: the plan needs them.
 */
export function planWithoutScripts(snapshot: DatabaseSnapshot): Plan | undefined {
  return isEmpty(snapshot) ? { action: 'upgrade', state: { kind: 'empty' } } : undefined;
}

/** With target `heads` several heads are wanted; with `head` they are refused. */
export function classify(snapshot: DatabaseSnapshot, scripts: ScriptGraph, target: MigrationTarget = 'head'): DatabaseState {
  const heads = [...scripts.heads].sort();
  if (heads.length > 1 && target === 'head') return { kind: 'several-heads', heads };
  if (isEmpty(snapshot)) return { kind: 'empty' };
  const current = [...new Set(snapshot.versions)].sort();
  if (current.length === 0) {
    if (snapshot.ambiguousVersionTables) return { kind: 'ambiguous-version-table', versionTables: snapshot.otherVersionTables };
    const versionTables = [...(snapshot.versionTable ? [snapshot.versionTable] : []), ...snapshot.otherVersionTables];
    return { kind: 'unversioned', userTables: snapshot.userTables, versionTables };
  }
  const unknown = current.filter((revision) => !scripts.revisions.has(revision));
  if (unknown.length > 0) return { kind: 'unknown-revision', unknown, heads };
  // Every known revision is an ancestor of some head, so anything but exactly the heads is behind.
  if (sameSet(current, heads)) return { kind: 'at-head', heads };
  return { kind: 'behind', current, heads };
}

export function plan(state: DatabaseState, policy: PlanPolicy): Plan {
  switch (state.kind) {
    case 'ambiguous-version-table':
      return {
        action: 'refuse',
        state,
        reason: `the database holds several tables shaped like alembic's version table (${state.versionTables.join(', ')}) and none is alembic_version on the search path; set ALEMBIC_VERSION_TABLE=[schema.]table to the one env.py uses (version_table_schema, version_table)`,
      };
    case 'empty':
    case 'behind':
      return { action: 'upgrade', state };
    case 'at-head':
      return { action: 'nothing', state };
    case 'unversioned':
      // Stamping skips migrations: never while a version table exists, which means a history, not none.
      if (state.versionTables.length > 0) {
        return {
          action: 'refuse',
          state,
          reason: `the database has tables (${preview(state.userTables)}) and no Alembic version in the table read, but a version table exists (${state.versionTables.join(', ')}), so it is not stamped; set ALEMBIC_VERSION_TABLE=[schema.]table to the table env.py uses, or stamp by hand (alembic stamp <revision>)`,
        };
      }
      return policy.unversionedDatabase === 'stamp'
        ? { action: 'stamp', state }
        : {
            action: 'refuse',
            state,
            reason: `the database has tables (${preview(state.userTables)}) but no Alembic version and UNVERSIONED_DATABASE=refuse; stamp it by hand (alembic stamp <revision>) or set UNVERSIONED_DATABASE=stamp`,
          };
    case 'unknown-revision':
      return {
        action: 'refuse',
        state,
        reason: `the database is at revision ${state.unknown.join(', ')}, which the migration scripts do not contain (script head: ${state.heads.join(', ') || 'none'}); a newer image probably migrated it: deploy that image, or downgrade with it`,
      };
    case 'several-heads':
      return {
        action: 'refuse',
        state,
        reason: `the migration scripts have several heads (${state.heads.join(', ')}); merge them with 'alembic merge heads' and rebuild the image, or set MIGRATION_TARGET=heads if the project keeps several heads on purpose`,
      };
  }
}

/** The alembic command a plan runs, e.g. ['upgrade', 'heads']; undefined when it runs none. */
export function alembicArgs(decided: Plan, target: MigrationTarget = 'head'): string[] | undefined {
  if (decided.action === 'upgrade' || decided.action === 'stamp') return [decided.action, target];
  return undefined;
}

const NEXT_STEP: Record<'nothing' | 'refuse', string> = { nothing: 'nothing to do', refuse: 'refused' };

/** The state and the plan in words, e.g. "at 3f1c, behind head e9d0; plan: alembic upgrade head". */
export function describePlan(decided: Plan, target: MigrationTarget = 'head'): string {
  const args = alembicArgs(decided, target);
  return `${describeState(decided.state)}; plan: ${args ? `alembic ${args.join(' ')}` : NEXT_STEP[decided.action as 'nothing' | 'refuse']}`;
}

function describeState(state: DatabaseState): string {
  switch (state.kind) {
    case 'empty':
      return 'empty';
    case 'behind':
      return `at ${state.current.join(', ')}, behind head ${state.heads.join(', ')}`;
    case 'at-head':
      return `at head ${state.heads.join(', ') || '(no migrations)'}`;
    case 'unversioned':
      return `unversioned (tables ${preview(state.userTables)}, no Alembic version)`;
    case 'ambiguous-version-table':
      return `holding several version tables (${state.versionTables.join(', ')})`;
    case 'unknown-revision':
      return `at ${state.unknown.join(', ')}, which the scripts do not contain`;
    case 'several-heads':
      return `in front of several script heads (${state.heads.join(', ')})`;
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value) => b.includes(value));
}

function preview(tables: readonly string[]): string {
  return tables.length > 5 ? `${tables.slice(0, 5).join(', ')} and ${tables.length - 5} more` : tables.join(', ');
}
