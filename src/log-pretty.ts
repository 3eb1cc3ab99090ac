/**
 * LOG_FORMAT=pretty: the JSON log lines rewritten for people. Pure: takes one serialised line
 * (already scrubbed of secrets) and whether to colour it.
 */

const HIDDEN = new Set(['level', 'time', 'name', 'msg', 'event', 'stream']);
const COLOURS = { red: 31, green: 32, yellow: 33, magenta: 35, cyan: 36, grey: 90 } as const;
type Colour = keyof typeof COLOURS;

const LEVEL_COLOUR: Record<string, Colour> = { fatal: 'magenta', error: 'red', warn: 'yellow', info: 'green', debug: 'grey', trace: 'grey' };

// Python's logging levels as alembic.ini's `%(levelname)-5.5s` prints them, and pino's names for them.
const PYTHON_LEVELS: Record<string, string> = { DEBUG: 'debug', INFO: 'info', WARNI: 'warn', WARN: 'warn', WARNING: 'warn', ERROR: 'error', CRITI: 'fatal', CRITICAL: 'fatal' };
const ALEMBIC_LOG_LINE = /^(DEBUG|INFO|WARNI|WARNING|WARN|ERROR|CRITI|CRITICAL)\s+\[([\w.]+)\] (.*)$/;

export function prettyLine(line: string, colour: boolean): string {
  const entry = JSON.parse(line) as Record<string, unknown>;
  const paint = (name: Colour, text: string) => (colour && text ? `\u001b[${COLOURS[name]}m${text}\u001b[39m` : text);
  const time = paint('grey', String(entry.time ?? '').slice(11, 23));
  const label = (level: string) => paint(LEVEL_COLOUR[level] ?? 'grey', level.toUpperCase().padEnd(5));
  const message = String(entry.msg ?? '');

  const gutter = (text: string, tint?: Colour) => text.split('\n').map((row) => `${paint('grey', '  |')} ${tint ? paint(tint, row) : row}\n`).join('');
  if (entry.event === 'alembic' && typeof entry.traceback === 'string') {
    // A traceback alembic printed is held back and logged once, as one event: shown once, as it was.
    return `${time} ${label(String(entry.level ?? ''))} ${paint('cyan', '[alembic]')} ${message}\n${gutter(entry.traceback, 'red')}`;
  }
  if (entry.event === 'alembic') {
    // Alembic's own logging line already says its level: print it once, as ours.
    const logged = ALEMBIC_LOG_LINE.exec(message);
    if (logged) return `${time} ${label(PYTHON_LEVELS[logged[1] as string] ?? 'info')} ${paint('cyan', `[${logged[2]}]`)} ${logged[3]}\n`;
    // Anything else alembic printed (a traceback, print()) as it was, under the previous line.
    return `${paint('grey', '  |')} ${entry.stream === 'stderr' ? paint('red', message) : message}\n`;
  }

  const event = entry.event ? `${paint('cyan', `[${String(entry.event)}]`)} ` : '';
  const stack = errorStack(entry.err);
  const fields = Object.entries(entry)
    .filter(([key]) => !HIDDEN.has(key) && !(key === 'err' && stack))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const head = `${time} ${label(String(entry.level ?? ''))} ${event}${message}${fields ? `  ${paint('grey', fields)}` : ''}\n`;
  return stack ? `${head}${gutter(stack)}` : head;
}

function errorStack(err: unknown): string | undefined {
  const stack = (err as { stack?: unknown } | undefined)?.stack;
  return typeof stack === 'string' ? stack : undefined;
}

/**
 * Colour only for a terminal, and never with NO_COLOR (https://no-color.org) or TERM=dumb;
 * FORCE_COLOR asks for it anyway (a CI log viewer that renders ANSI).
 */
export function useColour(env: Readonly<Record<string, string | undefined>>, isTerminal: boolean): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return isTerminal && env.TERM !== 'dumb';
}
