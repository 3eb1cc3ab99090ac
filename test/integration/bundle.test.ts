import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { SUPERVISOR } from '../support/paths.js';

// Reports, on stderr, whether V8 took the code cache the entry hands to vm.Script.
const PRELOAD = `const vm = require('node:vm');
const Original = vm.Script;
vm.Script = class extends Original {
  constructor(source, options) {
    super(source, options);
    if (options && options.cachedData) process.stderr.write('code cache rejected=' + this.cachedDataRejected + '\\n');
  }
};
`;

function preload(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'bs-preload-')), 'report-code-cache.cjs');
  writeFileSync(file, PRELOAD);
  return file;
}

const plainInit = { env: { PATH: process.env.PATH, RUN_MIGRATIONS: 'false' }, extendEnv: false, reject: false } as const;

describe('the bundle entry (dist/backend-supervisor.cjs)', () => {
  it('compiles with the code cache the build made beside it: V8 accepts it', async () => {
    const run = await execa(process.execPath, ['--require', preload(), SUPERVISOR, '--', 'true'], plainInit);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('code cache rejected=false');
  });

  it('copied alone, without its cache, runs all the same', async () => {
    const alone = path.join(mkdtempSync(path.join(tmpdir(), 'bs-entry-')), 'backend-supervisor.cjs');
    copyFileSync(SUPERVISOR, alone);
    const run = await execa(process.execPath, ['--require', preload(), alone, '--', 'sh', '-c', 'echo app ran'], plainInit);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('app ran');
    expect(run.stderr).toBe('');
  });
});
