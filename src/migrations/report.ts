// node:fs's promises, reached when a report is written: node:fs/promises loads modules no other start needs.
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { configError, exitCodeOf, InterruptedError, SupervisorError } from '../errors.js';
import { redact, type Logger } from '../log.js';
import type { PhaseName, Phases } from '../phases.js';
import type { RevisionRun } from './revision-runs.js';

/**
 * What one migrate (or rollback) attempt did, filled in as it goes, for MIGRATION_REPORT: where
 * the database started and ended, what alembic ran and for how long, and how it ended.
 */
export class MigrationAttempt {
  readonly startedAt = new Date();
  /** The database's versions before alembic ran (the last inspection before it). */
  from: string[] | undefined;
  /** The database's versions when the attempt ended. */
  to: string[] | undefined;
  /** The script heads (migrate) or the revision asked for (rollback). */
  target: string[] | undefined;
  readonly revisions: RevisionRun[] = [];
  exitCode = 0;
  interrupted = false;
  error: { message: string; revision?: string; exception?: string } | undefined;

  /** The command that made the attempt: run, migrate or rollback. */
  constructor(readonly command: string) {}

  failed(error: unknown): void {
    this.exitCode = exitCodeOf(error);
    this.interrupted = error instanceof InterruptedError;
    const details = error instanceof SupervisorError ? error.details : {};
    this.error = {
      message: (error as Error).message,
      ...(typeof details.revision === 'string' ? { revision: details.revision } : {}),
      ...(typeof details.exception === 'string' ? { exception: details.exception } : {}),
    };
  }
}

export interface MigrationReport {
  command: MigrationAttempt['command'];
  outcome: 'success' | 'failure' | 'interrupted';
  exitCode: number;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  from: string[] | null;
  to: string[] | null;
  target: string[] | null;
  revisions: RevisionRun[];
  /** How long it took to get the migration lock; null when no lock was needed. */
  lockWaitMs: number | null;
  phases: Partial<Record<PhaseName, number>>;
  error: { message: string; revision?: string; exception?: string } | null;
}

/** Pure: the report of a finished attempt. */
export function migrationReport(attempt: MigrationAttempt, phases: Partial<Record<PhaseName, number>>, finishedAt: Date): MigrationReport {
  return {
    command: attempt.command,
    outcome: attempt.exitCode === 0 ? 'success' : attempt.interrupted ? 'interrupted' : 'failure',
    exitCode: attempt.exitCode,
    startedAt: attempt.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - attempt.startedAt.getTime(),
    from: attempt.from ?? null,
    // An interrupted attempt stopped promptly: where the database stands was not read again.
    to: attempt.interrupted ? null : attempt.to ?? null,
    target: attempt.target ?? null,
    revisions: attempt.revisions,
    lockWaitMs: phases.lock ?? null,
    phases,
    error: attempt.error ?? null,
  };
}

/**
 * Ends the attempt: writes its report (the caller has read where the database stands, unless the
 * attempt was interrupted: a stop must be prompt).
 */
export async function reportAttempt(file: string, attempt: MigrationAttempt, { phases, secrets, log }: { phases: Phases; secrets: readonly string[]; log: Logger }): Promise<void> {
  await writeReport(file, migrationReport(attempt, phases.durationsSoFar(), new Date()), secrets, log);
}

/** A report nobody can write is a configuration error before anything starts, not a surprise at the end. */
export async function checkReportPath(file: string): Promise<void> {
  const directory = path.dirname(file);
  await fs.access(directory, constants.W_OK).catch((error: NodeJS.ErrnoException) => {
    throw configError('MIGRATION_REPORT', file, `its directory ${directory} cannot be written (${error.code ?? error.message}); create it or mount a writable volume there`);
  });
}

/**
 * Writes the report as JSON, or as Prometheus text when the path ends in `.prom` (for
 * node-exporter's textfile collector). Written to a temporary file and renamed, so a reader
 * never sees half a report. A failure to write is logged: the attempt's own outcome stands.
 */
export async function writeReport(file: string, report: MigrationReport, secrets: readonly string[], log: Logger): Promise<void> {
  const text = file.endsWith('.prom') ? await prometheusText(report) : `${JSON.stringify(report, null, 2)}\n`;
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await fs.writeFile(temporary, redact(text, secrets));
    await fs.rename(temporary, file);
    log.info({ event: 'report', path: file, outcome: report.outcome }, `wrote the migration report to ${file}`);
  } catch (error) {
    log.error({ event: 'report', path: file }, `cannot write MIGRATION_REPORT=${file}: ${(error as Error).message}`);
  }
}

/** The report as Prometheus metrics. */
export async function prometheusText(report: MigrationReport): Promise<string> {
  // Loaded only for a .prom report.
  const { Registry, Gauge } = await import('prom-client');
  const registry = new Registry();
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name: `backend_supervisor_migration_${name}`, help, labelNames, registers: [registry] });
  const seconds = (ms: number) => ms / 1000;
  const versions = (list: string[] | null) => (list ?? []).join(',');

  gauge('info', 'The last migration attempt; its facts are labels (from, to, target: revision ids, empty for none)', ['command', 'outcome', 'from', 'to', 'target', 'error_revision']).set(
    { command: report.command, outcome: report.outcome, from: versions(report.from), to: versions(report.to), target: versions(report.target), error_revision: report.error?.revision ?? '' },
    1,
  );
  gauge('success', '1 if the last migration attempt succeeded, else 0').set(report.outcome === 'success' ? 1 : 0);
  gauge('exit_code', 'Exit code of the last migration attempt').set(report.exitCode);
  gauge('last_run_timestamp_seconds', 'When the last migration attempt ended, Unix time').set(seconds(Date.parse(report.finishedAt)));
  gauge('duration_seconds', 'Duration of the last migration attempt').set(seconds(report.durationMs));
  gauge('lock_wait_seconds', 'Time spent getting the migration lock (0: no lock was needed)').set(seconds(report.lockWaitMs ?? 0));
  const phase = gauge('phase_duration_seconds', 'Duration of each phase of the last migration attempt', ['phase']);
  for (const [name, ms] of Object.entries(report.phases)) phase.set({ phase: name }, seconds(ms));
  gauge('revisions', 'Revisions alembic ran to completion in the last attempt').set(report.revisions.filter((run) => run.outcome === 'done').length);
  const revision = gauge('revision_duration_seconds', 'Duration of each revision alembic ran in the last attempt', ['revision', 'direction', 'outcome']);
  for (const run of report.revisions) revision.set({ revision: run.revision, direction: run.direction, outcome: run.outcome }, seconds(run.durationMs));
  return registry.metrics();
}
