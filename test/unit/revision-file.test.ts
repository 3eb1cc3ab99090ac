import { describe, expect, it } from 'vitest';
import { configFiles, scriptLocations } from '../../src/migrations/alembic-ini.js';
import { parseRevisionFile } from '../../src/migrations/revision-file.js';
import { chooseVersionTable } from '../../src/db/inspect.js';

const read = (source: string) => parseRevisionFile(source, '/v/x.py');

describe('parseRevisionFile: every literal style alembic users write', () => {
  it.each([
    ["revision = u'1a2b'", '1a2b'],
    ['revision = U"1a2b"', '1a2b'],
    ["revision = r'1a2b'", '1a2b'],
    ["revision = '''1a2b'''", '1a2b'],
    ['revision = """1a2b"""', '1a2b'],
    ['revision: str = "1a2b"', '1a2b'],
    ['revision = ("1a2b")', '1a2b'],
    ["revision = '1a2b'  # revision = 'nope'", '1a2b'],
    ["revision = 'zz'; revision = '1a2b'", '1a2b'],
  ])('%s', (line, id) => {
    expect(read(`${line}\ndown_revision = None\n`)?.revision).toBe(id);
  });

  it('down_revision, depends_on and branch_labels: None, strings, tuples, lists, Union annotations', () => {
    const source = `revision = 'm'
down_revision: Union[str, Sequence[str], None] = [
    u'a',  # left
    r"b",
]
branch_labels: Union[str, Sequence[str], None] = ('lbl',)
depends_on = 'x'
`;
    expect(read(source)).toEqual({ revision: 'm', downRevisions: ['a', 'b'], branchLabels: ['lbl'], dependsOn: ['x'] });
    expect(read("revision = 'm'\ndown_revision = ('a',)\n")?.downRevisions).toEqual(['a']);
    expect(read("revision = 'm'\ndown_revision = ()\n")?.downRevisions).toEqual([]);
  });

  it('docstrings and comments that quote other ids, and locals in functions, are not the identifiers', () => {
    const source = `# revision = 'c1'
"""add things

revision = 'c2'
down_revision = 'c3'
"""
revision = "b2"
down_revision = "a1"


def upgrade():
    revision = "local"
    op.execute("down_revision = 'c4'")


class Helper:
    depends_on = "ignored"
`;
    expect(read(source)).toEqual({ revision: 'b2', downRevisions: ['a1'], branchLabels: [], dependsOn: [], message: 'add things' });
  });

  it("the message is the docstring's first line, as alembic history shows it", () => {
    expect(read('"""\n   first line\nsecond\n"""\nrevision = "a"\ndown_revision = None\n')?.message).toBe('first line');
    expect(read("r'''raw \\n stays'''\nrevision = 'a'\ndown_revision = None\n")?.message).toBe('raw \\n stays');
    expect(read('"tab\\there"\nrevision = "a"\ndown_revision = None\n')?.message).toBe('tab\there');
    expect(read('import os\n"""not a docstring"""\nrevision = "a"\ndown_revision = None\n')?.message).toBeUndefined();
  });

  it.each([
    ['down_revision = PARENT', /cannot read down_revision = PARENT/],
    ['down_revision = "a" + "b"', /cannot read down_revision = 'a' \+ 'b'/],
    ['down_revision = "a" "b"', /cannot read down_revision/],
    ['down_revision = f"{x}"', /cannot read down_revision/],
    ["down_revision = b'a'", /cannot read down_revision/],
    ['down_revision = (("a", "b"),)', /cannot read down_revision/],
    ['down_revision = "a\\x41"', /cannot read down_revision/],
    ['down_revision = ""', /cannot read down_revision/],
    ['if True:\n    down_revision = "a"', /inside a block/],
    ['down_revision = None\nif x:\n    down_revision = "a"', /inside a block/],
    ['down_revision = None\nrevision += "x"', /other than a plain assignment uses revision/],
    ['down_revision = None\nfrom elsewhere import depends_on', /other than a plain assignment uses depends_on/],
    ['down_revision = None\ndef f():\n    global revision\n    revision = "z"', /global/],
    ['down_revision = revision = "a"', /in a chain/],
  ])('declines, naming the file: %s', (lines, error) => {
    expect(() => read(`revision = "r1"\n${lines}\n`)).toThrow(error);
    expect(() => read(`revision = "r1"\n${lines}\n`)).toThrow(/^\/v\/x\.py: /);
  });

  // Function bodies are skipped without tokens when no watched word occurs in the line: the skip must end
  // exactly where the tokenizer's logical line ends, or what follows would be misread.
  it.each([
    ['a multi-line string in a body', 'def f():\n    x = """\nnot at top\n"""\n'],
    ['brackets across lines, at column 0 inside them', 'def f():\n    x = (\n1,\n[2, {3: 4}],\n)\n'],
    ['a comment with quotes and brackets', "def f():\n    x = 1  # it's \"quoted (\n"],
    ['a backslash continuation', 'def f():\n    x = 1 + \\\n2\n'],
    ['strings holding brackets and quotes', "def f():\n    x = '(' + \"[\" + '''{'''\n"],
    ['a CRLF file', 'def f():\r\n    x = (\r\n1)\r\n'],
  ])('a body with %s is skipped up to its end', (_, body) => {
    const crlf = body.includes('\r\n');
    const header = crlf ? 'revision = "real"\r\ndown_revision = None\r\n' : 'revision = "real"\ndown_revision = None\n';
    expect(read(`${body}${header}`)).toMatchObject({ revision: 'real', downRevisions: [] });
    expect(read(`revision = "real"\n${body}down_revision = "p"\n`)).toMatchObject({ revision: 'real', downRevisions: ['p'] });
  });

  it('a body line that may bind an identifier is read whole; a broken one gets the tokenizer\'s error', () => {
    expect(() => read('revision = "r"\ndown_revision = None\nif x:\n    f(\n  down_revision)\n')).toThrow(/inside a block/);
    expect(() => read('revision = "r"\ndown_revision = None\ndef f():\n    x = (1,\n')).toThrow(/unbalanced brackets/);
    expect(() => read('revision = "r"\ndown_revision = None\ndef f():\n    x = "open\n')).toThrow(/not closed on its line/);
    expect(read('revision = \\\n    "continued"\ndown_revision = None\n')?.revision).toBe('continued');
  });

  it('string literals end at their own closing quote: escaped quotes, quotes of the other kind, short runs inside a triple quote; unclosed ones are errors', () => {
    expect(read('"""doc ""\\" x"""\nrevision = "ab"\ndown_revision = \'c\'\n')).toMatchObject({ revision: 'ab', downRevisions: ['c'], message: 'doc """ x' });
    expect(read("'''it''s'''\nrevision = 'r'\ndown_revision = None\n")).toMatchObject({ revision: 'r', message: "it''s" });
    expect(read('revision = "it\'s"\ndown_revision = None\n')).toMatchObject({ revision: "it's" });
    // A backslash as the very last character must end the scan, not start it again.
    expect(() => read('revision = "abc\\')).toThrow(/never closed/);
    expect(() => read('revision = """abc\\')).toThrow(/never closed/);
    expect(() => read('revision = "abc\ndown_revision = None')).toThrow(/not closed on its line/);
  });

  it('a file without down_revision, or revising itself, is declined; one without revision is not a revision', () => {
    expect(() => read('revision = "a"\n')).toThrow(/no down_revision/);
    expect(() => read('revision = "a"\ndown_revision = "a"\n')).toThrow(/revises itself/);
    expect(read('"""revision = \'a\'"""\nx = 1\n')).toBeNull();
  });
});

