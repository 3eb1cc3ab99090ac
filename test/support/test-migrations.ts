import { afterEach, expect } from 'vitest';
import { expectNoPassword } from './expect.js';
import { historyWith, type FullRevision, type HistoryOptions } from './migration-histories.js';
import { perTest } from './per-test.js';
import { query, tablesOf } from './postgres.js';
import { runSupervisor, type SupervisorRun } from './supervisor.js';

/** test-migrations --json's report, as the tests read it. */
export interface Report {
  ok: boolean;
  exitCode: number;
  database?: string;
  throwaway: boolean;
  heads: string[];
  checks: Array<{ name: string; status: string; durationMs: number; summary: string }>;
  revisions: Array<Record<string, unknown>>;
  failure?: { check: string; step: string; revision: string; error: string; command?: string };
  error?: string;
}

/** A full run walks every revision about four times through alembic: minutes on a loaded machine. */
export const TEST_MIGRATIONS_TIMEOUT_MS = 300_000;

/** Per test: a fresh DATABASE_URL database, project copies removed afterwards, and the command run with --json. */
export function testMigrationsSetup() {
  const db = perTest();
  const removals: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const remove of removals.splice(0)) await remove();
  });
  const project = async (revisions: FullRevision[], options: HistoryOptions = {}) => {
    const copy = await historyWith(revisions, options);
    removals.push(copy.remove);
    return copy;
  };
  return {
    db,
    project,
    /** The ALEMBIC_CONFIG of a copy of the example with these revisions. */
    config: async (revisions: FullRevision[], options: HistoryOptions = {}) => (await project(revisions, options)).alembicConfig,
    async run(env: Record<string, string> = {}, args: string[] = []): Promise<SupervisorRun & { report: Report }> {
      const run = await runSupervisor(['test-migrations', '--json', ...args], { env: { DATABASE_URL: db.url, ...env }, timeoutMs: TEST_MIGRATIONS_TIMEOUT_MS });
      expectNoPassword(run);
      return { ...run, report: JSON.parse(run.stdout) as Report };
    },
  };
}

/** Databases on the test server whose name says they are a throwaway of `url`'s database. */
export async function throwawaysOf(url: string): Promise<string[]> {
  const name = new URL(url).pathname.slice(1);
  const rows = await query<{ datname: string }>(url, `SELECT datname FROM pg_database WHERE datname LIKE '${name}\\_migtest\\_%' ORDER BY 1`);
  return rows.map((row) => row.datname);
}

export const statuses = (report: Report) => Object.fromEntries(report.checks.map((check) => [check.name, check.status]));

/** Every check before `check` passed (model skipped: the example has no target_metadata), the later ones did not run. */
export function failedAt(check: string): Record<string, string> {
  const order = ['heads', 'upgrade', 'model', 'stairway', 'leftovers'];
  const passed: Record<string, string> = { heads: 'passed', upgrade: 'passed', model: 'skipped', stairway: 'passed', leftovers: 'passed' };
  const index = order.indexOf(check);
  return Object.fromEntries(order.map((name, at) => [name, at < index ? (passed[name] as string) : at === index ? 'failed' : 'not-run']));
}

/** DATABASE_URL's own database has no tables, and no throwaway database of it is left. */
export async function expectUntouched(url: string): Promise<void> {
  expect(await tablesOf(url)).toEqual([]);
  expect(await throwawaysOf(url)).toEqual([]);
}
