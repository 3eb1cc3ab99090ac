#!/usr/bin/env node
'use strict';
// dist/backend-supervisor.cjs: the bundle (dist/backend-supervisor.bundle.cjs, embedded below as a
// string by scripts/build.mjs) compiled with the V8 code cache beside this file, made at build time
// by running a plain init once. Without the cache, compiling the bundle was most of a start; with
// it, V8 deserialises what that start compiled. A cache that does not fit (another node version,
// other V8 flags) is rejected by V8 and the bundle is compiled as usual; without the cache file
// (this file copied alone) likewise.
const { readFileSync, writeFileSync } = require('node:fs');
const { Script } = require('node:vm');
// No V8 flags are set before this: V8 accepts a code cache only under the flags it was made with.

const BUNDLE = '/* BUNDLE */';

let cachedData;
try {
  cachedData = readFileSync(`${__filename}.cache`);
} catch {}
// Stack traces name the bundle file beside this one, whose lines they match (the build keeps the shebang line, blank).
const filename = require('node:path').join(__dirname, 'backend-supervisor.bundle.cjs');
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${BUNDLE}\n})`, { filename, cachedData });
const writeCache = process.env.BACKEND_SUPERVISOR_BUILD_CODE_CACHE;
if (writeCache) {
  delete process.env.BACKEND_SUPERVISOR_BUILD_CODE_CACHE;
  process.once('exit', () => writeFileSync(writeCache, script.createCachedData()));
}
script.runInThisContext()(exports, require, module, __filename, __dirname);
