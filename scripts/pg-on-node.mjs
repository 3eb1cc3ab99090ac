// esbuild plugins that fit the pg driver to Node, for every bundle that carries it: the supervisor's
// (scripts/build.mjs) and the benchmark's floor program (bench/build.mjs), so both start alike.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// pg asks whether it runs in a Cloudflare Worker by constructing a fetch `Response`, which on Node
// loads undici (the whole fetch implementation): about 20 ms of every start that reaches the database.
// The supervisor only ever runs on Node, so the question is answered here, at build time.
const pgRuntime = {
  name: 'pg-on-node',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const asked = 'if (isCloudflareRuntime()) {';
      if (!source.includes(asked)) throw new Error(`${args.path} no longer contains "${asked}": check how this pg version detects its runtime, and update scripts/pg-on-node.mjs`);
      return { contents: source.replace(asked, 'if (false) {'), loader: 'js' };
    });
  },
};

// pg's crypto helpers use WebCrypto (for Cloudflare Workers); src/db/pg-crypto.ts gives the same
// functions on node:crypto, several milliseconds faster per connection. A pg upgrade that changes
// the helpers' names fails the build here.
const PG_CRYPTO_EXPORTS = ['postgresMd5PasswordHash', 'randomBytes', 'deriveKey', 'sha256', 'hashByName', 'hmacSha256', 'md5'];
const pgCrypto = {
  name: 'pg-crypto-on-node',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]pg[\\/]lib[\\/]crypto[\\/]utils\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const exported = /module\.exports = \{([^}]*)\}/.exec(source)?.[1]?.split(',').map((name) => name.trim()).filter(Boolean) ?? [];
      if (exported.sort().join() !== [...PG_CRYPTO_EXPORTS].sort().join()) {
        throw new Error(`${args.path} exports ${exported.join(', ')}, not ${PG_CRYPTO_EXPORTS.join(', ')}: update src/db/pg-crypto.ts and scripts/pg-on-node.mjs for this pg version`);
      }
      return { contents: `module.exports = require(${JSON.stringify(path.join(REPO, 'src/db/pg-crypto.ts'))});`, loader: 'js', resolveDir: path.join(REPO, 'src/db') };
    });
  },
};

export const pgOnNode = [pgRuntime, pgCrypto];
