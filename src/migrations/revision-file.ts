/**
 * Reads a revision's identifiers out of an Alembic script's source, without Python. Alembic
 * executes the file; this reads it, so it accepts only what it can read exactly: module-level
 * assignments of literals (strings with u/r prefixes and any quotes, None, tuples and lists of
 * strings, with or without annotations). Anything else throws, naming the file, so the caller
 * asks alembic instead of guessing.
 */

export interface RevisionHeader {
  revision: string;
  downRevisions: string[];
  branchLabels: string[];
  dependsOn: string[];
  /** The first line of the module docstring, as `alembic history` shows it. */
  message?: string;
}

type Token =
  | { kind: 'name'; text: string }
  | { kind: 'string'; prefix: string; body: string }
  | { kind: 'op'; text: string }
  | { kind: 'number' };

interface LogicalLine {
  indented: boolean;
  tokens: Token[];
}

const WATCHED = new Set(['revision', 'down_revision', 'branch_labels', 'depends_on']);
const BLOCK_KEYWORDS = new Set(['if', 'elif', 'else', 'for', 'while', 'try', 'except', 'finally', 'with', 'match', 'case']);
const SCOPE_KEYWORDS = new Set(['def', 'class', 'async', 'lambda']);

/** null for a Python file that assigns no `revision` at module level. */
export function parseRevisionFile(source: string, file: string): RevisionHeader | null {
  const fail = (why: string): never => {
    throw new Error(`${file}: ${why}`);
  };
  const lines = logicalLines(source, fail);
  const values = new Map<string, Literal>();
  // Indented lines belong to the last top-level statement: a function or class body binds locals,
  // an if/try/with body runs at module level, where it could bind the identifiers.
  let body: 'scope' | 'module' = 'scope';
  for (const line of lines) {
    if (line.indented) {
      if (mentionsWatched(line.tokens, body === 'scope')) fail(`the revision identifiers are set inside a block or through \`global\`; alembic must read them`);
      continue;
    }
    const first = line.tokens[0];
    if (first?.kind === 'op' && first.text === '@') {
      body = 'scope';
      continue;
    }
    if (first?.kind === 'name' && (SCOPE_KEYWORDS.has(first.text) || BLOCK_KEYWORDS.has(first.text))) {
      body = SCOPE_KEYWORDS.has(first.text) ? 'scope' : 'module';
      if (body === 'module' && mentionsWatched(line.tokens, false)) fail(`the revision identifiers are set inside a block (${first.text} ...); alembic must read them`);
      continue;
    }
    body = 'scope';
    for (const statement of splitStatements(line.tokens)) {
      const assignment = watchedAssignment(statement, fail);
      if (assignment) values.set(assignment.name, assignment.value);
      else if (mentionsWatched(statement, false)) fail(`a statement other than a plain assignment uses ${watchedIn(statement)}; alembic must read it`);
    }
  }
  const revision = values.get('revision');
  if (revision === undefined) return null;
  if (typeof revision !== 'string') fail(`revision is not a string`);
  const downRevision = values.get('down_revision');
  if (downRevision === undefined) fail(`revision ${String(revision)} has no down_revision`);
  const downRevisions = asTuple(downRevision as Literal);
  if (downRevisions.includes(revision as string)) fail(`revision ${String(revision)} revises itself`);
  const message = docstringFirstLine(lines[0]);
  return {
    revision: revision as string,
    downRevisions,
    branchLabels: asTuple(values.get('branch_labels') ?? null),
    dependsOn: asTuple(values.get('depends_on') ?? null),
    ...(message === undefined ? {} : { message }),
  };
}

/** None, a string, or a flat tuple/list of strings. */
type Literal = null | string | string[];

function asTuple(value: Literal): string[] {
  if (value === null) return [];
  return typeof value === 'string' ? [value] : value;
}

function watchedAssignment(tokens: Token[], fail: (why: string) => never): { name: string; value: Literal } | undefined {
  const [name, next] = tokens;
  if (name?.kind !== 'name' || !WATCHED.has(name.text) || next?.kind !== 'op' || (next.text !== '=' && next.text !== ':')) return undefined;
  // `name: annotation = value`: the annotation runs to the first top-level `=`.
  const equals = tokens.findIndex((token, index) => index > 0 && token.kind === 'op' && token.text === '=');
  // `revision: str` alone binds nothing, so Python (and alembic) would not see a value here.
  if (equals < 0) return next.text === ':' ? fail(`${name.text} is annotated but never assigned`) : undefined;
  const value = tokens.slice(equals + 1);
  if (value.some((token) => token.kind === 'op' && token.text === '=')) fail(`${name.text} is assigned in a chain; alembic must read it`);
  return { name: name.text, value: readLiteral(value, name.text, fail) };
}

