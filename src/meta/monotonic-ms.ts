/**
 * Milliseconds on the system's monotonic clock (CLOCK_MONOTONIC through process.hrtime):
 * it never steps with the wall clock, and every thread of the process reads the same one, so
 * a lease renewal timed in the keeper thread compares with a deadline checked on the event
 * loop. Only differences between readings mean anything.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n);
}
