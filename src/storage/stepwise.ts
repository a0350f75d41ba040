/**
 * Long CPU work written as a generator that yields between its steps, so the same code runs
 * at once (small inputs, tests) or in slices between turns of the event loop: a checkpoint
 * encoding a big table must not keep a cluster node from renewing its lease or answering
 * queries for the whole encoding.
 */
export type Steps<T> = Generator<void, T, void>;

/** Runs every step now. */
export function runAtOnce<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** A slice ends at the first step boundary after this long; then other work runs. */
const SLICE_MS = 20;

/** Runs the steps in slices of about SLICE_MS (a single step may take longer). */
export async function runInSlices<T>(steps: Steps<T>): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStart >= SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
}
