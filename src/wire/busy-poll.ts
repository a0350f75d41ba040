/**
 * Busy-polling before the event loop sleeps. On a virtual machine whose idle vCPUs halt (no
 * halt-polling in the guest, as on this project's Firecracker machines), the event loop that
 * goes to sleep in epoll right after answering a query pays a wake-up on the next one: tens
 * of microseconds of exit latency and cold caches, which a client that sends its next query
 * a few hundred microseconds later waits for every time. For `micros` after the last
 * activity the loop keeps turning instead (a setImmediate chain: libuv then polls with a zero
 * timeout), so input that arrives within the window is read at once. Measured on 100k×128 kNN
 * (bench/query-cpu.ts, docs/decisions.md): 150 µs gave +19% QPS at 1 connection, +10% at 2,
 * +3% at 4. The price is up to `micros` of CPU per idle gap; none once traffic stops.
 */

let windowMs = 0;
let until = 0;
let polling = false;

/** Sets the window (0 turns busy-polling off); `quiver serve --busy-poll`. */
export function setBusyPoll(micros: number): void {
  windowMs = Math.max(0, micros) / 1000;
}

/** Activity: keep the event loop turning for the window from now. */
export function keepPolling(): void {
  if (windowMs === 0) return;
  until = performance.now() + windowMs;
  if (polling) return;
  polling = true;
  setImmediate(poll);
}

/** Whether the loop is being kept turning now (for tests and metrics). */
export function isPolling(): boolean {
  return polling;
}

function poll(): void {
  if (performance.now() < until) setImmediate(poll);
  else polling = false;
}
