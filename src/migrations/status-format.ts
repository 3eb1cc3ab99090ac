/**
 * How `status` answers: `text` for people (a terminal, LOG_FORMAT=pretty), `json` (--json) one
 * document, `sql` (--sql) the SQL `migrate` would run, `log` a `status` event among the JSON logs
 * (piped, for log shippers). All but `log` keep stdout for the answer and log to stderr.
 */
export type StatusFormat = 'text' | 'json' | 'sql' | 'log';

export function statusFormat(flags: { json: boolean; sql: boolean }, logFormat: 'json' | 'pretty', stdoutIsTerminal: boolean): StatusFormat {
  if (flags.json) return 'json';
  if (flags.sql) return 'sql';
  return stdoutIsTerminal || logFormat === 'pretty' ? 'text' : 'log';
}
