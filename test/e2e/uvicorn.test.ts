import { describe, expect, inject, it } from 'vitest';
import { supervisorHostPid } from '../pid1/helpers.js';
import { expectNoPassword } from '../support/expect.js';
import { freePort } from '../support/ports.js';
import { createDatabase } from '../support/postgres.js';
import { HEAD } from '../support/project.js';
import { parseEvents, startSupervisor, waitForOutput } from '../support/supervisor.js';

describe('the example FastAPI app under the supervisor as PID 1', () => {
  it('migrates, serves /health from the migrated database, and shuts uvicorn down gracefully on SIGTERM', async () => {
    const url = await createDatabase(inject('adminUrl'));
    const port = await freePort();
    const supervisor = startSupervisor(['--', 'uvicorn', '--app-dir', '.', 'app.main:app', '--host', '127.0.0.1', '--port', String(port)], {
      pid1: true,
      env: { DATABASE_URL: url.replace(/^postgresql/, 'postgresql+asyncpg'), SHUTDOWN_TIMEOUT: '20' },
    });
    try {
      // uvicorn binds its socket after the lifespan startup: "running on" is the line that means ready.
      await waitForOutput(supervisor, /Uvicorn running on/);

      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', database: 'ok', revision: HEAD });
      const items = (await (await fetch(`http://127.0.0.1:${port}/items`)).json()) as unknown[];
      expect(items).toHaveLength(2);

      process.kill(await supervisorHostPid(supervisor.pid as number), 'SIGTERM');
      const result = await supervisor;
      const output = String(result.all);
      expectNoPassword({ stdout: String(result.stdout), stderr: String(result.stderr) });
      expect(output).toContain('backend: shutting down');
      expect(output).toContain('Application shutdown complete');
      // uvicorn re-raises SIGTERM after its graceful shutdown, so the status is 128 + 15, without SIGKILL.
      expect(result.exitCode).toBe(143);
      const events = parseEvents(String(result.stdout));
      expect(events.some((entry) => entry.event === 'shutdown' && /SIGKILL/.test(entry.msg))).toBe(false);
      expect(events.find((entry) => entry.event === 'startup')?.phases).toMatchObject({ wait: expect.any(Number), migrate: expect.any(Number) });
    } finally {
      // A no-op after a clean exit; after a failure, unshare --kill-child takes the namespace with it.
      supervisor.kill('SIGKILL');
    }
  });
});
