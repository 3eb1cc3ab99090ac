import { chmodSync, existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { binaries, koffiVersion } from 'virtual:koffi-binaries';

/** The two libc calls Node does not offer: waitpid for one given pid, and prctl. */
export interface Libc {
  /** Reaps `pid` if it has exited; returns the pid, 0 if it is still running, -1 on error. */
  waitpidNoHang(pid: number): number;
  becomeSubreaper(): boolean;
}

const WNOHANG = 1;
const PR_SET_CHILD_SUBREAPER = 36;

let loaded: Libc | undefined;

/** Loaded on first use only: most containers never need it, and start-up stays fast. */
export function libc(): Libc {
  loaded ??= loadLibc();
  return loaded;
}

interface Koffi {
  load(name: string): { func(declaration: string): (...args: unknown[]) => number };
}

function loadLibc(): Libc {
  const koffi = loadKoffi();
  const library = openLibc(koffi);
  const waitpid = library.func('int waitpid(int pid, _Out_ int *status, int options)');
  const prctl = library.func('int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)');
  return {
    waitpidNoHang: (pid) => waitpid(pid, [0], WNOHANG),
    becomeSubreaper: () => prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) === 0,
  };
}

function isMusl(): boolean {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return !report?.header?.glibcVersionRuntime;
}

/**
 * The koffi binary travels inside the bundle; Node can only load a native module from a file, so
 * it is written once to the temporary directory (TMPDIR) and loaded from there.
 */
function loadKoffi(): Koffi {
  const variant = isMusl() ? 'musl' : 'glibc';
  const binary = binaries[variant]();
  const uid = process.getuid?.() ?? 0;
  const file = path.join(tmpdir(), `backend-supervisor-koffi-${koffiVersion}-${process.arch}-${variant}-${uid}.node`);
  if (!existsSync(file) || statSync(file).size !== binary.length) {
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, binary, { mode: 0o700 });
    chmodSync(partial, 0o700);
    renameSync(partial, file);
  }
  const module = { exports: {} as Koffi };
  process.dlopen(module, file);
  return module.exports;
}

function openLibc(koffi: Koffi) {
  const names = ['libc.so.6', `libc.musl-${process.arch === 'x64' ? 'x86_64' : 'aarch64'}.so.1`, 'libc.so'];
  let lastError: unknown;
  for (const name of names) {
    try {
      return koffi.load(name);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
