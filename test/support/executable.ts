import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { REPO, SUPERVISOR } from './paths.js';

/**
 * The single executable of this run's bundle, built once and shared by the test files that need it
 * (keyed by the hash of what it holds, so a stale one is never used). koffi's native module lands beside it.
 * Returns the directory holding `backend-supervisor`.
 */
export async function singleExecutableDir(): Promise<string> {
  // The executable holds the entry, the bundle and the code cache beside the entry.
  const hash = createHash('sha256').update(readFileSync(SUPERVISOR)).update(readFileSync(`${SUPERVISOR}.cache`)).digest('hex').slice(0, 16);
  const dir = path.join(tmpdir(), `bs-sea-${hash}`);
  if (existsSync(path.join(dir, 'backend-supervisor'))) return dir;
  const building = `${dir}.${process.pid}`;
  mkdirSync(building, { recursive: true });
  await execa(process.execPath, [path.join(REPO, 'scripts/build-executable.mjs'), '--no-strip', '--output', path.join(building, 'backend-supervisor')], { cwd: REPO });
  try {
    renameSync(building, dir);
  } catch {
    // Another test file built it meanwhile: use theirs.
    rmSync(building, { recursive: true, force: true });
  }
  return dir;
}