function readLiteral(tokens: Token[], name: string, fail: (why: string) => never): Literal {
  const cannot = (): never => fail(`cannot read ${name} = ${tokens.map(show).join(' ')} without running Python (only literal strings, None, tuples and lists of strings can be read)`);
  if (tokens.length === 1 && tokens[0]?.kind === 'name' && tokens[0].text === 'None') return null;
  if (tokens.length === 1 && tokens[0]?.kind === 'string') return stringValue(tokens[0], cannot);
  const open = tokens[0];
  const close = tokens.at(-1);
  if (open?.kind !== 'op' || close?.kind !== 'op' || !((open.text === '(' && close.text === ')') || (open.text === '[' && close.text === ']'))) return cannot();
  const inner = tokens.slice(1, -1);
  const items: string[] = [];
  let trailingComma = false;
  for (let index = 0; index < inner.length; index += 1) {
    const token = inner[index] as Token;
    if (token.kind !== 'string') return cannot();
    items.push(stringValue(token, cannot));
    const separator = inner[index + 1];
    trailingComma = separator !== undefined;
    if (separator === undefined) break;
    if (separator.kind !== 'op' || separator.text !== ',') return cannot();
    index += 1;
  }
  // `("abc")` is a parenthesised string, `("abc",)` a tuple.
  if (open.text === '(' && items.length === 1 && !trailingComma) return items[0] as string;
  return items;
}

function stringValue(token: Extract<Token, { kind: 'string' }>, cannot: () => never): string {
  // Bytes, f- and t-strings are not plain strings; a backslash would need Python's escape rules.
  if (!/^[uUrR]?$/.test(token.prefix) || token.body.includes('\\') || token.body === '') return cannot();
  return token.body;
}

function show(token: Token): string {
  if (token.kind === 'name' || token.kind === 'op') return token.text;
  if (token.kind === 'string') return `${token.prefix}'${token.body}'`;
  return '<number>';
}

function mentionsWatched(tokens: Token[], onlyGlobal: boolean): boolean {
  if (onlyGlobal) return tokens[0]?.kind === 'name' && tokens[0].text === 'global' && watchedIn(tokens) !== undefined;
  return watchedIn(tokens) !== undefined;
}

/** A watched identifier used as a module-level name (not an attribute like `context.revision`). */
function watchedIn(tokens: Token[]): string | undefined {
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index] as Token;
    const before = tokens[index - 1];
    if (token.kind === 'name' && WATCHED.has(token.text) && !(before?.kind === 'op' && before.text === '.')) return token.text;
  }
  return undefined;
}

function splitStatements(tokens: Token[]): Token[][] {
  if (!tokens.some(isSemicolon)) return [tokens];
  const statements: Token[][] = [[]];
  for (const token of tokens) {
    if (isSemicolon(token)) statements.push([]);
    else statements.at(-1)?.push(token);
  }
  return statements.filter((statement) => statement.length > 0);
}

function isSemicolon(token: Token): boolean {
  return token.kind === 'op' && token.text === ';';
}

/** The module docstring's first line, if the file starts with one (plain or raw string literals only). */
function docstringFirstLine(line: LogicalLine | undefined): string | undefined {
  if (!line || line.indented || line.tokens.length === 0 || !line.tokens.every((token) => token.kind === 'string' && /^[uUrR]?$/.test(token.prefix))) return undefined;
  const text = (line.tokens as Array<Extract<Token, { kind: 'string' }>>).map((token) => (/r/i.test(token.prefix) ? token.body : unescape(token.body))).join('');
  const first = text.trim().split(/\r\n|\r|\n/)[0];
  return first === undefined || first === '' ? undefined : first;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };

/** Python's escapes in a non-raw string, for messages only (ids never contain backslashes). */
function unescape(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|[\s\S])/g, (whole, escape: string) => {
    if (/^[xuU]/.test(escape) && escape.length > 1) return String.fromCodePoint(Number.parseInt(escape.slice(1), 16));
    if (/^[0-7]+$/.test(escape)) return String.fromCodePoint(Number.parseInt(escape, 8));
    return ESCAPES[escape] ?? whole;
  });
}

