import type { SearchResult } from '../vector-index.ts';

/**
 * Binary heap of (distance, id) pairs in typed arrays, the building block of every top-k in
 * Quiver: exact scans, IVFFlat list scans, the TypeScript HNSW and the executor's
 * `ORDER BY … LIMIT k`. Keeping only k entries in a max-heap makes a top-k O(n log k)
 * with no per-row allocation, instead of sorting all n rows.
 *
 * Order is PostgreSQL's float8 order (NaN after every number, as `ORDER BY` puts a NaN
 * distance last) with ties broken by the smaller id, so results are deterministic.
 * Ids are stored as float64, so any safe integer is a valid id.
 */
export class DistanceHeap {
  private distances: Float64Array;
  private ids: Float64Array;
  private count = 0;

  /** `kind` 'max' keeps the farthest entry on top (bounded top-k); 'min' the nearest (candidate queues). */
  constructor(
    readonly kind: 'max' | 'min',
    initialCapacity = 16,
  ) {
    const capacity = Math.max(1, initialCapacity);
    this.distances = new Float64Array(capacity);
    this.ids = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Distance of the top entry; undefined behaviour when empty (check `size` first). */
  topDistance(): number {
    return this.distances[0];
  }

  topId(): number {
    return this.ids[0];
  }

  clear(): void {
    this.count = 0;
  }

  push(distance: number, id: number): void {
    if (this.count === this.distances.length) this.grow();
    let i = this.count++;
    // Sift up: move parents down until the new entry's slot is found.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.above(distance, id, this.distances[parent], this.ids[parent])) break;
      this.distances[i] = this.distances[parent];
      this.ids[i] = this.ids[parent];
      i = parent;
    }
    this.distances[i] = distance;
    this.ids[i] = id;
  }

  /** Removes the top entry (read it first with topDistance/topId). */
  pop(): void {
    if (this.count === 0) return;
    const last = --this.count;
    if (last > 0) this.siftDown(this.distances[last], this.ids[last]);
  }

  /**
   * Bounded insert for a max-heap: keeps the `limit` nearest entries seen so far.
   * Returns whether the entry was kept.
   */
  offer(distance: number, id: number, limit: number): boolean {
    if (this.count < limit) {
      this.push(distance, id);
      return true;
    }
    if (limit === 0 || !sortsAfter(this.distances[0], this.ids[0], distance, id)) return false;
    // Replace the current worst in place: one sift-down instead of pop + push.
    this.siftDown(distance, id);
    return true;
  }

  /** Empties the heap into a result ordered nearest first. */
  drainAscending(): SearchResult {
    const n = this.count;
    const rowIds = new Array<number>(n);
    const distances = new Array<number>(n);
    if (this.kind === 'max') {
      for (let i = n - 1; i >= 0; i--) {
        distances[i] = this.distances[0];
        rowIds[i] = this.ids[0];
        this.pop();
      }
    } else {
      for (let i = 0; i < n; i++) {
        distances[i] = this.distances[0];
        rowIds[i] = this.ids[0];
        this.pop();
      }
    }
    return { rowIds, distances };
  }

  private siftDown(distance: number, id: number): void {
    const n = this.count;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (
        right < n &&
        this.above(this.distances[right], this.ids[right], this.distances[child], this.ids[child])
      ) {
        child = right;
      }
      if (!this.above(this.distances[child], this.ids[child], distance, id)) break;
      this.distances[i] = this.distances[child];
      this.ids[i] = this.ids[child];
      i = child;
    }
    this.distances[i] = distance;
    this.ids[i] = id;
  }

  /** Whether (d1, id1) belongs nearer the top than (d2, id2). */
  private above(d1: number, id1: number, d2: number, id2: number): boolean {
    return this.kind === 'max' ? sortsAfter(d1, id1, d2, id2) : sortsAfter(d2, id2, d1, id1);
  }

  private grow(): void {
    const capacity = this.distances.length * 2;
    const distances = new Float64Array(capacity);
    const ids = new Float64Array(capacity);
    distances.set(this.distances);
    ids.set(this.ids);
    this.distances = distances;
    this.ids = ids;
  }
}

/**
 * Whether (d1, id1) sorts after (d2, id2) in ascending `ORDER BY distance`: NaN after all
 * numbers (PostgreSQL float8 semantics), ties by id.
 */
export function sortsAfter(d1: number, id1: number, d2: number, id2: number): boolean {
  if (d1 > d2) return true;
  if (d1 < d2) return false;
  if (d1 === d2) return id1 > id2;
  // At least one NaN.
  const nan1 = Number.isNaN(d1);
  const nan2 = Number.isNaN(d2);
  if (nan1 && nan2) return id1 > id2;
  return nan1;
}
