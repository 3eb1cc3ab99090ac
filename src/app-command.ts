const SUBCOMMANDS = new Set(['run', 'migrate', 'status', 'wait', 'rollback', 'probe']);

/**
 * Everything from the app command on belongs to the app, options included:
 * `backend-supervisor uvicorn --port 80` and `backend-supervisor run -g -- uvicorn --port 80`.
 */
export function splitAppCommand(argv: string[]): { own: string[]; app: string[] } {
  const separator = argv.indexOf('--');
  if (separator >= 0) return { own: argv.slice(0, separator), app: argv.slice(separator + 1) };
  // Only `run` takes an app command, and its own options are all flags, so no option value is mistaken for it.
  if (argv[0] !== 'run' && SUBCOMMANDS.has(argv[0] ?? '')) return { own: argv, app: [] };
  const first = argv.findIndex((arg, index) => !arg.startsWith('-') && !(index === 0 && arg === 'run'));
  return first < 0 ? { own: argv, app: [] } : { own: argv.slice(0, first), app: argv.slice(first) };
}
