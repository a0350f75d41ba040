/**
 * When a filtered kNN search should scan the matching rows exactly instead of walking the
 * index with the filter inside: a scan of a small table is cheaper than a walk, and a walk
 * under a filter that keeps very few rows visits most of the graph to find ef matching ones.
 * Exact search evaluates the filter on every row, so above these limits it is the slow
 * choice: on 100k×128 at 10% and 1% it took 35–45 ms a query, the filtered walk ~0.3 and
 * ~3.5 ms.
 */
const EXACT_SEARCH_MAX_ROWS = 10_000;
const EXACT_SEARCH_MAX_SELECTIVITY = 0.005;
const SELECTIVITY_SAMPLE = 1_000;

/** Whether `rows` rows of which `selectivity` pass the filter are better searched exactly. */
export function preferExact(rows: number, selectivity: number): boolean {
  return rows <= EXACT_SEARCH_MAX_ROWS || selectivity <= EXACT_SEARCH_MAX_SELECTIVITY;
}

/**
 * Whether the `rows` rows a key lookup found (of a table of `capacity` row ids) are better
 * searched exactly than walked. An exact search reads each of them once (~0.8 µs a row); a
 * walk under a filter visits about ef / selectivity nodes of the graph, so it costs about
 * capacity / rows. Measured on 50k × 128 sealed rows, ef 40: 500 rows found, walk 5.1 ms vs
 * exact 0.8 ms; 5,000 rows, walk 1.9 ms vs exact 4.5 ms — even near rows² = 50 × capacity.
 */
export function preferExactAmong(rows: number, capacity: number): boolean {
  return rows <= KEYED_EXACT_MIN_ROWS || rows * rows <= KEYED_EXACT_FACTOR * capacity;
}
const KEYED_EXACT_MIN_ROWS = 2_000;
const KEYED_EXACT_FACTOR = 50;

/**
 * Fraction of the row ids below `capacity` that pass `accept`, from a sample of
 * SELECTIVITY_SAMPLE of them: one at a pseudo-random place in each of as many equal runs.
 * (Evenly spaced ids would see only one residue of the spacing — every third row of a
 * table, which a filter on `id % 3`, or an index shard, lines up with.)
 */
export function selectivity(capacity: number, accept: (rowId: number) => boolean): number {
  if (capacity === 0) return 0;
  const run = Math.max(1, Math.floor(capacity / SELECTIVITY_SAMPLE));
  let sampled = 0;
  let passed = 0;
  let seed = 0x9e3779b9;
  for (let start = 0; start < capacity; start += run) {
    // xorshift32: the same sample for the same table, so a plan's choice does not flicker.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    const rowId = start + ((seed >>> 0) % run);
    if (rowId >= capacity) break;
    sampled++;
    if (accept(rowId)) passed++;
  }
  return passed / sampled;
}

/** `accept` for the rows among `rowIds` (ids below `capacity`); others fail without being read. */
export function amongRows(
  rowIds: readonly number[],
  capacity: number,
  accept: (rowId: number) => boolean,
): (rowId: number) => boolean {
  const bits = new Uint8Array((capacity >>> 3) + 1);
  for (const rowId of rowIds) bits[rowId >>> 3] |= 1 << (rowId & 7);
  return (rowId) => (bits[rowId >>> 3] & (1 << (rowId & 7))) !== 0 && accept(rowId);
}
