import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { perTest } from '../support/per-test.js';
import { runSupervisor } from '../support/supervisor.js';

// Each of these built-ins was measured as a cost of every start and taken out of it (README,
// "Start-up"); a change that brings one back should be a decision, not an accident.
const NEVER = {
  'internal/perf/performance': 'the global `performance` (all of perf_hooks): src/clock.ts says why',
  'internal/deps/undici/undici': "fetch, which pg's Cloudflare check loads (scripts/pg-on-node.mjs)",
  'internal/crypto/webcrypto': "WebCrypto, which pg's SCRAM uses (src/db/pg-crypto.ts)",
  http: 'loaded by `probe` only',
  https: 'loaded by `probe` only',
  tls: 'only for sslmode',
};
// A plain init never loads the database chapter either.
const NEVER_IN_A_PLAIN_INIT = { ...NEVER, crypto: 'the driver (SCRAM)', dns: 'the driver', 'internal/fs/promises': 'the migration chapter' };

/** Runs the supervisor with a preload that writes, at exit, every built-in module the process loaded. */
async function builtinsLoaded(args: string[], env: Record<string, string>): Promise<string[]> {
  const directory = mkdtempSync(path.join(tmpdir(), 'bs-builtins-'));
  const preload = path.join(directory, 'list.cjs');
  const list = path.join(directory, 'loaded.txt');
  writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));\n`);
  const run = await runSupervisor(args, { env: { ...env, NODE_OPTIONS: `--require ${preload}` } });
  expect(run.exitCode, run.stdout + run.stderr).toBe(0);
  return readFileSync(list, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('NativeModule '))
    .map((line) => line.slice('NativeModule '.length));
}

const loadedOf = (loaded: string[], never: Record<string, string>) => Object.keys(never).filter((name) => loaded.includes(name)).map((name) => `${name} (${never[name as keyof typeof never]})`);

describe('what a start loads', () => {
  const db = perTest();

  it('a start at head loads none of the built-ins taken out of the start', async () => {
    expect((await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url } })).exitCode).toBe(0);
    const loaded = await builtinsLoaded(['--', 'true'], { DATABASE_URL: db.url });
    expect(loaded).toContain('net');
    expect(loadedOf(loaded, NEVER)).toEqual([]);
  });

  it('a plain init loads neither those nor the database chapter', async () => {
    const loaded = await builtinsLoaded(['--', 'true'], { RUN_MIGRATIONS: 'false' });
    expect(loaded).toContain('child_process');
    expect(loadedOf(loaded, NEVER_IN_A_PLAIN_INIT)).toEqual([]);
  });
});
