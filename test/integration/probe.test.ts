import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { runSupervisor } from '../support/supervisor.js';

/** `backend-supervisor probe URL`: the health check of HEALTHCHECK and Kubernetes exec probes, against a real HTTP server. */

let server: Server;
let base: string;
const seen: Array<{ method?: string; url?: string; agent?: string }> = [];

beforeAll(async () => {
  // /status/N answers N; /hang accepts the request and never answers.
  server = createServer((request, response) => {
    seen.push({ method: request.method, url: request.url, agent: request.headers['user-agent'] });
    const status = /^\/status\/(\d{3})$/.exec(request.url ?? '')?.[1];
    if (request.url === '/hang') return;
    response.writeHead(Number(status ?? 404), status === '301' ? { location: '/status/200' } : {});
    response.end('{"status":"whatever"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const probe = (...args: string[]) =>
  // A TMPDIR that cannot be written: the probe must start nothing that needs one (the reaper's koffi).
  runSupervisor(['probe', ...args], { env: { TMPDIR: '/nonexistent', LOG_LEVEL: 'trace' }, timeoutMs: 20_000 });

describe('backend-supervisor probe', () => {
  it.each([
    [200, 'OK', 0],
    [204, 'No Content', 0],
    [299, 'unknown', 0],
    [301, 'Moved Permanently', 1],
    [404, 'Not Found', 1],
    [500, 'Internal Server Error', 1],
    [503, 'Service Unavailable', 1],
  ])('GET answering %i %s: exit %i, one line of output and nothing else', async (status, reason, exitCode) => {
    const url = `${base}/status/${status}`;
    const run = await probe(url);
    expect(run.exitCode).toBe(exitCode);
    // (execa drops the final newline)
    expect(run.stdout).toBe(`GET ${url}: ${status}${reason ? ` ${reason}` : ''}`);
    expect(run.stderr).toBe('');
    expect(seen.at(-1)).toEqual({ method: 'GET', url: `/status/${status}`, agent: 'backend-supervisor-probe' });
  });

  it('a server that never answers fails after --timeout: exit 1', async () => {
    const run = await probe(`${base}/hang`, '--timeout', '0.5');
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe(`GET ${base}/hang: no answer within 0.5s`);
  });

  it('nothing listening: exit 1, saying so', async () => {
    const port = await freePort();
    const run = await probe(`http://127.0.0.1:${port}/health`);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe(`GET http://127.0.0.1:${port}/health: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it.each([
    [['not a url'], '"not a url" is not a URL'],
    [['ftp://127.0.0.1/x'], 'only http:// and https:// URLs can be probed'],
    [[], 'probe takes one URL, got 0'],
    [['http://127.0.0.1/', '--timeout', '0'], '--timeout "0": expected a number of seconds above 0'],
  ])('a usage error (%j) is exit 64 with one line saying why', async (args, reason) => {
    const run = await probe(...args);
    expect(run.exitCode).toBe(64);
    // The supervisor's one error format: a single JSON line naming the problem and the help page.
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 'error', event: 'exit', exitCode: 64, msg: expect.stringContaining(reason), help: 'backend-supervisor probe --help' });
  });
});
