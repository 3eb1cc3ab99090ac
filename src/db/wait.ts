import pRetry, { AbortError } from 'p-retry';
import type { DatabaseUrl } from '../config/database-url.js';
import { unlessAborted } from '../abort.js';
import { InterruptedError, SupervisorError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Phases } from '../phases.js';
import { connect, disconnect, type Connection } from './connect.js';
import { ConnectionLostError, describeConnectionError, type ConnectionFailure } from './connection-errors.js';

export interface ConnectOptions {
  timeoutMs: number;
  signal: AbortSignal;
  log: Logger;
}

export interface WaitOptions extends ConnectOptions {
  phases: Phases;
}

// Short, capped delays: a database that comes up is noticed within about 100 ms.
const BACKOFF = { minTimeout: 20, factor: 2, maxTimeout: 100, randomize: true } as const;
const MAX_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Connects with the app's own credentials and runs SELECT 1, retrying what can get better
 * (refused, DNS, starting up) until the deadline; gives up at once on what cannot (bad password,
 * missing database). Resolves with the open connection, which the later phases reuse.
 */
export async function waitForDatabase(url: DatabaseUrl, options: WaitOptions): Promise<Connection> {
  const phase = options.phases.start('wait');
  try {
    const db = await connectWhenAvailable(url, options);
    phase.done({ database: url.redacted }, 'the database is available');
    return db;
  } catch (error) {
    // Stopped (a signal, or the scripts could not be read meanwhile), the wait proved nothing about the database.
    if (options.signal.aborted) phase.warn({ database: url.redacted }, 'stopped waiting for the database');
    else phase.fail({ database: url.redacted }, 'the database is not available');
    throw error;
  }
}

/**
 * Runs `work` on a connection to the available database. A connection lost while `work` only
 * looked (waiting, locking, inspecting: a ConnectionLostError) means a restart or a failover:
 * back to waiting, for DB_WAIT_TIMEOUT, then `work` starts over.
 */
export async function withAvailableDatabase<T>(url: DatabaseUrl, options: WaitOptions, work: (db: Connection) => Promise<T>): Promise<T> {
  for (;;) {
    const db = await waitForDatabase(url, options);
    try {
      return await work(db);
    } catch (error) {
      if (!(error instanceof ConnectionLostError)) throw error;
      options.log.warn({ event: 'wait', reason: error.message, database: url.redacted }, `${error.message}; waiting for it again`);
    } finally {
      await disconnect(db);
    }
  }
}

/** A new connection once the database takes one, within `timeoutMs`: else 69 (or at once if it never will). */
export async function connectWhenAvailable(url: DatabaseUrl, { timeoutMs, signal, log }: ConnectOptions): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  let last: ConnectionFailure = { permanent: false, reason: 'no attempt finished' };
  const attempt = async () => {
    attempts += 1;
    const remaining = Math.max(deadline - Date.now(), 50);
    const client = await connect(url, Math.min(remaining, MAX_CONNECT_TIMEOUT_MS));
    try {
      await client.query('SELECT 1');
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
  };
  try {
    return await pRetry(
      async () => {
        try {
          return await unlessAborted(attempt(), signal);
        } catch (error) {
          if (error instanceof InterruptedError) throw new AbortError(error);
          last = describeConnectionError(error);
          if (last.permanent) throw new AbortError(last.reason);
          throw error;
        }
      },
      {
        ...BACKOFF,
        retries: Number.POSITIVE_INFINITY,
        maxRetryTime: timeoutMs,
        signal,
        onFailedAttempt: ({ attemptNumber }) => {
          if (attemptNumber === 1 || attemptNumber % 20 === 0) {
            log.info({ event: 'wait', attempt: attemptNumber, reason: last.reason, database: url.redacted }, 'waiting for the database');
          }
        },
      },
    );
  } catch {
    if (signal.aborted) throw new InterruptedError(signal.reason as NodeJS.Signals);
    if (last.permanent) throw new SupervisorError('unavailable', `cannot connect to ${url.redacted}: ${last.reason}; ${last.hint}`, { attempts });
    throw new SupervisorError(
      'unavailable',
      `the database at ${url.redacted} did not become available within DB_WAIT_TIMEOUT=${timeoutMs / 1000}s (${attempts} attempts, last error: ${last.reason}); check that it is running and reachable, or raise DB_WAIT_TIMEOUT`,
      { attempts },
    );
  }
}
