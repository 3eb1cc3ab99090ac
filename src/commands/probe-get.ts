import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';

// The probe's request, in a module of its own: src/commands/probe.ts imports it when the probe runs.

export interface ProbeResult {
  healthy: boolean;
  /** One short line: what was asked and what came back. */
  line: string;
}

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
