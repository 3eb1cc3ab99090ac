import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SUPERVISOR = path.join(REPO, 'dist/backend-supervisor.cjs');
export const EXAMPLE = path.join(REPO, 'examples/backend');
export const VENV_BIN = path.join(process.env.VENV_DIR ?? path.join(REPO, '.venv'), 'bin');

/** Fails loudly, naming the set-up step, when a prerequisite of the real-parts tests is missing. */
export function requirePrerequisites(): void {
  if (!existsSync(SUPERVISOR)) throw new Error(`${SUPERVISOR} is missing: run \`npm run build\` (npm test does it)`);
  if (!existsSync(path.join(VENV_BIN, 'alembic'))) {
    throw new Error(`${VENV_BIN}/alembic is missing: run \`scripts/setup-python.sh\` (npm test does it; it needs python3 and python3-venv)`);
  }
}

/** The environment the supervisor runs with: the venv's alembic and uvicorn first on PATH. */
export function pythonPath(): string {
  return `${VENV_BIN}${path.delimiter}${process.env.PATH ?? ''}`;
}
