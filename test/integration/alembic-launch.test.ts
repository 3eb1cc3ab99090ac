import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { supervisorHostPid } from '../pid1/helpers.js';
import { finalError } from '../support/expect.js';
import { VENV_BIN } from '../support/paths.js';
import { perTest } from '../support/per-test.js';
import { versionsOf } from '../support/postgres.js';
import { HEAD, slowRevision } from '../support/project.js';
import { processesWith } from '../support/sessions.js';
import { runSupervisor, startSupervisor, waitForOutput } from '../support/supervisor.js';

const db = perTest();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const SIGKILL = 9;

/**
 * An ALEMBIC_COMMAND that writes down how it was started (its parent-death signal, from
 * prctl(PR_GET_PDEATHSIG), and its parent's pid), then becomes the real alembic.
 */
async function launchRecorder(): Promise<{ command: string; launch: () => Promise<{ deathSignal: number; parentPid: number }> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bs-launch-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const record = path.join(dir, 'launch');
  const script = path.join(dir, 'alembic');
  const alembic = path.join(VENV_BIN, 'alembic');
  await writeFile(
    script,
    `#!${path.join(VENV_BIN, 'python3')}
import ctypes, os, sys
signal = ctypes.c_int(0)
ctypes.CDLL(None, use_errno=True).prctl(2, ctypes.byref(signal), 0, 0, 0)  # PR_GET_PDEATHSIG
with open(${JSON.stringify(record)}, "w") as out:
    out.write(f"{signal.value} {os.getppid()}\\n")
os.execv(${JSON.stringify(alembic)}, [${JSON.stringify(alembic)}, *sys.argv[1:]])
`,
  );
  await chmod(script, 0o755);
  return {
    command: script,
    launch: async () => {
      const [deathSignal, parentPid] = (await readFile(record, 'utf8')).trim().split(' ').map(Number);
      return { deathSignal: deathSignal as number, parentPid: parentPid as number };
    },
  };
}

/** A directory holding a `setpriv` that writes down its arguments, then runs the real one. */
async function recordingSetpriv(): Promise<{ dir: string; calls: () => Promise<string[]> }> {
  const real = execFileSync('sh', ['-c', 'command -v setpriv || true'], { encoding: 'utf8' }).trim();
  if (!real) throw new Error('setpriv is missing: install util-linux (apt-get install util-linux)');
  const dir = await mkdtemp(path.join(tmpdir(), 'bs-setpriv-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const record = path.join(dir, 'calls');
  await writeFile(path.join(dir, 'setpriv'), `#!/bin/sh\necho "$*" >> ${JSON.stringify(record)}\nexec ${JSON.stringify(real)} "$@"\n`);
  await chmod(path.join(dir, 'setpriv'), 0o755);
  return { dir, calls: async () => (await readFile(record, 'utf8').catch(() => '')).split('\n').filter(Boolean) };
}

// Without setpriv on PATH (VENV_BIN holds none), the supervisor starts itself in launch mode.
const PATH_WITHOUT_SETPRIV = VENV_BIN;

/** An executable whose interpreter does not exist: found on PATH and executable, yet exec fails (ENOENT). */
async function brokenShebang(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bs-broken-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const script = path.join(dir, 'alembic');
  await writeFile(script, '#!/nonexistent/python3\n');
  await chmod(script, 0o755);
  return script;
}

// alembic must never outlive the supervisor: it would go on migrating, unlocked, while the next replica migrates too.
describe('alembic dies with the supervisor, however the supervisor runs', () => {
  it('not PID 1: alembic is started through setpriv, with SIGKILL as its parent-death signal and the supervisor as its parent', async () => {
    const recorder = await launchRecorder();
    const setpriv = await recordingSetpriv();
    const supervisor = startSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_COMMAND: recorder.command, PATH: `${setpriv.dir}:${process.env.PATH}` } });
    const run = await supervisor;
    expect(run.exitCode).toBe(0);
    expect(await versionsOf(db.url)).toEqual([HEAD]);
    expect(await recorder.launch()).toEqual({ deathSignal: SIGKILL, parentPid: supervisor.pid });
    expect(await setpriv.calls()).toEqual([expect.stringMatching(new RegExp(`^--pdeathsig KILL -- /bin/sh -c .* ${supervisor.pid} ${recorder.command} -c `))]);
  });

  it('not PID 1, without setpriv: alembic is started through the supervisor in launch mode, with the same parent-death signal', async () => {
    const recorder = await launchRecorder();
    const supervisor = startSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_COMMAND: recorder.command, PATH: PATH_WITHOUT_SETPRIV } });
    const run = await supervisor;
    expect(run.exitCode).toBe(0);
    expect(await versionsOf(db.url)).toEqual([HEAD]);
    expect(await recorder.launch()).toEqual({ deathSignal: SIGKILL, parentPid: supervisor.pid });
  });

  it('as PID 1: alembic is started as it is, a child of PID 1 (the kernel ends the namespace with its init), no launcher', async () => {
    const recorder = await launchRecorder();
    const run = await runSupervisor(['migrate'], { pid1: true, env: { DATABASE_URL: db.url, ALEMBIC_COMMAND: recorder.command } });
    expect(run.exitCode).toBe(0);
    expect(await versionsOf(db.url)).toEqual([HEAD]);
    expect(await recorder.launch()).toEqual({ deathSignal: 0, parentPid: 1 });
  });

  it('as PID 1: a supervisor killed with SIGKILL mid-migration takes its alembic with it', async () => {
    const alembicConfig = await db.projectWith([slowRevision(30)]);
    const supervisor = startSupervisor(['migrate'], { pid1: true, env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig } });
    await waitForOutput(supervisor, /Running upgrade e9d05b3a2c04 -> 5100000000ff/);
    expect(processesWith(alembicConfig)).toHaveLength(1);
    process.kill(await supervisorHostPid(supervisor.pid as number), 'SIGKILL');
    await supervisor;
    await expect.poll(() => processesWith(alembicConfig), { timeout: 3_000 }).toEqual([]);
  });

  it.each([
    ['not PID 1, through setpriv', false, undefined],
    ['not PID 1, in launch mode', false, PATH_WITHOUT_SETPRIV],
    ['as PID 1', true, undefined],
  ])('%s: an ALEMBIC_COMMAND that cannot be executed (its interpreter is missing) is named, with what to do (70)', async (_, pid1, PATH) => {
    const command = await brokenShebang();
    const run = await runSupervisor(['migrate'], { pid1, env: { DATABASE_URL: db.url, ALEMBIC_COMMAND: command, ...(PATH ? { PATH } : {}) } });
    expect(run.exitCode).toBe(70);
    expect(finalError(run)?.msg).toContain(`ALEMBIC_COMMAND=${JSON.stringify(command)} could not be started (ENOENT); install alembic in the image or set ALEMBIC_COMMAND, e.g. "python -m alembic" before running any revision; permanent`);
  });
});
