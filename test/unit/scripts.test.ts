import { describe, expect, it } from 'vitest';
import { parseHistory } from '../../src/migrations/alembic-history.js';
import { scriptLocations } from '../../src/migrations/alembic-ini.js';

/** An ini file alone, no pyproject.toml. */
function parseAlembicIni(text: string, iniPath: string, cwd: string) {
  return scriptLocations({ path: iniPath, text }, { path: `${cwd}/pyproject.toml`, text: undefined }, cwd);
}
import { parseRevisionFile } from '../../src/migrations/revision-file.js';

describe('parseRevisionFile', () => {
  it('reads the typed header style', () => {
    const source = 'revision: str = "e9d05b3a2c04"\ndown_revision: Union[str, Sequence[str], None] = "c47a1e9d5b03"\n';
    expect(parseRevisionFile(source, 'x.py')).toEqual({ revision: 'e9d05b3a2c04', downRevisions: ['c47a1e9d5b03'], branchLabels: [], dependsOn: [] });
  });

  it('reads the classic style and a first revision', () => {
    expect(parseRevisionFile("revision = 'a1'\ndown_revision = None\n", 'x.py')).toEqual({ revision: 'a1', downRevisions: [], branchLabels: [], dependsOn: [] });
  });

  it('reads a merge revision, on one line or several', () => {
    expect(parseRevisionFile("revision = 'm'\ndown_revision = ('a', 'b')\n", 'x.py')?.downRevisions).toEqual(['a', 'b']);
    expect(parseRevisionFile("revision = 'm'\ndown_revision = (\n    'a',  # left\n    \"b\",\n)\n", 'x.py')?.downRevisions).toEqual(['a', 'b']);
  });

  it('is not confused by revision ids in the docstring', () => {
    const source = '"""msg\n\nRevision ID: zzz\nRevises: yyy\n"""\nrevision = "b2"\ndown_revision = "a1"\n';
    expect(parseRevisionFile(source, 'x.py')).toEqual({ revision: 'b2', downRevisions: ['a1'], branchLabels: [], dependsOn: [], message: 'msg' });
  });

  it('returns null for a file that is not a revision', () => {
    expect(parseRevisionFile('import os\n', '__init__.py')).toBeNull();
  });

  it('fails on a down_revision it cannot read', () => {
    expect(() => parseRevisionFile('revision = "b2"\ndown_revision = compute()\n', 'x.py')).toThrow(/x.py: cannot read down_revision/);
  });
});

describe('parseAlembicIni', () => {
  it('resolves %(here)s against the ini file', () => {
    const ini = '[alembic]\nscript_location = %(here)s/alembic\n';
    expect(parseAlembicIni(ini, '/app/alembic.ini', '/elsewhere')).toEqual({ versionDirectories: ['/app/alembic/versions'], recursive: false });
  });

  it('resolves a relative script_location against the working directory, as alembic does', () => {
    expect(parseAlembicIni('[alembic]\nscript_location = migrations\n', '/cfg/alembic.ini', '/app').versionDirectories).toEqual(['/app/migrations/versions']);
  });

  it('reads version_locations with their separator, and the recursive flag', () => {
    const ini = '[alembic]\nscript_location = db\nversion_locations = %(here)s/a; %(here)s/b\npath_separator = ;\nrecursive_version_locations = true\n[other]\nscript_location = no\n';
    expect(parseAlembicIni(ini, '/app/alembic.ini', '/')).toEqual({ versionDirectories: ['/app/a', '/app/b'], recursive: true });
  });

  it('needs a script_location', () => {
    expect(() => parseAlembicIni('[alembic]\n', '/app/alembic.ini', '/')).toThrow(/no script_location/);
  });
});

describe('parseHistory', () => {
  it('reads `alembic history --verbose`: a linear history, a branch point, a merge, files and messages', () => {
    const lines = [
      'Rev: m4 (head) (mergepoint)',
      'Merges: b2, x9',
      'Branch names: lab',
      'Path: /app/versions/m4.py',
      '    merge',
      'Rev: x9',
      'Parent: a1',
      'Also depends on: b2',
      'Path: /app/versions/x9.py',
      'Rev: b2',
      'Parent: a1',
      'Path: /app/versions/b2.py',
      '    second -> not a revision line',
      '      Rev: zz',
      '    Parent: qq',
      'Rev: a1 (branchpoint)',
      'Parent: <base>',
      'Branches into: x9, b2',
      'Path: /app/versions/a1.py',
      '    first one',
      '    Revision ID: a1',
    ];
    expect(parseHistory(lines)).toEqual(
      new Map([
        ['m4', { parents: ['b2', 'x9'], file: '/app/versions/m4.py', message: 'merge' }],
        ['x9', { parents: ['a1'], file: '/app/versions/x9.py' }],
        ['b2', { parents: ['a1'], file: '/app/versions/b2.py', message: 'second -> not a revision line' }],
        ['a1', { parents: [], file: '/app/versions/a1.py', message: 'first one' }],
      ]),
    );
  });
});
