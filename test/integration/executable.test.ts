import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { codeCacheReporter } from '../support/code-cache.js';
import { alembicLines, eventsNamed, expectNoPassword } from '../support/expect.js';
import { singleExecutableDir } from '../support/executable.js';
import { VENV_BIN, EXAMPLE } from '../support/paths.js';
import { perTest } from '../support/per-test.js';
import { versionsOf } from '../support/postgres.js';
import { HEAD } from '../support/project.js';
import { asRun } from '../support/supervisor.js';

const db = perTest();
let dir = '';

beforeAll(async () => {
  dir = await singleExecutableDir();
}, 180_000);

describe('the single executable, called by name from PATH as the image calls it', () => {
  it('migrates with the real alembic (its launcher starts alembic, not another supervisor)', async () => {
    const result = asRun(
      await execa('backend-supervisor', ['migrate'], {
        cwd: EXAMPLE,
        env: { PATH: `${dir}${path.delimiter}${VENV_BIN}${path.delimiter}${process.env.PATH}`, DATABASE_URL: db.url, MIGRATION_LOCK_TIMEOUT: '5', DB_WAIT_TIMEOUT: '10' },
        extendEnv: false,
        reject: false,
        timeout: 60_000,
      }),
    );
    expectNoPassword(result);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(alembicLines(result).filter((line) => line.includes('Running upgrade'))).toHaveLength(4);
    expect(alembicLines(result).filter((line) => line.includes('backend-supervisor'))).toEqual([]);
    expect(eventsNamed(result, 'verify')[0]).toMatchObject({ level: 'info' });
    expect(await versionsOf(db.url)).toEqual([HEAD]);
  });

  it('compiles its bundle with the code cache of the build, both assets of its blob: V8 accepts it', async () => {
    const run = await execa(path.join(dir, 'backend-supervisor'), ['--', 'true'], {
      env: { PATH: process.env.PATH, RUN_MIGRATIONS: 'false', NODE_OPTIONS: `--require ${codeCacheReporter()}` },
      extendEnv: false,
      reject: false,
    });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('code cache rejected=false');
  });
});