// Python's operators of two or three characters; every other operator is one character.
const MULTI_CHAR_OPERATOR = /\*\*=|\/\/=|>>=|<<=|\.\.\.|->|:=|[=!<>+\-*\/%&|^@]=|\*\*|\/\/|<<|>>/y;
const MULTI_CHAR_START = new Set([...'*/><.-:=!+%&|^@'].map((char) => char.charCodeAt(0)));
const STRING_PREFIX = /^(?:[rRuUbBfFtT]|[bB][rR]|[rR][bB]|[fF][rR]|[rR][fF]|[tT][rR]|[rR][tT])$/;

/** Python's tokenizer, as far as needed: logical lines of names, strings, operators. */
function logicalLines(source: string, fail: (why: string) => never): LogicalLine[] {
  const lines: LogicalLine[] = [];
  let tokens: Token[] = [];
  let indented = false;
  let depth = 0;
  let atLineStart = true;
  let index = 0;
  const endLine = () => {
    if (tokens.length > 0) lines.push({ indented, tokens });
    tokens = [];
    atLineStart = true;
  };
  const push = (token: Token, start: number) => {
    if (atLineStart) {
      const lineStart = source.lastIndexOf('\n', start - 1) + 1;
      indented = start > lineStart;
      atLineStart = false;
    }
    tokens.push(token);
  };
  while (index < source.length) {
    const code = source.charCodeAt(index);
    const skipped = atLineStart && (code === 32 || code === 9) ? endOfUneventfulLine(source, index) : -1;
    if (skipped >= 0) {
      index = skipped;
    } else if (code === NEWLINE) {
      if (depth === 0) endLine();
      index += 1;
    } else if (code === HASH) {
      index = endOfComment(source, index);
    } else if (code === BACKSLASH && continuationLength(source, index) > 0) {
      index += continuationLength(source, index);
    } else if (code === 32 || code === 9 || code === 13 || code === 12 || code === 11 || (code > 0x7f && SPACE.test(source[index] as string))) {
      index += 1;
    } else if (isNameStart(code)) {
      let end = index + 1;
      while (end < source.length && isNamePart(source.charCodeAt(end))) end += 1;
      const name = source.slice(index, end);
      const quote = source.charCodeAt(end);
      if ((quote === DOUBLE_QUOTE || quote === SINGLE_QUOTE) && STRING_PREFIX.test(name)) {
        const scanned = scanString(source, end, fail);
        push({ kind: 'string', prefix: name, body: scanned.body }, index);
        index = scanned.end;
      } else {
        push({ kind: 'name', text: name }, index);
        index = end;
      }
    } else if (code === DOUBLE_QUOTE || code === SINGLE_QUOTE) {
      const { body, end } = scanString(source, index, fail);
      push({ kind: 'string', prefix: '', body }, index);
      index = end;
    } else if (isDigit(code) || (code === DOT && isDigit(source.charCodeAt(index + 1)))) {
      push({ kind: 'number' }, index);
      index += match(NUMBER, source, index)?.length ?? 1;
    } else {
      const operator = (MULTI_CHAR_START.has(code) ? match(MULTI_CHAR_OPERATOR, source, index) : undefined) ?? (source[index] as string);
      depth = depthAfter(code, depth);
      push({ kind: 'op', text: operator }, index);
      index += operator.length;
    }
  }
  if (depth > 0) fail('unbalanced brackets');
  endLine();
  return lines;
}

// The scan works on character codes (a cold parse runs in V8's baseline tiers, where a regular
// expression or a one-character string per character was most of the time); the rare multi-character
// cases use sticky patterns, matched where the scan stands without copying the rest of the file.
const NEWLINE = 10;
const HASH = 35;
const BACKSLASH = 92;
const DOUBLE_QUOTE = 34;
const SINGLE_QUOTE = 39;
const DOT = 46;
const SPACE = /\s/;
const NUMBER = /[\w.]+/y;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** [A-Za-z_] or any character beyond ASCII (Python allows most of them in names; non-ASCII spaces are tested first). */
function isNameStart(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code >= 0x80;
}

function isNamePart(code: number): boolean {
  return isNameStart(code) || isDigit(code);
}

