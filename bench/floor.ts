// The floor of the start-up targets: the least a start on the supervisor's stack (Node and the pg
// driver, built like the supervisor: scripts/pg-on-node.mjs, a V8 code cache) can do. No lock, no
// scripts, no configuration, no logs, no signal handling: whatever the supervisor does beyond this
// program is its own cost; a target below this program's time cannot be met on this stack.
//
//   DATABASE_URL=... node .tmp/bench-floor.cjs [--verify] -- COMMAND [ARG ...]
//
// Connects and proves the password (SCRAM, as the supervisor), reads alembic_version if there is
// one, then
// - without --verify (a start at head): disconnects, runs COMMAND (the app), exits with its status;
// - with --verify (a fresh migration): runs COMMAND (alembic) while connected, reads the version
//   again, disconnects, exits with COMMAND's status.
import { spawn } from 'node:child_process';
import pg from 'pg';
import { signalExitCode } from '../src/errors.js';

/** One round trip: the versions, or none when there is no version table yet (undefined_table). */
async function versions(client: pg.Client): Promise<string[]> {
  try {
    return (await client.query<{ version_num: string }>('SELECT version_num FROM alembic_version')).rows.map((row) => row.version_num);
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return [];
    throw error;
  }
}

function run(command: string[]): Promise<number> {
  const [file, ...args] = command;
  if (!file) throw new Error('usage: bench-floor.cjs [--verify] -- COMMAND [ARG ...]');
  return new Promise((resolve, reject) => {
    spawn(file, args, { stdio: 'inherit' })
      .on('error', reject)
      .on('exit', (code, signal) => resolve(code ?? signalExitCode(signal as NodeJS.Signals)));
  });
}

async function floor(argv: string[]): Promise<number> {
  const verify = argv[0] === '--verify';
  const command = argv.slice(argv.indexOf('--') + 1);
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL, application_name: 'bench-floor' });
  await client.connect();
  await versions(client);
  if (!verify) {
    await client.end();
    return run(command);
  }
  const status = await run(command);
  await versions(client);
  await client.end();
  return status;
}

floor(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error: unknown) => {
    console.error(`bench-floor: ${(error as Error).message}`);
    process.exit(70);
  },
);
