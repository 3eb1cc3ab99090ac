import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Reports, on stderr, whether V8 took the code cache the entry hands to vm.Script.
const PRELOAD = `const vm = require('node:vm');
const Original = vm.Script;
vm.Script = class extends Original {
  constructor(source, options) {
    super(source, options);
    if (options && options.cachedData) process.stderr.write('code cache rejected=' + this.cachedDataRejected + '\\n');
  }
};
`;

/** A file to preload (`--require`, or NODE_OPTIONS for the single executable) that says whether V8 accepted the code cache. */
export function codeCacheReporter(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'bs-preload-')), 'report-code-cache.cjs');
  writeFileSync(file, PRELOAD);
  return file;
}
