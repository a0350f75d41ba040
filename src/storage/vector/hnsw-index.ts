import hnswlib from 'hnswlib-node';
import type { HnswOptions, SearchOptions, SearchResult } from '../vector-index.ts';
import {
  type BuildableVectorIndex,
  checkDimensions,
  checkRowId,
  DEFAULT_EF_CONSTRUCTION,
  DEFAULT_EF_SEARCH,
  DEFAULT_M,
} from './buildable-index.ts';

/** The metrics hnswlib implements natively; l1 and bit metrics use TsHnswIndex. */
export type HnswlibMetric = 'l2' | 'ip' | 'cosine';

export interface HnswIndexOptions extends Partial<HnswOptions> {
  /** Slots allocated up front; the index doubles its capacity when full. */
  readonly initialCapacity?: number;
  /** Seed of hnswlib's level generator, so the same inserts give the same graph. */
  readonly seed?: number;
}

const MAX_LABEL = 0xffffffff;

/**
 * HNSW over hnswlib-node (native, see DESIGN §2a). hnswlib reports its own distance units,
 * converted here to the SQL operators' units:
 * - 'l2' returns the squared distance → sqrt gives `<->`;
 * - 'ip' returns 1 - a·b → minus 1 gives `<#>` (-a·b);
 * - 'cosine' normalizes inputs and returns 1 - cos, which already is `<=>`.
 * Distances are computed in float32 by hnswlib, like pgvector does.
 *
 * Callers must not add rows pgvector would not index: NULL vectors, and zero vectors under
 * cosine (pgvector skips them; hnswlib would store a zero vector at distance 1 from all).
 * Row ids must fit in uint32 (hnswlib's label width in this binding).
 */
export class HnswIndex implements BuildableVectorIndex {
  readonly method = 'hnsw' as const;
  private readonly native: hnswlib.HierarchicalNSW;
  /** Live row ids: hnswlib's own count includes rows marked deleted. */
  private readonly live = new Set<number>();
  /** hnswlib reads a JS number[]; one reused array avoids an allocation per call. */
  private readonly scratch: number[];
  private capacity: number;

  constructor(
    readonly metric: HnswlibMetric,
    readonly dimensions: number,
    options: HnswIndexOptions = {},
  ) {
    this.capacity = Math.max(16, options.initialCapacity ?? 1024);
    this.native = new hnswlib.HierarchicalNSW(metric, dimensions);
    this.native.initIndex(
      this.capacity,
      options.m ?? DEFAULT_M,
      options.efConstruction ?? DEFAULT_EF_CONSTRUCTION,
      options.seed ?? 100,
    );
    this.scratch = new Array<number>(dimensions).fill(0);
  }

  build(rowIds: ArrayLike<number>, vectors: ArrayLike<Float32Array>): void {
    // Reserve once instead of doubling through the loop: resizeIndex copies the graph.
    this.ensureCapacity(this.native.getCurrentCount() + rowIds.length);
    for (let i = 0; i < rowIds.length; i++) this.add(rowIds[i], vectors[i]);
  }

  add(rowId: number, vector: Float32Array): void {
    checkRowId(rowId, MAX_LABEL);
    checkDimensions(vector.length, this.dimensions);
    // hnswlib updates an existing label in place (and undeletes it), so only new labels use a slot.
    if (!this.live.has(rowId)) this.ensureCapacity(this.native.getCurrentCount() + 1);
    this.native.addPoint(this.toArray(vector), rowId);
    this.live.add(rowId);
  }

  remove(rowId: number): void {
    // markDelete throws on unknown or already-deleted labels; removing a missing row is a no-op.
    if (!this.live.delete(rowId)) return;
    this.native.markDelete(rowId);
  }

  search(query: Float32Array, k: number, options: SearchOptions = {}): SearchResult {
    checkDimensions(query.length, this.dimensions);
    if (k <= 0 || this.live.size === 0) return { rowIds: [], distances: [] };
    // hnswlib rejects k above its capacity; more than the live rows cannot be returned anyway.
    const limit = Math.min(k, this.live.size);
    // hnswlib searches with max(ef, k) itself; set ef so `hnsw.ef_search` applies per query.
    this.native.setEf(Math.max(options.efSearch ?? DEFAULT_EF_SEARCH, limit));
    const raw =
      options.filter === undefined
        ? this.native.searchKnn(this.toArray(query), limit)
        : this.native.searchKnn(this.toArray(query), limit, options.filter);
    return { rowIds: raw.neighbors, distances: raw.distances.map(this.toSqlDistance) };
  }

  size(): number {
    return this.live.size;
  }

  private readonly toSqlDistance = (distance: number): number => {
    switch (this.metric) {
      case 'l2':
        return Math.sqrt(Math.max(0, distance));
      case 'ip':
        return distance - 1;
      case 'cosine':
        // Float rounding can step just outside [0, 2]; pgvector clamps cosine similarity too.
        return Math.min(2, Math.max(0, distance));
    }
  };

  private ensureCapacity(needed: number): void {
    if (needed <= this.capacity) return;
    let capacity = this.capacity;
    while (capacity < needed) capacity *= 2;
    this.native.resizeIndex(capacity);
    this.capacity = capacity;
  }

  private toArray(vector: Float32Array): number[] {
    const out = this.scratch;
    for (let i = 0; i < vector.length; i++) out[i] = vector[i];
    return out;
  }
}
