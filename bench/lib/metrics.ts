/** How answers and timings are scored: recall against the exact answer, latency percentiles. */

/**
 * Recall@k: the share of the exact answer's ids that came back. When fewer than k rows
 * match a filter the exact answer is shorter, and returning all of them is full recall.
 */
export function recall(returned: readonly number[], exact: readonly number[]): number {
  if (exact.length === 0) return 1;
  const wanted = new Set(exact);
  let hits = 0;
  for (const id of returned) if (wanted.has(id)) hits++;
  return hits / exact.length;
}

/** The p-th percentile (0…100) by nearest rank, as latency reports usually define it. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
