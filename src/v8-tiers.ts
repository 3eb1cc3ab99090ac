import { setFlagsFromString } from 'node:v8';

/**
 * V8's optimising compilers off from here on (the interpreter and baseline code only). Reading a
 * long history is the one hot loop of a start: TurboFan compiled it, and its code and work stayed
 * resident (about 6.5 MiB while supervising, 304 revisions) for a parse of tens of milliseconds
 * either way. Not at start: once a V8 flag changes, V8 refuses the code cache Node ships for its own
 * modules, and each built-in module loaded afterwards is compiled from source (about 8 ms of a
 * start at head). Called when the driver and its built-ins are loaded and the scripts are read.
 */
export function stopOptimisingCompilers(): void {
  setFlagsFromString('--max-opt=1');
}
