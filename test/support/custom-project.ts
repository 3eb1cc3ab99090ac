import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { execa } from 'execa';
import { EXAMPLE, VENV_BIN } from './paths.js';

export interface CustomProject {
  dir: string;
  alembicConfig: string;
  /** Runs the venv's real alembic on this project, e.g. ['upgrade', '+1']; throws with its output when it fails. */
  alembic: (args: string[], databaseUrl: string) => Promise<string>;
}

export interface CustomOptions {
  /** Extra keyword arguments for env.py's online context.configure(...), e.g. 'version_table="my_version"'. */
  configure?: string;
  /** Files to write, relative to the project (e.g. 'alembic/versions/0005_x.py'). */
  files?: Record<string, string>;
  /** Turns the ini's script_location into pyproject.toml's [tool.alembic] with this body. */
  pyproject?: string;
}

/** Copies of the example changed beyond extra revisions (env.py, pyproject.toml); removed after each test. */
export function customProjects(): (options: CustomOptions) => Promise<CustomProject> {
  const removals: string[] = [];
  afterEach(async () => {
    for (const dir of removals.splice(0)) await rm(dir, { recursive: true, force: true });
  });
  return async (options) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bs-custom-'));
    removals.push(dir);
    await cp(EXAMPLE, dir, { recursive: true, filter: (source) => !source.includes('__pycache__') });
    if (options.configure) {
      const envPy = path.join(dir, 'alembic/env.py');
      const text = await readFile(envPy, 'utf8');
      const changed = text.replace('transaction_per_migration=False,', `transaction_per_migration=False,\n            ${options.configure},`);
      if (changed === text) throw new Error('examples/backend/alembic/env.py changed: cannot add context.configure() arguments');
      await writeFile(envPy, changed);
    }
    if (options.pyproject !== undefined) {
      const ini = path.join(dir, 'alembic.ini');
      const text = await readFile(ini, 'utf8');
      await writeFile(ini, text.replace(/^script_location = .*$/m, '').replace(/^prepend_sys_path = .*$/m, ''));
      await writeFile(path.join(dir, 'pyproject.toml'), options.pyproject);
    }
    for (const [file, source] of Object.entries(options.files ?? {})) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), source);
    }
    const alembicConfig = path.join(dir, 'alembic.ini');
    const alembic = async (args: string[], databaseUrl: string) => {
      const result = await execa(path.join(VENV_BIN, 'alembic'), ['-c', alembicConfig, ...args], { cwd: dir, env: { DATABASE_URL: databaseUrl }, reject: false, all: true });
      if (result.exitCode !== 0) throw new Error(`alembic ${args.join(' ')} failed:\n${result.all}`);
      return String(result.all);
    };
    return { dir, alembicConfig, alembic };
  };
}

/** A revision file in the template's shape, with the given upgrade/downgrade bodies. */
export function revisionSource(id: string, parent: string, upgrade: string[], downgrade: string[] = ['pass']): string {
  const body = (lines: string[]) => lines.map((line) => `    ${line}`).join('\n');
  return `"""revision ${id}"""
from alembic import op
import sqlalchemy as sa

revision = "${id}"
down_revision = "${parent}"
branch_labels = None
depends_on = None


def upgrade() -> None:
${body(upgrade)}


def downgrade() -> None:
${body(downgrade)}
`;
}
