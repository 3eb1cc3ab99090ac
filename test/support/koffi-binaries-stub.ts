// The build embeds koffi's native binaries as a virtual module (scripts/build.mjs); unit tests that
// import the reaper never load them, and fail loudly if they try.
export const koffiVersion = 'unit-test';
const unavailable = (): Buffer => {
  throw new Error('koffi binaries are only embedded in the built bundle: test FFI through the bundle');
};
export const binaries = { glibc: unavailable, musl: unavailable };