describe('scriptLocations: alembic.ini and pyproject.toml as alembic reads them', () => {
  const none = (file: string) => ({ path: file, text: undefined });
  it('picks the files the way `alembic -c` does', () => {
    expect(configFiles('/app/pyproject.toml', '/work')).toEqual({ ini: '/work/alembic.ini', toml: '/app/pyproject.toml' });
    expect(configFiles('/app/alembic.ini', '/work')).toEqual({ ini: '/app/alembic.ini', toml: '/work/pyproject.toml' });
  });

  it('reads [tool.alembic] when the ini has no script_location, %(here)s being the TOML file', () => {
    const toml = { path: '/app/pyproject.toml', text: '[tool.alembic]\nscript_location = "%(here)s/migrations"\n' };
    expect(scriptLocations({ path: '/app/alembic.ini', text: '[alembic]\nsqlalchemy.url = x\n' }, toml, '/')).toEqual({ versionDirectories: ['/app/migrations/versions'], recursive: false });
    expect(scriptLocations(none('/app/alembic.ini'), toml, '/')).toEqual({ versionDirectories: ['/app/migrations/versions'], recursive: false });
  });

  it('the ini wins option by option, as alembic asks the ini first', () => {
    const toml = { path: '/t/pyproject.toml', text: '[tool.alembic]\nscript_location = "toml"\nversion_locations = ["a", "%(here)s/b"]\nrecursive_version_locations = true\n' };
    expect(scriptLocations({ path: '/i/alembic.ini', text: '[alembic]\nscript_location = ini\n' }, toml, '/cwd')).toEqual({ versionDirectories: ['/cwd/a', '/t/b'], recursive: true });
    expect(scriptLocations({ path: '/i/alembic.ini', text: '[alembic]\nversion_locations = x y\n' }, toml, '/cwd').versionDirectories).toEqual(['/cwd/x', '/cwd/y']);
  });

  it('declines what alembic would reject or what needs Python', () => {
    const toml = (body: string) => ({ path: '/t/pyproject.toml', text: `[tool.alembic]\n${body}\n` });
    expect(() => scriptLocations(none('/i/alembic.ini'), toml('script_location = "x"\nrecursive_version_locations = "true"'), '/')).toThrow(/recursive_version_locations is not a boolean/);
    expect(() => scriptLocations(none('/i/alembic.ini'), toml('script_location = "x"\nsourceless = true'), '/')).toThrow(/sourceless/);
    expect(() => scriptLocations(none('/i/alembic.ini'), toml('script_location = "%(root)s/x"'), '/')).toThrow(/substitution other than %\(here\)s/);
    expect(() => scriptLocations(none('/i/alembic.ini'), toml('script_location = "myapp:migrations"'), '/')).toThrow(/names a Python package/);
    expect(() => scriptLocations(none('/i/alembic.ini'), toml('script_location = ['), '/')).toThrow(/not valid TOML/);
    expect(() => scriptLocations(none('/i/alembic.ini'), toml('version_locations = ["a"]'), '/')).toThrow(/no script_location/);
  });

  it('an ini flag counts only when it is exactly "true", as alembic compares it', () => {
    expect(scriptLocations({ path: '/i/alembic.ini', text: '[alembic]\nscript_location = s\nrecursive_version_locations = True\n' }, none('/t/pyproject.toml'), '/').recursive).toBe(false);
  });
});

