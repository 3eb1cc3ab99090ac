import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { CommandModule } from 'yargs';

/**
 * `backend-supervisor probe URL`: an HTTP health check for HEALTHCHECK and Kubernetes exec probes, so the
 * image needs neither curl nor Python for it. It runs every few seconds, so it starts nothing else of the
 * supervisor: no logger, no signal routing, no reaper, no database driver.
 */

export interface ProbeResult {
  healthy: boolean;
  /** One short line: what was asked and what came back. */
  line: string;
}

export const DEFAULT_PROBE_TIMEOUT_SECONDS = 3;

/** GET `url` (no redirects followed): healthy on 2xx within `timeoutMs`. */
export function probe(url: URL, timeoutMs: number): Promise<ProbeResult> {
  const get = url.protocol === 'https:' ? httpsGet : httpGet;
  const target = `GET ${url.href}`;
  return new Promise((resolve) => {
    const request = get(url, { timeout: timeoutMs, headers: { 'user-agent': 'backend-supervisor-probe' } }, (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      response.resume(); // the body is not needed, only drained so the socket closes
      const healthy = status >= 200 && status < 300;
      resolve({ healthy, line: `${target}: ${status} ${response.statusMessage ?? ''}`.trimEnd() });
    });
    // `timeout` fires on socket inactivity (connecting included); destroying the request ends it with an error.
    request.once('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs / 1000}s`)));
    request.once('error', (error: NodeJS.ErrnoException) => {
      resolve({ healthy: false, line: `${target}: ${error.code && !error.message.includes(error.code) ? `${error.code} ` : ''}${error.message}` });
    });
  });
}

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

export const probeCommand: CommandModule<object, { url: string; timeout: number }> = {
  command: 'probe <url>',
  describe: 'HTTP health probe: GET URL; exit 0 on 2xx, 1 otherwise (for HEALTHCHECK and Kubernetes)',
  builder: (y) =>
    y
      .positional('url', { type: 'string', demandOption: true, describe: 'e.g. http://127.0.0.1:8000/health' })
      .option('timeout', { type: 'number', default: DEFAULT_PROBE_TIMEOUT_SECONDS, describe: 'seconds to wait for the answer' })
      .check((args) => {
        if (!(args.timeout > 0 && args.timeout <= 3600)) throw new Error('--timeout must be a number of seconds above 0 and at most 3600');
        const url = parseProbeUrl(args.url);
        if (typeof url === 'string') throw new Error(url);
        return true;
      }),
  handler: async (args) => {
    const result = await probe(parseProbeUrl(args.url) as URL, Math.round(args.timeout * 1000));
    process.stdout.write(`${result.line}\n`);
    process.exit(result.healthy ? 0 : 1);
  },
};

