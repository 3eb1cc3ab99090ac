import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { codeCacheReporter } from '../support/code-cache.js';
import { SUPERVISOR } from '../support/paths.js';

const plainInit = { env: { PATH: process.env.PATH, RUN_MIGRATIONS: 'false' }, extendEnv: false, reject: false } as const;

describe('the bundle entry (dist/backend-supervisor.cjs)', () => {
  it('compiles with the code cache the build made beside it: V8 accepts it', async () => {
    const run = await execa(process.execPath, ['--require', codeCacheReporter(), SUPERVISOR, '--', 'true'], plainInit);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('code cache rejected=false');
  });

  it('copied alone, without its cache, runs all the same', async () => {
    const alone = path.join(mkdtempSync(path.join(tmpdir(), 'bs-entry-')), 'backend-supervisor.cjs');
    copyFileSync(SUPERVISOR, alone);
    const run = await execa(process.execPath, ['--require', codeCacheReporter(), alone, '--', 'sh', '-c', 'echo app ran'], plainInit);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('app ran');
    expect(run.stderr).toBe('');
  });
});