describe('chooseVersionTable', () => {
  const table = (schema: string, name: string, visible = false) => ({ schema, table: name, visible });
  it('ALEMBIC_VERSION_TABLE decides alone', () => {
    expect(chooseVersionTable([table('a', 'x')], { table: 'v' }, undefined)).toEqual({ table: undefined, source: undefined, ambiguous: false });
    expect(chooseVersionTable([], { table: 'v' }, { schema: 'public', table: 'v' })).toEqual({ table: { schema: 'public', table: 'v' }, source: 'configured', ambiguous: false });
  });

  it('alembic_version on the search path first, else the only candidate, else ambiguous', () => {
    expect(chooseVersionTable([table('a', 'my'), table('public', 'alembic_version', true)], undefined, undefined)).toMatchObject({ table: { schema: 'public' }, source: 'default' });
    expect(chooseVersionTable([table('other', 'alembic_version', false)], undefined, undefined)).toMatchObject({ table: { schema: 'other' }, source: 'discovered' });
    expect(chooseVersionTable([table('a', 'x'), table('b', 'alembic_version')], undefined, undefined)).toEqual({ table: undefined, source: undefined, ambiguous: true });
    expect(chooseVersionTable([], undefined, undefined)).toEqual({ table: undefined, source: undefined, ambiguous: false });
  });
});
