import { constants } from 'node:os';
import { configError } from '../errors.js';
import { FORWARDED_SIGNALS } from './signals.js';

/**
 * SIGNAL_MAP: how a signal the supervisor receives reaches the app. A signal missing from the map is
 * forwarded as it is; a signal mapped to `null` is dropped (logged, never sent).
 */
export type SignalMap = ReadonlyMap<NodeJS.Signals, NodeJS.Signals | null>;

const EXAMPLE = 'expected FROM:TO pairs separated by commas, e.g. HUP:TERM or HUP: (empty TO drops the signal)';

/** Both stop the app; dropping them would leave the platform nothing but SIGKILL. */
const NEVER_DROPPED: ReadonlySet<NodeJS.Signals> = new Set(['SIGTERM', 'SIGINT']);

/**
 * `HUP:TERM,USR1:` -> SIGHUP becomes SIGTERM, SIGUSR1 is dropped. Names with or without SIG, any case.
 * Only the signals the supervisor forwards can be mapped; a target may be any signal.
 */
export function parseSignalMap(variable: string, value: string | undefined): SignalMap {
  const map = new Map<NodeJS.Signals, NodeJS.Signals | null>();
  if (value === undefined || value.trim() === '') return map;
  for (const entry of value.split(',')) {
    const pair = /^\s*([a-z0-9]+)\s*:\s*([a-z0-9]*)\s*$/i.exec(entry);
    if (!pair) throw configError(variable, value, `${JSON.stringify(entry.trim())} is not FROM:TO; ${EXAMPLE}`);
    const from = signalName(pair[1] as string);
    const to = pair[2] === '' ? null : signalName(pair[2] as string);
    if (from === undefined || !FORWARDED_SIGNALS.includes(from)) {
      throw configError(variable, value, `${pair[1]} is not a signal the supervisor forwards (one of ${FORWARDED_SIGNALS.map((s) => s.slice(3)).join(' ')})`);
    }
    if (to === undefined) throw configError(variable, value, `${pair[2]} is not a signal name (e.g. TERM, QUIT, USR1)`);
    if (map.has(from)) throw configError(variable, value, `${from.slice(3)} is mapped twice`);
    if (to === null && NEVER_DROPPED.has(from)) {
      throw configError(variable, value, `${from} cannot be dropped: the app could then only be stopped by SIGKILL (map it to another signal instead)`);
    }
    map.set(from, to);
  }
  return map;
}

function signalName(name: string): NodeJS.Signals | undefined {
  const upper = name.toUpperCase();
  const full = (upper.startsWith('SIG') ? upper : `SIG${upper}`) as NodeJS.Signals;
  return full in constants.signals ? full : undefined;
}
