import { existsSync } from 'node:fs';
import path from 'node:path';

/** The libc calls Node does not offer: waitpid for one given pid, prctl, and exec. */
export interface Libc {
  /** Reaps `pid` if it has exited; returns the pid, 0 if it is still running, -1 on error. */
  waitpidNoHang(pid: number): number;
  becomeSubreaper(): boolean;
  /** prctl(PR_SET_PDEATHSIG): the kernel sends `signal` to this process when its parent dies. */
  setParentDeathSignal(signal: number): boolean;
  /**
   * Replaces this process with `file` (searched on PATH), as a fresh child of Node's would start:
   * stdio inherited (Node marks it close-on-exec), blocking again (libuv sets O_NONBLOCK), and SIGPIPE/SIGXFSZ no longer ignored (Node
   * ignores them, and ignored signals survive exec). Returns errno only if exec failed.
   */
  exec(file: string, args: string[]): number;
}

const WNOHANG = 1;
const PR_SET_CHILD_SUBREAPER = 36;
const PR_SET_PDEATHSIG = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;
const SIGNALS_NODE_IGNORES = [13, 25]; // SIGPIPE, SIGXFSZ

let loaded: Libc | undefined;

/** Loaded on first use only: most containers never need it, and start-up stays fast. */
export function libc(): Libc {
  loaded ??= loadLibc();
  return loaded;
}

interface Koffi {
  load(name: string): { func(declaration: string): (...args: unknown[]) => number };
  errno(): number;
}

function loadLibc(): Libc {
  const koffi = loadKoffi();
  const library = openLibc(koffi);
  const waitpid = library.func('int waitpid(int pid, _Out_ int *status, int options)');
  const prctl = library.func('int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)');
  const fcntl = library.func('int fcntl(int fd, int cmd, ...)');
  const signal = library.func('void *signal(int signum, void *handler)');
  const execvp = library.func('int execvp(const char *file, const char **argv)');
  return {
    waitpidNoHang: (pid) => waitpid(pid, [0], WNOHANG),
    becomeSubreaper: () => prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) === 0,
    setParentDeathSignal: (signum) => prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) === 0,
    exec: (file, args) => {
      for (const fd of [0, 1, 2]) {
        fcntl(fd, F_SETFD, 'int', 0);
        // libuv made the pipes non-blocking, and that flag survives exec: a program that does not
        // expect EAGAIN (Python) would lose output whenever the pipe is full.
        const flags = fcntl(fd, F_GETFL, 'int', 0);
        if (flags >= 0 && (flags & O_NONBLOCK) !== 0) fcntl(fd, F_SETFL, 'int', flags & ~O_NONBLOCK);
      }
      for (const signum of SIGNALS_NODE_IGNORES) signal(signum, null);
      execvp(file, [file, ...args, null]);
      return koffi.errno();
    },
  };
}

const MUSL_ARCH = process.arch === 'x64' ? 'x86_64' : 'aarch64';

/** musl's dynamic loader is in every musl system (Alpine); asking process.report instead costs milliseconds at start. */
function isMusl(): boolean {
  return existsSync(`/lib/ld-musl-${MUSL_ARCH}.so.1`);
}

/**
 * koffi's native module ships as a file beside the executable or the bundle (dist/), where the build
 * put it: loaded in place, it needs no writable directory (a read-only root filesystem works). The
 * executable's directory comes first: in a single executable (and its startup snapshot) __filename
 * is not where the file is.
 */
export function koffiModulePath(variant: 'glibc' | 'musl' = isMusl() ? 'musl' : 'glibc'): string {
  const name = `koffi-linux-${process.arch}-${variant}.node`;
  const candidates = [path.dirname(process.execPath), path.dirname(__filename)].map((directory) => path.join(directory, name));
  return candidates.find((file) => existsSync(file)) ?? (candidates.at(-1) as string);
}

function loadKoffi(): Koffi {
  const file = koffiModulePath();
  if (!existsSync(file)) throw new Error(`${file} is missing: koffi's native module must be shipped beside backend-supervisor (see the Dockerfile)`);
  const module = { exports: {} as Koffi };
  process.dlopen(module, file);
  return module.exports;
}

function openLibc(koffi: Koffi) {
  const names = ['libc.so.6', `libc.musl-${MUSL_ARCH}.so.1`, 'libc.so'];
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
