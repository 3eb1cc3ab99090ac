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
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const arch = process.env.TARGET_ARCH ?? process.arch;

mkdirSync('dist', { recursive: true });
const koffiDir = path.dirname(require.resolve(`@koromix/koffi-linux-${arch}/package.json`));
for (const [variant, directory] of [['glibc', `linux_${arch}`], ['musl', `musl_${arch}`]]) {
  copyFileSync(path.join(koffiDir, directory, 'koffi.node'), `dist/koffi-linux-${arch}-${variant}.node`);
}

// pg asks whether it runs in a Cloudflare Worker by constructing a fetch `Response`, which on Node
// loads undici (the whole fetch implementation): about 20 ms of every start that reaches the database.
// The supervisor only ever runs on Node, so the question is answered here, at build time.
const pgOnNode = {
  name: 'pg-on-node',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const asked = 'if (isCloudflareRuntime()) {';
      if (!source.includes(asked)) throw new Error(`${args.path} no longer contains "${asked}": check how this pg version detects its runtime, and update scripts/build.mjs`);
      return { contents: source.replace(asked, 'if (false) {'), loader: 'js' };
    });
  },
};

// pg's crypto helpers use WebCrypto (for Cloudflare Workers); src/db/pg-crypto.ts gives the same
// functions on node:crypto, several milliseconds faster per connection. A pg upgrade that changes
// the helpers' names fails the build here.
const PG_CRYPTO_EXPORTS = ['postgresMd5PasswordHash', 'randomBytes', 'deriveKey', 'sha256', 'hashByName', 'hmacSha256', 'md5'];
const pgCryptoOnNode = {
  name: 'pg-crypto-on-node',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]pg[\\/]lib[\\/]crypto[\\/]utils\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const exported = /module\.exports = \{([^}]*)\}/.exec(source)?.[1]?.split(',').map((name) => name.trim()).filter(Boolean) ?? [];
      if (exported.sort().join() !== [...PG_CRYPTO_EXPORTS].sort().join()) {
        throw new Error(`${args.path} exports ${exported.join(', ')}, not ${PG_CRYPTO_EXPORTS.join(', ')}: update src/db/pg-crypto.ts and scripts/build.mjs for this pg version`);
      }
      return { contents: `module.exports = require(${JSON.stringify(path.resolve('src/db/pg-crypto.ts'))});`, loader: 'js', resolveDir: path.resolve('src/db') };
    });
  },
};

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
  plugins: [pgOnNode, pgCryptoOnNode],
  logLevel: 'warning',
});

const bundle = readFileSync('dist/backend-supervisor.bundle.cjs', 'utf8').replace(/^#![^\n]*/, '');
// The entry compiles the bundle with vm.Script, where a real import() has no loader to call: a lazy
// built-in must be loaded by a bundled module that imports it statically (see src/commands/probe-get.ts).
const dynamicImport = /[^\w$.]import\(\s*["'`]([^"'`]+)/.exec(bundle);
if (dynamicImport) throw new Error(`the bundle imports ${dynamicImport[1]} with import(), which fails in dist/backend-supervisor.cjs: import it statically from a module that is itself imported lazily`);
const entry = readFileSync(new URL('./entry.cjs', import.meta.url), 'utf8');
if (!entry.includes("'/* BUNDLE */'")) throw new Error('scripts/entry.cjs has lost its BUNDLE placeholder');
writeFileSync('dist/backend-supervisor.cjs', entry.replace("'/* BUNDLE */'", () => JSON.stringify(bundle)), { mode: 0o755 });

// The cache holds what a start compiles: made by one plain init (no database, the app `true`).
const cache = 'dist/backend-supervisor.cjs.cache';
rmSync(cache, { force: true });
const made = spawnSync(process.execPath, ['dist/backend-supervisor.cjs', '--', 'true'], {
  env: { PATH: process.env.PATH, RUN_MIGRATIONS: 'false', LOG_LEVEL: 'silent', BACKEND_SUPERVISOR_BUILD_CODE_CACHE: cache },
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (made.status !== 0) throw new Error(`making the code cache: a plain init of dist/backend-supervisor.cjs exited with ${made.status ?? made.signal}`);
