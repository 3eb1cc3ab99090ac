// Bundles the benchmark (bench/bench.ts and the test helpers it shares) into .tmp/bench.mjs.
// Each module keeps its own source location as import.meta.url, so helpers that find the
// repository or files beside themselves (test/support/paths.ts, postgres.ts) work as in the tests.
// Also builds the floor program (bench/floor.ts) as the supervisor is built: bundled with the same
// pg plugins into .tmp/bench-floor.cjs, in scripts/entry.cjs, whose V8 code cache the bench makes
// by running it once at head (bench/scenarios.ts).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { entryWith } from '../scripts/entry-with.mjs';
import { pgOnNode } from '../scripts/pg-on-node.mjs';

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

const floorBundle = path.join(repo, '.tmp/bench-floor.bundle.cjs');
await build({
  entryPoints: [path.join(repo, 'bench/floor.ts')],
  outfile: floorBundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  plugins: pgOnNode,
  logLevel: 'warning',
});
writeFileSync(path.join(repo, '.tmp/bench-floor.cjs'), entryWith(readFileSync(floorBundle, 'utf8')));
rmSync(path.join(repo, '.tmp/bench-floor.cjs.cache'), { force: true });
