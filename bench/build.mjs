// Bundles the benchmark (bench/bench.ts and the test helpers it shares) into .tmp/bench.mjs.
// Each module keeps its own source location as import.meta.url, so helpers that find the
// repository or files beside themselves (test/support/paths.ts, postgres.ts) work as in the tests.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [path.join(repo, 'bench/bench.ts')],
  outfile: path.join(repo, '.tmp/bench.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
  plugins: [
    {
      name: 'source-location',
      setup(builder) {
        builder.onLoad({ filter: /\.ts$/ }, async (args) => ({
          contents: (await readFile(args.path, 'utf8')).replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
          loader: 'ts',
        }));
      },
    },
  ],
});
