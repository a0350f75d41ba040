import type { SearchOptions, VectorIndex } from '../../vector-index.ts';
import type { DistanceFunction } from '../distance.ts';
import { exactTopKColumns } from '../exact-top-k.ts';

/** Exact k nearest row ids per query; row i of `vectors` has row id i. */
export function groundTruth<V>(
  vectors: readonly V[],
  queries: readonly V[],
  k: number,
  distance: DistanceFunction<V>,
  filter?: (rowId: number) => boolean,
): number[][] {
  const rowIds = vectors.map((_, i) => i);
  return queries.map((q) => exactTopKColumns(rowIds, vectors, q, k, distance, filter).rowIds);
}

export interface RecallReport {
  /** Mean over queries of |returned ∩ exact| / |exact|. */
  readonly recall: number;
  /** Mean wall-clock time of one search, in milliseconds. */
  readonly meanQueryMs: number;
  readonly queriesPerSecond: number;
}

/**
 * Recall@k of an index against ground truth, the measure pgvector and ann-benchmarks use.
 * Used by the unit tests and by bench/ (which prints it next to timings).
 */
export function measureRecall<V>(
  index: VectorIndex<V>,
  queries: readonly V[],
  truth: readonly number[][],
  k: number,
  options: SearchOptions = {},
): RecallReport {
  let hits = 0;
  let expected = 0;
  const started = performance.now();
  const results = queries.map((q) => index.search(q, k, options).rowIds);
  const elapsed = performance.now() - started;
  for (let i = 0; i < queries.length; i++) {
    const exact = new Set(truth[i]);
    expected += exact.size;
    for (const id of results[i]) if (exact.has(id)) hits++;
  }
  const meanQueryMs = elapsed / Math.max(1, queries.length);
  return {
    recall: expected === 0 ? 1 : hits / expected,
    meanQueryMs,
    queriesPerSecond: meanQueryMs > 0 ? 1000 / meanQueryMs : Number.POSITIVE_INFINITY,
  };
}
