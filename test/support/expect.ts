import { expect } from 'vitest';
import { TEST_PASSWORD } from './postgres.js';
import type { LogEvent, SupervisorRun } from './supervisor.js';

/** The password, in every spelling a URL or a JSON line could carry it, appears nowhere. */
export function expectNoPassword(run: Pick<SupervisorRun, 'stdout' | 'stderr'>): void {
  // Silence would pass every check below: a run that printed nothing proves nothing.
  expect(`${run.stdout}${run.stderr}`.trim(), 'the supervisor printed nothing').not.toBe('');
  for (const spelling of [TEST_PASSWORD, encodeURIComponent(TEST_PASSWORD)]) {
    expect(run.stdout).not.toContain(spelling);
    expect(run.stderr).not.toContain(spelling);
  }
}

export function eventsNamed(run: SupervisorRun, event: string): LogEvent[] {
  return run.events.filter((entry) => entry.event === event);
}

/** The lines alembic printed, as re-emitted by the supervisor. */
export function alembicLines(run: SupervisorRun): string[] {
  return eventsNamed(run, 'alembic').map((entry) => entry.msg);
}

export function finalError(run: SupervisorRun): LogEvent | undefined {
  return eventsNamed(run, 'exit').at(-1);
}
