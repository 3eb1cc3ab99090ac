/**
 * The pure core: what the database holds, what the scripts say, what the deployment allows
 * -> what to do. No I/O here; everything is decided from values.
 */

/** What inspecting the database found. */
export interface DatabaseSnapshot {
  versionTableExists: boolean;
  /** Rows of the version table. */
  versions: string[];
  /** Tables other than the version table in the schema alembic uses. */
  userTables: string[];
}

/** The revision graph read from the migration scripts. */
export interface ScriptGraph {
  /** Every revision id and the ids it revises (its down_revision). */
  revisions: ReadonlyMap<string, readonly string[]>;
  heads: string[];
  /** Where each revision is defined and the first line of its docstring, when the files were read directly. */
  details: ReadonlyMap<string, { file?: string; message?: string }>;
}

export type DatabaseState =
  | { kind: 'empty' }
  | { kind: 'unversioned'; userTables: string[] }
  | { kind: 'behind'; current: string[]; heads: string[] }
  | { kind: 'at-head'; heads: string[] }
  | { kind: 'unknown-revision'; unknown: string[]; heads: string[] }
  | { kind: 'several-heads'; heads: string[] };

export interface PlanPolicy {
  unversionedDatabase: 'stamp' | 'refuse';
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

export function classify(snapshot: DatabaseSnapshot, scripts: ScriptGraph): DatabaseState {
  const heads = [...scripts.heads].sort();
  if (heads.length > 1) return { kind: 'several-heads', heads };
  const current = [...new Set(snapshot.versions)].sort();
  if (current.length === 0) {
    return snapshot.userTables.length > 0 ? { kind: 'unversioned', userTables: snapshot.userTables } : { kind: 'empty' };
  }
  const unknown = current.filter((revision) => !scripts.revisions.has(revision));
  if (unknown.length > 0) return { kind: 'unknown-revision', unknown, heads };
  // With a single head every known revision is its ancestor, so anything but the head itself is behind.
  if (sameSet(current, heads)) return { kind: 'at-head', heads };
  return { kind: 'behind', current, heads };
}

export function plan(state: DatabaseState, policy: PlanPolicy): Plan {
  switch (state.kind) {
    case 'empty':
    case 'behind':
      return { action: 'upgrade', state };
    case 'at-head':
      return { action: 'nothing', state };
    case 'unversioned':
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
        reason: `the migration scripts have several heads (${state.heads.join(', ')}); merge them with 'alembic merge heads' and rebuild the image`,
      };
  }
}

const NEXT_STEP: Record<Plan['action'], string> = {
  upgrade: 'alembic upgrade head',
  stamp: 'alembic stamp head',
  nothing: 'nothing to do',
  refuse: 'refused',
};

/** The state and the plan in words, e.g. "at 3f1c, behind head e9d0; plan: alembic upgrade head". */
export function describePlan(decided: Plan): string {
  return `${describeState(decided.state)}; plan: ${NEXT_STEP[decided.action]}`;
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
