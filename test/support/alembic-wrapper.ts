import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VENV_BIN } from './paths.js';

/**
 * An ALEMBIC_COMMAND that leaves a marker file each time it is started, then either runs the real
 * alembic or (`fake: true`) does nothing and reports success. The marker proves whether the
 * supervisor started Python at all, whatever it logged.
 */
export async function alembicWrapper({ fake = false } = {}): Promise<{ command: string; started: () => boolean }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bs-alembic-'));
  const marker = path.join(dir, 'started');
  const script = path.join(dir, 'alembic');
  const body = fake ? 'exit 0' : `exec ${path.join(VENV_BIN, 'alembic')} "$@"`;
  await writeFile(script, `#!/bin/sh\necho "$@" >> ${marker}\n${body}\n`);
  await chmod(script, 0o755);
  return { command: script, started: () => existsSync(marker) };
}
