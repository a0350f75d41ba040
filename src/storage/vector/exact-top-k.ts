import type { SearchResult } from '../vector-index.ts';
import type { DistanceFunction } from './distance.ts';
import { DistanceHeap } from './distance-heap.ts';

/** One row offered to an exact scan. */
export interface ExactCandidate<V> {
  readonly rowId: number;
  readonly vector: V;
}

/**
 * Exact k nearest rows by brute force: the plan without a vector index, the fallback when a
 * filter is so selective that an index search would visit most of the graph anyway (see
 * DESIGN §4), and the ground truth of recall tests. Same results as an index with perfect
 * recall, ordered nearest first with ties by row id; a bounded heap keeps memory at O(k).
 */
export function exactTopK<V>(
  candidates: Iterable<ExactCandidate<V>>,
  query: V,
  k: number,
  distance: DistanceFunction<V>,
): SearchResult {
  const heap = new DistanceHeap('max', Math.min(k, 1024));
  if (k <= 0) return heap.drainAscending();
  for (const candidate of candidates) {
    heap.offer(distance(query, candidate.vector), candidate.rowId, k);
  }
  return heap.drainAscending();
}

/**
 * The same over parallel arrays (row ids and vectors), which avoids one object per row when
 * the caller already holds columns, e.g. a growing segment's id and vector columns.
 */
export function exactTopKColumns<V>(
  rowIds: ArrayLike<number>,
  vectors: ArrayLike<V>,
  query: V,
  k: number,
  distance: DistanceFunction<V>,
  filter?: (rowId: number) => boolean,
): SearchResult {
  const heap = new DistanceHeap('max', Math.min(k, 1024));
  if (k <= 0) return heap.drainAscending();
  for (let i = 0; i < rowIds.length; i++) {
    const rowId = rowIds[i];
    if (filter !== undefined && !filter(rowId)) continue;
    heap.offer(distance(query, vectors[i]), rowId, k);
  }
  return heap.drainAscending();
}
