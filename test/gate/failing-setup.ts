/** Must fail the run: a global setup that throws. */
export default function setup(): void {
  throw new Error('the global setup failed on purpose');
}
