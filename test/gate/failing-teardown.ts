import { teardownThatCounts } from '../support/teardown.js';

/** Must fail the run: a global teardown that throws, returned the way every real global setup returns its teardown. */
export default function setup(): () => Promise<void> {
  return teardownThatCounts(() => {
    throw new Error('the global teardown failed on purpose');
  });
}
