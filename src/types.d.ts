/** Provided by scripts/build.mjs: koffi's native binaries for the build machine's architecture. */
declare module 'virtual:koffi-binaries' {
  export const koffiVersion: string;
  export const binaries: { glibc: () => Buffer; musl: () => Buffer };
}

/** The package version, set by scripts/build.mjs. */
declare const __VERSION__: string;
