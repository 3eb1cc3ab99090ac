import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

/** The application_name prefix the supervisor gives every alembic it starts (its PGAPPNAME). */
export const ALEMBIC_APP_PREFIX = 'backend-supervisor-alembic-';

/**
 * Samples, every 20 ms until stopped, how many alembic sessions the database has at once;
 * resolves with the highest count seen.
 */
export async function watchAlembicSessions(url: string): Promise<{ stop: () => Promise<number> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let highest = 0;
  let running = true;
  const sampling = (async () => {
    while (running) {
      const { rows } = await client.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM pg_stat_activity WHERE left(application_name, length($1)) = $1 AND datname = current_database()',
        [ALEMBIC_APP_PREFIX],
      );
      highest = Math.max(highest, rows[0]?.count ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await sampling;
      await client.end();
      return highest;
    },
  };
}

/** Pids of the live (not zombie) processes whose command line contains `text`. */
export function processesWith(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}
