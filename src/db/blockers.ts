import type { Connection } from './connect.js';

/** A session that holds a lock another one waits for, as pg_blocking_pids and pg_stat_activity show it. */
export interface Blocker {
  pid: number;
  applicationName: string | null;
  state: string | null;
  /** When its transaction (else its session) started: how long it has been holding on. */
  since: string | null;
  /** Its current (or last) statement, cut at 100 characters. */
  query: string | null;
}

const CHECK_EVERY_MS = 500;
const REPORT_EVERY_MS = 3_000;

/**
 * Watches the sessions named `applicationName` (one alembic's, by its PGAPPNAME) while they run,
 * calling `onBlocked` when one starts waiting for a lock and every few seconds while it waits,
 * with the sessions blocking it. A DDL statement queued for a lock makes every later query on
 * its table queue too: the operator must learn at once who is in the way. Checks run on
 * `client`, the lock connection, which is idle while alembic runs; a failed check is skipped.
 */
export function watchBlockers(client: Connection, applicationName: string, onBlocked: (blockers: Blocker[], blockedMs: number) => void) {
  let blockedSince: number | undefined;
  let reportedAt = 0;
  let last: Blocker[] = [];
  const check = async () => {
    const found = await client
      .query<Blocker>(
        `SELECT b.pid, b.application_name AS "applicationName", b.state, left(b.query, 100) AS query,
                to_char(coalesce(b.xact_start, b.backend_start) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS since
           FROM pg_catalog.pg_stat_activity w
          CROSS JOIN LATERAL unnest(pg_catalog.pg_blocking_pids(w.pid)) AS blocking(pid)
           JOIN pg_catalog.pg_stat_activity b ON b.pid = blocking.pid
          WHERE w.application_name = $1 AND w.datname = current_database()
          ORDER BY b.pid`,
        [applicationName],
      )
      .then((result) => result.rows)
      .catch(() => undefined);
    if (found === undefined) return;
    if (found.length === 0) {
      blockedSince = undefined;
      return;
    }
    last = found;
    const now = Date.now();
    blockedSince ??= now;
    if (now - blockedSince === 0 || now - reportedAt >= REPORT_EVERY_MS) {
      reportedAt = now;
      onBlocked(found, now - blockedSince);
    }
  };
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(check);
  }, CHECK_EVERY_MS);
  return {
    /** The blockers of the last check that found any. */
    get last(): Blocker[] {
      return last;
    },
    stop: async (): Promise<void> => {
      clearInterval(timer);
      await running;
    },
  };
}

/** "pid 123 (application_name "x", idle in transaction since ...: "SELECT ...")" */
export function describeBlockers(blockers: Blocker[]): string {
  if (blockers.length === 0) return 'a session that let go before it could be named';
  return blockers
    .map((blocker) => `pid ${blocker.pid} (application_name ${JSON.stringify(blocker.applicationName ?? '')}, ${blocker.state ?? 'state hidden'} since ${blocker.since ?? '?'}: ${JSON.stringify(blocker.query ?? '')})`)
    .join(', ');
}
