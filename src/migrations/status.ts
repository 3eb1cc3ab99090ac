import path from 'node:path';
import type { MigrationTarget } from '../config/config.js';
import { EXIT_CODES } from '../errors.js';
import { writeOut } from '../log.js';
import { inspectWithSnapshot, type MigrateContext } from './migrate.js';
import { migrationTarget, pendingRevisions } from './pending.js';
import { describePlan, type DatabaseSnapshot, type DatabaseState, type Plan, type ScriptGraph } from './plan.js';
import { renderUpgradeSql } from './offline-sql.js';
import { ScriptsReading } from './scripts-reading.js';
import type { StatusFormat } from './status-format.js';

/** The exit codes of `status`, for CI gates: like `migrate --check` of other tools. */
const AT_TARGET = 0;
const WOULD_CHANGE = 1;

export interface PendingRevision {
  revision: string;
  message?: string;
  file?: string;
}

export interface StatusReport {
  state: DatabaseState['kind'];
  plan: Plan['action'];
  exitCode: number;
  /** The database's version rows. */
  current: string[];
  /** The script head(s) `migrate` brings the database to. */
  target: string[];
  /** What `alembic upgrade` would run, oldest first. */
  pending: PendingRevision[];
  /** Why `migrate` would refuse. */
  reason?: string;
  summary: string;
}

/** Pure: what `status` reports for a database snapshot, its plan and the scripts. */
export function statusReport(snapshot: DatabaseSnapshot, decided: Plan, scripts: ScriptGraph, migrationTargetName: MigrationTarget = 'head'): StatusReport {
  const target = migrationTarget(scripts, migrationTargetName).heads;
  const pending = decided.action === 'upgrade' ? pendingRevisions(scripts.revisions, snapshot.versions, target) : [];
  return {
    state: decided.state.kind,
    plan: decided.action,
    exitCode: decided.action === 'nothing' ? AT_TARGET : decided.action === 'refuse' ? EXIT_CODES.refused : WOULD_CHANGE,
    current: [...snapshot.versions].sort(),
    target,
    pending: pending.map((revision) => ({ revision, ...scripts.details.get(revision) })),
    ...(decided.action === 'refuse' ? { reason: decided.reason } : {}),
    summary: `the database is ${describePlan(decided, migrationTargetName)}`,
  };
}

/** `status`: inspects, answers in `format`, changes nothing. Resolves with the exit code. */
export async function status(context: MigrateContext, format: StatusFormat): Promise<number> {
  const { snapshot, decided } = await inspectWithSnapshot({ ...context, scripts: ScriptsReading.done(context.scripts) });
  const report = statusReport(snapshot, decided, context.scripts, context.config.migrationTarget);
  switch (format) {
    case 'log':
      context.log.info({ event: 'status', ...withoutSummary(report) }, report.summary);
      break;
    case 'json':
      writeOut(`${JSON.stringify(withoutSummary(report), null, 2)}\n`);
      break;
    case 'text':
      writeOut(statusText(report, process.cwd()));
      break;
    case 'sql':
      if (report.reason) context.log.error({ event: 'status', state: report.state }, report.reason);
      else writeOut(await renderUpgradeSql(decided, snapshot, migrationTarget(context.scripts, context.config.migrationTarget), context));
      break;
  }
  return report.exitCode;
}

function withoutSummary({ summary: _summary, ...rest }: StatusReport): Omit<StatusReport, 'summary'> {
  return rest;
}

/** The report for people, e.g. in a CI log. */
export function statusText(report: StatusReport, cwd: string): string {
  const lines = [
    `${report.summary} (exit ${report.exitCode})`,
    `current: ${report.current.join(', ') || '(no revision)'}`,
    `target:  ${report.target.join(', ') || '(no migrations)'}`,
  ];
  if (report.reason) lines.push(`refused: ${report.reason}`);
  if (report.pending.length > 0) {
    lines.push(`pending: ${report.pending.length} revision${report.pending.length === 1 ? '' : 's'}, oldest first`);
    const idWidth = Math.max(...report.pending.map((entry) => entry.revision.length));
    const messageWidth = Math.max(...report.pending.map((entry) => (entry.message ?? '').length));
    for (const entry of report.pending) {
      const columns = [entry.revision.padEnd(idWidth), (entry.message ?? '').padEnd(messageWidth), entry.file ? shortPath(entry.file, cwd) : ''];
      lines.push(`  ${columns.join('  ')}`.trimEnd());
    }
  }
  return `${lines.join('\n')}\n`;
}

function shortPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
