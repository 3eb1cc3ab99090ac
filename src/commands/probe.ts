import type { CommandSpec } from './command.js';
import { usageError } from './parse.js';
import { EXIT } from './reference.js';

/**
 * `backend-supervisor probe URL`: an HTTP health check for HEALTHCHECK and Kubernetes exec probes, so the
 * image needs neither curl nor Python for it. It runs every few seconds, so it starts nothing else of the
 * supervisor: no logger, no signal routing, no reaper, no database driver.
 */

export const DEFAULT_PROBE_TIMEOUT_SECONDS = 3;

/** A URL the probe can GET, or why not. */
export function parseProbeUrl(value: string): URL | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${JSON.stringify(value)} is not a URL: expected e.g. http://127.0.0.1:8000/health`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${JSON.stringify(value)}: only http:// and https:// URLs can be probed`;
  return url;
}

export const probeCommand: CommandSpec = {
  name: 'probe',
  summary: 'HTTP health probe: GET URL; exit 0 on 2xx, 1 otherwise (for HEALTHCHECK and Kubernetes; no curl or Python needed)',
  usage: 'probe URL [--timeout SECONDS]',
  takes: 'arguments',
  options: {
    timeout: { type: 'string', valueName: 'SECONDS', describe: `seconds to wait for the answer (default ${DEFAULT_PROBE_TIMEOUT_SECONDS})` },
  },
  environment: [],
  exitCodes: [
    { code: '0', meaning: 'the URL answered 2xx' },
    { code: '1', meaning: 'any other status, a timeout, or no connection' },
    EXIT.config,
  ],
  example: 'HEALTHCHECK CMD ["backend-supervisor", "probe", "http://127.0.0.1:8000/health"]',
  run: async ({ options, rest }) => {
    if (rest.length !== 1) throw usageError('probe', `probe takes one URL, got ${rest.length}`);
    const url = parseProbeUrl(rest[0] as string);
    if (typeof url === 'string') throw usageError('probe', url);
    const given = typeof options.timeout === 'string' ? options.timeout.trim() : String(DEFAULT_PROBE_TIMEOUT_SECONDS);
    const seconds = /^\d+(\.\d+)?$/.test(given) ? Number(given) : Number.NaN;
    if (!(seconds > 0 && seconds <= 3600)) throw usageError('probe', `--timeout ${JSON.stringify(given)}: expected a number of seconds above 0 and at most 3600`);
    // Loaded when the probe runs: node:https brings TLS, which no other command's start should pay for.
    const { probe } = await import('./probe-get.js');
    const result = await probe(url, Math.round(seconds * 1000));
    process.stdout.write(`${result.line}\n`);
    return result.healthy ? 0 : 1;
  },
};
