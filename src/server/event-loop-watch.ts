/**
 * Logs a warning when the event loop was blocked for a long time. A cluster node renews its
 * leases from the event loop, so a block near the lease TTL costs its leadership or its
 * membership; the warning says when and for how long, which is what an operator (and the next
 * developer) needs to find the work that did it.
 */
import type { Logger } from './log.ts';

/** How often the watch looks at the clock. */
const TICK_MS = 100;
/** A tick this much late is reported. */
const REPORT_AFTER_MS = 1000;

/** Starts the watch; it does not keep the process alive. */
export function watchEventLoop(log: Logger): void {
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    const blockedMs = now - last - TICK_MS;
    last = now;
    if (blockedMs >= REPORT_AFTER_MS)
      log.warn({ blockedMs: Math.round(blockedMs) }, 'the event loop was blocked');
  }, TICK_MS).unref();
}
