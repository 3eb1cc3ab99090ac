import { describe, expect, it } from 'vitest';
import { customProjects } from '../support/custom-project.js';
import { eventsNamed, expectNoPassword } from '../support/expect.js';
import { perTest } from '../support/per-test.js';
import { versionsOf } from '../support/postgres.js';
import { HEAD } from '../support/project.js';
import { runSupervisor } from '../support/supervisor.js';

const db = perTest();
const project = customProjects();

// As `alembic init -t pyproject` writes it (alembic >= 1.16): the ini keeps logging, TOML the rest.
const TEMPLATE = `[tool.alembic]
# path to migration scripts
script_location = "%(here)s/alembic"
prepend_sys_path = [
    "."
]
`;

describe('pyproject.toml [tool.alembic]', () => {
  it.each([
    ['alembic.ini', 'alembic.ini'],
    ['pyproject.toml', 'pyproject.toml'],
  ])('ALEMBIC_CONFIG=%s: the scripts are read without Python, and at head nothing runs', async (_name, file) => {
    const { dir } = await project({ pyproject: TEMPLATE });
    const env = { DATABASE_URL: db.url, ALEMBIC_CONFIG: `${dir}/${file}` };
    const run = await runSupervisor(['migrate'], { env, cwd: dir });
    expectNoPassword(run);
    expect(run.exitCode).toBe(0);
    expect(eventsNamed(run, 'scripts')).toEqual([expect.objectContaining({ level: 'info', source: 'files', revisions: 4, heads: [HEAD] })]);
    expect(await versionsOf(db.url)).toEqual([HEAD]);
    const again = await runSupervisor(['migrate'], { env, cwd: dir });
    expect(again.exitCode).toBe(0);
    expect(eventsNamed(again, 'alembic')).toEqual([]);
    expect(eventsNamed(again, 'scripts')).toEqual([expect.objectContaining({ level: 'info', source: 'files' })]);
  });

  it('version_locations as a TOML list, with %(here)s', async () => {
    const { dir } = await project({
      pyproject: `${TEMPLATE}version_locations = ["%(here)s/alembic/versions", "%(here)s/more_versions"]\n`,
      files: {
        'more_versions/0005_more.py': `"""one more\n\nRevision ID: 5a5a5a5a5a5a\n"""\nrevision = "5a5a5a5a5a5a"\ndown_revision = "${HEAD}"\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n`,
      },
    });
    const run = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: `${dir}/alembic.ini` }, cwd: dir });
    expect(run.exitCode).toBe(0);
    expect(eventsNamed(run, 'scripts')).toEqual([expect.objectContaining({ level: 'info', source: 'files', revisions: 5, heads: ['5a5a5a5a5a5a'] })]);
    expect(await versionsOf(db.url)).toEqual(['5a5a5a5a5a5a']);
  });
});
