/** The package version, set by scripts/build.mjs. */
declare const __VERSION__: string;
