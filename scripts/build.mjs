// Bundles src/cli.ts into one CommonJS file that runs with no node_modules beside it, and puts
// koffi's native modules for the target architecture (glibc and musl) beside it in dist/:
// src/supervise/libc.ts loads them from there, so nothing is ever written at run time (a read-only
// root filesystem works) and the bundle stays small to compile at every start.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
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

await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/backend-supervisor.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: process.env.MINIFY !== '0',
  keepNames: true,
  legalComments: 'none',
  define: { __VERSION__: JSON.stringify(pkg.version) },
  banner: { js: '#!/usr/bin/env node' },
  plugins: [pgOnNode],
  logLevel: 'warning',
});
