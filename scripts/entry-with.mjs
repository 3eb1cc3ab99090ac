// scripts/entry.cjs with a bundle's text in place of its placeholder: the entry of
// dist/backend-supervisor.cjs (scripts/build.mjs) and of the benchmark's floor program (bench/build.mjs).
import { readFileSync } from 'node:fs';

const PLACEHOLDER = "'/* BUNDLE */'";

export function entryWith(bundle) {
  const entry = readFileSync(new URL('./entry.cjs', import.meta.url), 'utf8');
  if (!entry.includes(PLACEHOLDER)) throw new Error('scripts/entry.cjs has lost its BUNDLE placeholder');
  // The bundle runs as the body of a function, where a shebang line is a syntax error.
  return entry.replace(PLACEHOLDER, () => JSON.stringify(bundle.replace(/^#![^\n]*/, '')));
}
