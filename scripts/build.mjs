// Bundles src/cli.ts into one CommonJS file that runs with no node_modules beside it
// (dist/backend-supervisor.bundle.cjs, what the single executable embeds), and writes the entry
// dist/backend-supervisor.cjs: the same bundle, compiled with a V8 code cache
// (dist/backend-supervisor.cjs.cache, made here by running a plain init once; see scripts/entry.cjs).
// koffi's native modules for the target architecture (glibc and musl) go beside them in dist/:
// src/supervise/libc.ts loads them from there, so nothing is ever written at run time (a read-only
// root filesystem works) and the bundle stays small to compile at every start.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { entryWith } from './entry-with.mjs';
import { pgOnNode } from './pg-on-node.mjs';

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const arch = process.env.TARGET_ARCH ?? process.arch;

mkdirSync('dist', { recursive: true });
const koffiDir = path.dirname(require.resolve(`@koromix/koffi-linux-${arch}/package.json`));
for (const [variant, directory] of [['glibc', `linux_${arch}`], ['musl', `musl_${arch}`]]) {
  copyFileSync(path.join(koffiDir, directory, 'koffi.node'), `dist/koffi-linux-${arch}-${variant}.node`);
}

await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/backend-supervisor.bundle.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: process.env.MINIFY !== '0',
  keepNames: true,
  legalComments: 'none',
  define: { __VERSION__: JSON.stringify(pkg.version) },
  banner: { js: '#!/usr/bin/env node' },
  plugins: pgOnNode,
  logLevel: 'warning',
});

const bundle = readFileSync('dist/backend-supervisor.bundle.cjs', 'utf8');
// The entry compiles the bundle with vm.Script, where a real import() has no loader to call: a lazy
// built-in must be loaded by a bundled module that imports it statically (see src/commands/probe-get.ts).
const dynamicImport = /[^\w$.]import\(\s*["'`]([^"'`]+)/.exec(bundle);
if (dynamicImport) throw new Error(`the bundle imports ${dynamicImport[1]} with import(), which fails in dist/backend-supervisor.cjs: import it statically from a module that is itself imported lazily`);
writeFileSync('dist/backend-supervisor.cjs', entryWith(bundle), { mode: 0o755 });

// The cache holds what a start compiles: made by one plain init (no database, the app `true`).
const cache = 'dist/backend-supervisor.cjs.cache';
rmSync(cache, { force: true });
const made = spawnSync(process.execPath, ['dist/backend-supervisor.cjs', '--', 'true'], {
  env: { PATH: process.env.PATH, RUN_MIGRATIONS: 'false', LOG_LEVEL: 'silent', BACKEND_SUPERVISOR_BUILD_CODE_CACHE: cache },
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (made.status !== 0) throw new Error(`making the code cache: a plain init of dist/backend-supervisor.cjs exited with ${made.status ?? made.signal}`);
