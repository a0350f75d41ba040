/**
 * Exact top-k over a table's rows that pass a check, ranked by the index's SQL operator
 * itself (so ties and rounding match `ORDER BY col <op> q`): the fallback of every kNN
 * search, over the whole table or over one index shard's rows.
 */
import type { IndexDef } from '../catalog/catalog-types.ts';
import { indexable } from '../storage/vector/column-index.ts';
import { DistanceHeap } from '../storage/vector/distance-heap.ts';
import type { SearchResult } from '../storage/vector-index.ts';
import { metricFor, type VectorLikeType } from '../types/distance-metric.ts';
import type { Value } from '../types/type.ts';

/**
 * The `k` nearest of `rowIds` (default: every row of the table) that pass `accept` and have
 * a key, nearest first; `checkInterrupt` is called every 4,096 rows.
 */
export function exactNearest(
  index: IndexDef,
  query: Value,
  k: number,
  accept: (rowId: number) => boolean,
  checkInterrupt: () => void,
  rowIds: Iterable<number> = strided(0, 1, index.table.store.capacity),
): SearchResult {
  const distance = metricFor(index.operator!, index.keyType.base as VectorLikeType)!.fn;
  const store = index.table.store;
  // The bounded heap the exact scans of src/storage use: nearest first, ties by row id.
  const best = new DistanceHeap('max', Math.min(k, 1024));
  let scanned = 0;
  for (const rowId of rowIds) {
    if ((++scanned & 4095) === 0) checkInterrupt();
    if (!accept(rowId)) continue;
    const value = index.keyOf(store.row(rowId));
    if (!indexable(value, index.metric!)) continue;
    const d = distance(value, query);
    if (!Number.isNaN(d)) best.offer(d, rowId, k);
  }
  return best.drainAscending();
}

/** Row ids `first`, `first + step`, … below `end` (an index shard's: row r is in shard r mod n). */
export function* strided(first: number, step: number, end: number): Generator<number> {
  for (let rowId = first; rowId < end; rowId += step) yield rowId;
}
