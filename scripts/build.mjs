// Bundles src/cli.ts into one CommonJS file that runs with no node_modules beside it.
// koffi's native binaries for this machine's architecture are embedded (glibc and musl, brotli), so the
// zombie reaper works from the single file; see src/supervise/libc.ts for how they are loaded.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import path from 'node:path';

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const arch = process.env.TARGET_ARCH ?? process.arch;

function koffiBinaries() {
  const dir = path.dirname(require.resolve(`@koromix/koffi-linux-${arch}/package.json`));
  // Brotli keeps the bundle small (1.1 MB -> 0.2 MB a binary): less for Node to read and scan at every start.
  const read = (triplet) =>
    brotliCompressSync(readFileSync(path.join(dir, triplet, 'koffi.node')), { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).toString('base64');
  return { glibc: read(`linux_${arch}`), musl: read(`musl_${arch}`) };
}

function koffiVersion() {
  const dir = path.dirname(require.resolve(`@koromix/koffi-linux-${arch}/package.json`));
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
}

const embeddedKoffi = {
  name: 'embedded-koffi',
  setup(b) {
    b.onResolve({ filter: /^virtual:koffi-binaries$/ }, () => ({ path: 'koffi-binaries', namespace: 'embedded-koffi' }));
    b.onLoad({ filter: /.*/, namespace: 'embedded-koffi' }, () => {
      const { glibc, musl } = koffiBinaries();
      return {
        contents: `export const koffiVersion = ${JSON.stringify(koffiVersion())};
import { brotliDecompressSync } from 'node:zlib';
const unpack = (base64) => brotliDecompressSync(Buffer.from(base64, 'base64'));
export const binaries = { glibc: () => unpack(${JSON.stringify(glibc)}), musl: () => unpack(${JSON.stringify(musl)}) };`,
        loader: 'js',
      };
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
  // ESM dependencies (yargs) read import.meta.url, which CommonJS output does not have.
  define: { 'import.meta.url': '__importMetaUrl', __VERSION__: JSON.stringify(pkg.version) },
  banner: { js: "#!/usr/bin/env node\nconst __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [embeddedKoffi],
  logLevel: 'warning',
});
