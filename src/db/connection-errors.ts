/** Which connection failures are worth waiting out, and what to tell the operator about the others. */
import { SupervisorError } from '../errors.js';

export interface ConnectionFailure {
  permanent: boolean;
  reason: string;
  hint?: string;
  /** Refused: the host answered, only nothing listens on the port yet (the server is starting). */
  refused?: boolean;
}

// SQLSTATEs that no amount of waiting fixes.
const PERMANENT_SQLSTATES: Record<string, string> = {
  '28P01': 'check the password in DATABASE_URL',
  '28000': 'check the user name in DATABASE_URL and the server\'s pg_hba.conf',
  '3D000': 'create the database, or fix its name in DATABASE_URL',
  '42501': 'grant the user in DATABASE_URL the CONNECT privilege',
};

export function describeConnectionError(error: unknown): ConnectionFailure {
  const { code, message } = error as { code?: string; message?: string };
  const reason = message || String(error);
  const hint = code ? PERMANENT_SQLSTATES[code] : undefined;
  if (hint) return { permanent: true, reason, hint };
  if (/does not support SSL|SSL.*required|self[- ]signed certificate/i.test(reason)) {
    return { permanent: true, reason, hint: 'fix the sslmode in DATABASE_URL' };
  }
  // Refused, DNS not yet resolvable, timeouts, "starting up" (57P03), too many connections (53300): wait.
  return { permanent: false, reason, refused: code === 'ECONNREFUSED' };
}

// Pauses between attempts: 20 ms doubling, jittered (replicas that start together spread out), capped.
const FIRST_PAUSE_MS = 20;
const PAUSE_CAP_MS = 100;
// A refused connection costs the server nothing and the moment it listens is the moment the app can
// start (readiness), so it is tried again soon; a name that does not resolve yet, a timeout or a full
// server is not hammered (a DNS lookup every 25 ms from each replica would be).
const REFUSED_PAUSE_CAP_MS = 25;

/** The pause after the `attempt`th failed attempt (from 1); `random` in [0, 1). */
export function retryPauseMs(attempt: number, failure: ConnectionFailure, random: number): number {
  const cap = failure.refused ? REFUSED_PAUSE_CAP_MS : PAUSE_CAP_MS;
  return Math.min(cap, Math.round(FIRST_PAUSE_MS * 2 ** (attempt - 1) * (1 + random)));
}

// Node's codes for a peer that went away or cannot be reached (yet).
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * The connection failed rather than the statement: the server restarted or is restarting
 * (57P01-57P03, class 08), dropped the connection, or cannot take one more (53300). Worth going
 * back to waiting for; any other error is about what was asked.
 */
export function isConnectionLost(error: unknown): boolean {
  const { code, message = '' } = (error ?? {}) as { code?: string; message?: string };
  if (code && (NETWORK_CODES.has(code) || /^(08|57P0[123]$|53300$)/.test(code))) return true;
  return /Connection terminated|not queryable|connection timeout|timeout expired/i.test(message);
}

/** The connection to the database was lost before anything was changed: wait for it, then start over. */
export class ConnectionLostError extends SupervisorError {
  constructor(doing: string, cause: unknown) {
    super('unavailable', `lost the connection to the database while ${doing}: ${(cause as Error).message ?? String(cause)}`);
  }
}

/** `error` as a ConnectionLostError when it is one, unchanged otherwise. */
export function asConnectionLost(error: unknown, doing: string): unknown {
  return isConnectionLost(error) ? new ConnectionLostError(doing, error) : error;
}
