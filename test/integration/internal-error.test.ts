import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsNamed, expectNoPassword } from '../support/expect.js';
import { freePort } from '../support/ports.js';
import { TEST_PASSWORD } from '../support/postgres.js';
import { runSupervisor } from '../support/supervisor.js';

/**
 * A bug in the supervisor, simulated from outside: NODE_OPTIONS=--require loads a script into the
 * real process that throws (or rejects) after a delay, with no hook in the product's code.
 */
async function fault(kind: 'throw' | 'reject', delayMs: number): Promise<string> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'bs-fault-')), 'fault.cjs');
  const act = kind === 'throw' ? "throw new Error('injected fault')" : "Promise.reject(new Error('injected fault'))";
  await writeFile(file, `setTimeout(() => { ${act}; }, ${delayMs});\n`);
  return `--require ${file}`;
}

describe('an internal error (a bug) in the supervisor', () => {
  it.each(['throw', 'reject'] as const)('before the app starts (%s): logged as internal, exit 70, no app', async (kind) => {
    const port = await freePort();
    const run = await runSupervisor(['--', 'sh', '-c', 'echo APP RAN'], {
      env: { NODE_OPTIONS: await fault(kind, 1_500), DATABASE_URL: `postgresql://app:${encodeURIComponent(TEST_PASSWORD)}@127.0.0.1:${port}/app`, DB_WAIT_TIMEOUT: '20' },
    });
    expectNoPassword(run);
    expect(run.exitCode).toBe(70);
    const internal = eventsNamed(run, 'internal');
    expect(internal).toHaveLength(1);
    expect(internal[0]).toMatchObject({ level: 'error', msg: 'internal error in the supervisor', err: { message: 'injected fault' } });
    expect(run.stdout).not.toContain('APP RAN');
    // It struck while waiting for the database (which never comes up here).
    expect(eventsNamed(run, 'wait')[0]).toMatchObject({ msg: 'waiting for the database' });
  });

  it.each(['throw', 'reject'] as const)('while the app runs (%s): logged, the app runs on and its status comes back', async (kind) => {
    const run = await runSupervisor(['--', 'sh', '-c', 'sleep 1; echo APP DONE; exit 42'], { env: { NODE_OPTIONS: await fault(kind, 300), RUN_MIGRATIONS: 'false' } });
    expect(run.exitCode).toBe(42);
    expect(eventsNamed(run, 'internal')).toHaveLength(1);
    expect(eventsNamed(run, 'internal')[0]).toMatchObject({ level: 'error', err: { message: 'injected fault' } });
    expect(run.stdout).toContain('APP DONE');
  });
});
