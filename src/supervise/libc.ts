import { existsSync } from 'node:fs';
import path from 'node:path';

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
 * koffi's native module ships as a file beside the bundle (dist/) or the executable, as the build
 * put it there: loaded in place, it needs no writable directory (a read-only root filesystem works).
 * In a single executable, __filename is the executable's path.
 */
export function koffiModulePath(variant: 'glibc' | 'musl' = isMusl() ? 'musl' : 'glibc'): string {
  return path.join(path.dirname(__filename), `koffi-linux-${process.arch}-${variant}.node`);
}

function loadKoffi(): Koffi {
  const file = koffiModulePath();
  if (!existsSync(file)) throw new Error(`${file} is missing: koffi's native module must be shipped beside backend-supervisor (see the Dockerfile)`);
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
