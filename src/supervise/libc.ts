import { chmodSync, existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { binaries, koffiVersion } from 'virtual:koffi-binaries';

/** The libc calls Node does not offer: waitpid for one given pid, prctl, and exec. */
export interface Libc {
  /** Reaps `pid` if it has exited; returns the pid, 0 if it is still running, -1 on error. */
  waitpidNoHang(pid: number): number;
  becomeSubreaper(): boolean;
  /** prctl(PR_SET_PDEATHSIG): the kernel sends `signal` to this process when its parent dies. */
  setParentDeathSignal(signal: number): boolean;
  /**
   * Replaces this process with `file` (searched on PATH), as a fresh child of Node's would start:
   * stdio inherited (Node marks it close-on-exec) and SIGPIPE/SIGXFSZ no longer ignored (Node
   * ignores them, and ignored signals survive exec). Returns errno only if exec failed.
   */
  exec(file: string, args: string[]): number;
}

const WNOHANG = 1;
const PR_SET_CHILD_SUBREAPER = 36;
const PR_SET_PDEATHSIG = 1;
const F_SETFD = 2;
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
      for (const fd of [0, 1, 2]) fcntl(fd, F_SETFD, 'int', 0);
      for (const signum of SIGNALS_NODE_IGNORES) signal(signum, null);
      execvp(file, [file, ...args, null]);
      return koffi.errno();
    },
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
