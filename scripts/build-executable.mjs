#!/usr/bin/env node
// Turns dist/backend-supervisor.bundle.cjs into a Node single executable application (SEA):
// dist/backend-supervisor, one file holding a copy of the node binary with the bundle injected.
// It is what the container image ships as /usr/local/bin/backend-supervisor, with koffi's native
// modules (dist/koffi-*.node, put there by `npm run build`) beside it: they are copied next to --output.
//
//   node scripts/build-executable.mjs [--no-code-cache] [--snapshot] [--no-strip] [--node PATH] [--output PATH]
//
// --node      the node binary to embed (default: the one running this script). The blob is generated
//             by that same binary, since a SEA blob (and its V8 code cache) only fits the exact node
//             version that produced it.
// --no-code-cache   do not embed the V8 code cache made by `npm run build` (it is on by default: it
//             saves start-up time, see README).
// --snapshot  embed a V8 startup snapshot of the loaded, initialised bundle instead (SEA_SNAPSHOT=1):
//             less CPU at start, about 5 MiB more memory; see README, "Container image".
// --no-strip  keep the node binary's symbols (by default they are stripped with `strip` if it is on PATH:
//             Debian/NodeSource's node carries ~10 MB of debug info that no container needs).
//
// postject (the injector) is resolved from node_modules (a devDependency); if it is missing the
// script says so and stops, rather than downloading it.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SENTINEL = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

function parseArgs(argv) {
  const options = {
    input: path.join(REPO, 'dist/backend-supervisor.bundle.cjs'),
    output: path.join(REPO, 'dist/backend-supervisor'),
    node: process.execPath,
    codeCache: process.env.SEA_CODE_CACHE !== '0',
    strip: process.env.SEA_STRIP !== '0',
    snapshot: process.env.SEA_SNAPSHOT === '1',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--no-code-cache') options.codeCache = false;
    else if (arg === '--code-cache') options.codeCache = true;
    else if (arg === '--no-strip') options.strip = false;
    else if (arg === '--snapshot') options.snapshot = true;
    else if (arg === '--no-snapshot') options.snapshot = false;
    else if (arg === '--node') options.node = path.resolve(value());
    else if (arg === '--output') options.output = path.resolve(value());
    else if (arg === '--input') options.input = path.resolve(value());
    else fail(`unknown argument ${arg}`);
  }
  return options;
}

function fail(message) {
  console.error(`build-executable: ${message}`);
  process.exit(1);
}

function run(command, args, what) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error) fail(`${what}: ${result.error.message}`);
  if (result.status !== 0) fail(`${what}: ${command} exited with ${result.status ?? result.signal}`);
}

function loadPostject() {
  const require = createRequire(path.join(REPO, 'package.json'));
  try {
    return require('postject');
  } catch {
    fail('the postject package is missing: it is a devDependency, run `npm ci` (or `npm install --no-save postject`)');
  }
}

const options = parseArgs(process.argv.slice(2));
if (!existsSync(options.input)) fail(`${options.input} is missing: run \`npm run build\` first`);
if (!readFileSync(options.node).includes(SENTINEL)) fail(`${options.node} has no SEA fuse: it cannot become a single executable`);
const nodeVersion = spawnSync(options.node, ['--version'], { encoding: 'utf8' }).stdout.trim();
// Assets in a single executable (the bundle and its code cache) came with node 20.12.
const [major = 0, minor = 0] = nodeVersion.replace(/^v/, '').split('.').map(Number);
if (major < 20 || (major === 20 && minor < 12)) fail(`${options.node} is node ${nodeVersion || '?'}: the single executable needs node >= 20.12 (assets)`);

const work = mkdtempSync(path.join(tmpdir(), 'bs-sea-'));
try {
  // A main script is compiled as the body of the CommonJS wrapper function, where `#!` is a syntax
  // error: the shebang line is blanked (line numbers stay the same).
  const blank = (text) => (text.startsWith('#!') ? text.replace(/^#![^\n]*/, '') : text);
  const source = blank(readFileSync(options.input, 'utf8'));
  const main = path.join(work, 'main.cjs');
  const blob = path.join(work, 'sea-prep.blob');
  const config = path.join(work, 'sea-config.json');
  let seaConfig;
  if (options.snapshot) {
    writeFileSync(main, source);
    seaConfig = { main, output: blob, disableExperimentalSEAWarning: true, useSnapshot: true };
  } else {
    // The entry of dist/backend-supervisor.cjs, with the bundle and the code cache `npm run build`
    // made (by running a plain init) as assets: see scripts/entry.cjs.
    const bundle = path.join(work, 'bundle.cjs');
    writeFileSync(bundle, source);
    writeFileSync(main, blank(readFileSync(path.join(REPO, 'scripts/entry.cjs'), 'utf8')));
    const cache = path.join(path.dirname(options.input), 'backend-supervisor.cjs.cache');
    if (options.codeCache && !existsSync(cache)) fail(`${cache} is missing: run \`npm run build\` first`);
    seaConfig = { main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: options.codeCache, assets: { bundle, ...(options.codeCache ? { cache } : {}) } };
  }
  writeFileSync(config, JSON.stringify(seaConfig, null, 2));
  run(options.node, ['--experimental-sea-config', config], 'generating the SEA blob');

  const binary = path.join(work, 'backend-supervisor');
  copyFileSync(options.node, binary);
  chmodSync(binary, 0o755);
  if (options.strip) {
    // strip warns about every one of NodeSource's unnamed .note sections: show its output only on failure.
    const strip = spawnSync('strip', ['--strip-all', binary], { encoding: 'utf8' });
    if (strip.error) console.error('build-executable: `strip` (binutils) not found: keeping the symbols');
    else if (strip.status !== 0) fail(`strip failed: ${strip.stderr}`);
  }

  const { inject } = loadPostject();
  await inject(binary, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SENTINEL, overwrite: false });
  chmodSync(binary, 0o755);

  // Proves the result starts, and is the SEA (not a plain node that would ignore the blob).
  const check = spawnSync(binary, ['--version'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  if (check.status !== 0 || !/^\d+\.\d+\.\d+/.test(check.stdout.trim())) {
    fail(`the executable does not run: exit ${check.status}, output ${JSON.stringify(check.stdout + check.stderr)}`);
  }
  mkdirSync(path.dirname(options.output), { recursive: true });
  copyFileSync(binary, options.output);
  chmodSync(options.output, 0o755);
  const natives = readdirSync(path.dirname(options.input)).filter((name) => /^koffi-.*\.node$/.test(name));
  if (natives.length === 0) fail(`no koffi-*.node beside ${options.input}: run \`npm run build\` first`);
  for (const name of natives) {
    const target = path.join(path.dirname(options.output), name);
    if (path.resolve(target) !== path.resolve(path.dirname(options.input), name)) copyFileSync(path.join(path.dirname(options.input), name), target);
  }
  const size = (statSync(options.output).size / 1024 / 1024).toFixed(1);
  console.log(
    `build-executable: ${path.relative(process.cwd(), options.output) || options.output} (${size} MiB, node ${nodeVersion}, ` +
      `${options.snapshot ? 'startup snapshot' : `code cache ${options.codeCache ? 'on' : 'off'}`}, backend-supervisor ${check.stdout.trim()})`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
