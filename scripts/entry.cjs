#!/usr/bin/env node
'use strict';
// The entry of both builds: it compiles the bundle (dist/backend-supervisor.bundle.cjs) with the V8
// code cache that scripts/build.mjs makes by running a plain init once. Without a cache, compiling
// the bundle was most of a start; with it, V8 deserialises what that start compiled.
// - dist/backend-supervisor.cjs: this file with the bundle embedded below as a string (by
//   scripts/build.mjs), the cache in the file beside it.
// - the single executable (scripts/build-executable.mjs): this file as its main script, the bundle
//   and the cache as assets of its blob. (Node's own code cache for a single executable is made by
//   compiling alone, without running: it held a fraction of what a start compiles.)
// A cache that does not fit (another node version, other V8 flags) is rejected by V8 and the bundle
// is compiled as usual; without the cache (the .cjs copied alone) likewise.
const { Script } = require('node:vm');
const sea = require('node:sea');
// No V8 flags are set before this: V8 accepts a code cache only under the flags it was made with.

const inExecutable = sea.isSea();
const BUNDLE = inExecutable ? sea.getAsset('bundle', 'utf8') : '/* BUNDLE */';

let cachedData;
try {
  cachedData = inExecutable ? new Uint8Array(sea.getRawAsset('cache')) : require('node:fs').readFileSync(`${__filename}.cache`);
} catch {}
// Stack traces name the bundle file, whose lines they match (the build keeps the shebang line, blank).
const filename = require('node:path').join(__dirname, 'backend-supervisor.bundle.cjs');
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${BUNDLE}\n})`, { filename, cachedData });
const writeCache = process.env.BACKEND_SUPERVISOR_BUILD_CODE_CACHE;
if (writeCache) {
  delete process.env.BACKEND_SUPERVISOR_BUILD_CODE_CACHE;
  process.once('exit', () => require('node:fs').writeFileSync(writeCache, script.createCachedData()));
}
script.runInThisContext()(exports, require, module, __filename, __dirname);