// What a run of ordinary characters cannot contain: the start of a string or a comment, a line's end
// or continuation, a bracket.
const ORDINARY = /[^'"#\\\n()[\]{}]*/y;
const WATCHED_WORD = /\b(?:revision|down_revision|branch_labels|depends_on)\b/;

/**
 * Where an indented logical line that `start` begins ends (past its newline), when none of its words
 * is a watched identifier; else -1. Such a line cannot bind the revision identifiers, and function
 * bodies (most of a revision file) are made of them, so they are skipped with patterns, which run
 * as native code, and no tokens. Conservative: a watched word anywhere in the line, even in a string
 * or a comment, or anything unusual (an unclosed string), leaves the line to the tokenizer.
 */
function endOfUneventfulLine(source: string, start: number): number {
  let depth = 0;
  let index = start;
  for (;;) {
    ORDINARY.lastIndex = index;
    ORDINARY.test(source);
    index = ORDINARY.lastIndex;
    if (index >= source.length) {
      // Unbalanced brackets at the end: the tokenizer says so.
      if (depth > 0) return -1;
      break;
    }
    const code = source.charCodeAt(index);
    if (code === NEWLINE && depth === 0) break;
    if (code === NEWLINE) {
      index += 1;
    } else if (code === HASH) {
      index = endOfComment(source, index);
    } else if (code === BACKSLASH) {
      const length = continuationLength(source, index);
      if (length === 0) return -1;
      index += length;
    } else if (code === DOUBLE_QUOTE || code === SINGLE_QUOTE) {
      try {
        index = scanString(source, index, (why) => {
          throw new Error(why);
        }).end;
      } catch {
        return -1;
      }
    } else {
      depth = depthAfter(code, depth);
      index += 1;
    }
  }
  return WATCHED_WORD.test(source.slice(start, index)) ? -1 : Math.min(index + 1, source.length);
}

/** Where a comment that starts at `index` ends: at its line's newline (not past it), or the end. */
function endOfComment(source: string, index: number): number {
  const end = source.indexOf('\n', index);
  return end < 0 ? source.length : end;
}

/** How long the line continuation at `index` is (a backslash, then LF or CRLF): 0 when it is none. */
function continuationLength(source: string, index: number): number {
  if (source.charCodeAt(index + 1) === NEWLINE) return 2;
  return source.startsWith('\r\n', index + 1) ? 3 : 0;
}

/** The bracket depth after the character `code`: opening brackets deepen it, closing ones (never below 0) undo that. */
function depthAfter(code: number, depth: number): number {
  if (code === 40 || code === 91 || code === 123) return depth + 1; // ( [ {
  if (code === 41 || code === 93 || code === 125) return Math.max(0, depth - 1); // ) ] }
  return depth;
}

function match(pattern: RegExp, source: string, index: number): string | undefined {
  pattern.lastIndex = index;
  return pattern.exec(source)?.[0];
}

// What a string's body runs until: its quote character, a backslash, or (one-quoted) a newline.
const BODY_UNTIL = {
  [DOUBLE_QUOTE]: [/[^"\\\n]*/y, /[^"\\]*/y],
  [SINGLE_QUOTE]: [/[^'\\\n]*/y, /[^'\\]*/y],
} as Record<number, [RegExp, RegExp]>;

function scanString(source: string, start: number, fail: (why: string) => never): { body: string; end: number } {
  const code = source.charCodeAt(start);
  const triple = source.charCodeAt(start + 1) === code && source.charCodeAt(start + 2) === code;
  const quoteLength = triple ? 3 : 1;
  const body = (BODY_UNTIL[code] as [RegExp, RegExp])[triple ? 1 : 0];
  let index = start + quoteLength;
  for (;;) {
    // Past the end (a backslash last), a sticky pattern would start again at 0: not run there.
    if (index < source.length) {
      body.lastIndex = index;
      body.test(source);
      index = body.lastIndex;
    }
    if (index >= source.length) return fail('a string literal is never closed');
    const next = source.charCodeAt(index);
    if (next === BACKSLASH) index += 2;
    else if (next === NEWLINE) fail('a string literal is not closed on its line');
    else if (!triple || (source.charCodeAt(index + 1) === code && source.charCodeAt(index + 2) === code)) return { body: source.slice(start + quoteLength, index), end: index + quoteLength };
    else index += 1;
  }
}
