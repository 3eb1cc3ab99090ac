/** Which connection failures are worth waiting out, and what to tell the operator about the others. */

export interface ConnectionFailure {
  permanent: boolean;
  reason: string;
  hint?: string;
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
  return { permanent: false, reason };
}
