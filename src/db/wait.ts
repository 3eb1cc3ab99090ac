import { setTimeout as sleep } from 'node:timers/promises';
import type { DatabaseUrl } from '../config/database-url.js';
import { unlessAborted } from '../abort.js';
import { monotonicMs } from '../clock.js';
import { InterruptedError, SupervisorError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Phases } from '../phases.js';
import { connect, disconnect, type Connection } from './connect.js';
import { ConnectionLostError, describeConnectionError, retryPauseMs, type ConnectionFailure } from './connection-errors.js';

export interface ConnectOptions {
  timeoutMs: number;
  signal: AbortSignal;
  log: Logger;
}

export interface WaitOptions extends ConnectOptions {
  phases: Phases;
}

// A new line at most this often while the wait goes on, whatever the pace of the attempts.
const WAIT_LOG_INTERVAL_MS = 5000;
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
  const started = monotonicMs();
  const elapsed = () => monotonicMs() - started;
  let loggedAt = Number.NEGATIVE_INFINITY;
  for (let attempts = 1; ; attempts += 1) {
    const outcome = await attemptConnection(url, Math.min(Math.max(timeoutMs - elapsed(), 50), MAX_CONNECT_TIMEOUT_MS), signal);
    if ('db' in outcome) return outcome.db;
    const { failure } = outcome;
    if (failure.permanent) throw new SupervisorError('unavailable', `cannot connect to ${url.redacted}: ${failure.reason}; ${failure.hint}`, { attempts });
    if (elapsed() - loggedAt >= WAIT_LOG_INTERVAL_MS) {
      loggedAt = elapsed();
      log.info({ event: 'wait', attempt: attempts, reason: failure.reason, database: url.redacted }, 'waiting for the database');
    }
    const pause = Math.min(retryPauseMs(attempts, failure, Math.random()), timeoutMs - elapsed());
    if (pause <= 0) {
      throw new SupervisorError(
        'unavailable',
        `the database at ${url.redacted} did not become available within DB_WAIT_TIMEOUT=${timeoutMs / 1000}s (${attempts} attempts, last error: ${failure.reason}); check that it is running and reachable, or raise DB_WAIT_TIMEOUT`,
        { attempts },
      );
    }
    await sleep(pause, undefined, { signal }).catch(() => {
      throw new InterruptedError(signal.reason as NodeJS.Signals);
    });
  }
}

/** One connection and SELECT 1: the open connection, or why it failed. A stop signal rejects at once. */
async function attemptConnection(url: DatabaseUrl, timeoutMs: number, signal: AbortSignal): Promise<{ db: Connection } | { failure: ConnectionFailure }> {
  const ask = async () => {
    const client = await connect(url, timeoutMs);
    try {
      await client.query('SELECT 1');
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
  };
  try {
    return { db: await unlessAborted(ask(), signal) };
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    return { failure: describeConnectionError(error) };
  }
}
