/** What test-migrations found, as log events for people and as one JSON document for machines. */
import { writeSync } from 'node:fs';
import type { Logger } from '../log.js';

export const CHECKS = ['heads', 'upgrade', 'model', 'stairway', 'leftovers'] as const;
export type CheckName = (typeof CHECKS)[number];
export type Step = 'heads' | 'upgrade' | 'downgrade' | 're-upgrade' | 'leftovers' | 'model';

export interface CheckResult {
  name: CheckName;
  status: 'passed' | 'failed' | 'skipped' | 'not-run';
  durationMs: number;
  /** What was checked, or why it was skipped or failed. */
  summary: string;
}

/** Milliseconds of each alembic run of one revision. */
export interface RevisionTimings {
  revision: string;
  upgradeMs?: number;
  downgradeMs?: number;
  reupgradeMs?: number;
  downgradeAgainMs?: number;
}

export interface Failure {
  check: CheckName;
  step: Step;
  /** The failing revision (several for `heads`). */
  revision: string;
  /** The line of alembic's output that says what went wrong, or the check's own finding. */
  error: string;
  command?: string;
}

export interface Report {
  ok: boolean;
  exitCode: number;
  /** The database the checks ran on, password redacted. */
  database?: string;
  throwaway: boolean;
  target: 'head' | 'heads';
  heads: string[];
  durationMs: number;
  checks: CheckResult[];
  revisions: RevisionTimings[];
  failure?: Failure;
  /** Why the checks could not run at all (configuration, database, signal). */
  error?: string;
}

export function logCheck(log: Logger, result: CheckResult): void {
  const level = result.status === 'failed' ? 'error' : result.status === 'passed' ? 'info' : 'warn';
  log[level]({ event: 'check', check: result.name, status: result.status, durationMs: result.durationMs }, `check ${result.name} ${result.status}: ${result.summary}`);
}

export function logReport(log: Logger, report: Report): void {
  const fields = { event: 'test-migrations', ok: report.ok, exitCode: report.exitCode, durationMs: report.durationMs, checks: Object.fromEntries(report.checks.map((check) => [check.name, check.status])) };
  if (report.failure) {
    const { check, revision, step, error } = report.failure;
    log.error({ ...fields, failure: report.failure }, `migration test failed: revision ${revision}, step ${step} (check ${check}): ${error}`);
  } else if (report.ok) {
    log.info(fields, `all migration checks passed on ${report.database ?? 'the test database'}`);
  } else {
    log.error({ ...fields, error: report.error }, `migration test did not finish: ${report.error ?? 'unknown error'}`);
  }
}

/** The report as one JSON document on stdout (with --json, the log lines go to stderr). */
export function printReport(report: Report, redact: (text: string) => string): void {
  writeSync(1, `${redact(JSON.stringify(report, null, 2))}\n`);
}
