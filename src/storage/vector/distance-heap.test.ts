import { describe, expect, it } from 'vitest';
import { DistanceHeap, sortsAfter } from './distance-heap.ts';
import { exactTopK, exactTopKColumns } from './exact-top-k.ts';
import { SeededRandom } from './seeded-random.ts';

describe('DistanceHeap', () => {
  it('keeps the k smallest of many, ordered, ties by id', () => {
    const random = new SeededRandom(3);
    const entries = Array.from({ length: 5000 }, (_, id) => ({ id, d: random.nextInt(200) / 7 }));
    const heap = new DistanceHeap('max', 4);
    for (const e of entries) heap.offer(e.d, e.id, 25);
    const expected = [...entries].sort((a, b) => a.d - b.d || a.id - b.id).slice(0, 25);
    expect(heap.drainAscending()).toEqual({
      rowIds: expected.map((e) => e.id),
      distances: expected.map((e) => e.d),
    });
    expect(heap.size).toBe(0);
  });

  it('works as a growable min-heap', () => {
    const heap = new DistanceHeap('min', 1);
    for (const d of [5, 1, 4, 2, 3]) heap.push(d, d * 10);
    expect(heap.topId()).toBe(10);
    expect(heap.drainAscending().distances).toEqual([1, 2, 3, 4, 5]);
  });

  it('sorts NaN after every number, as PostgreSQL orders float8', () => {
    expect(sortsAfter(Number.NaN, 1, Number.POSITIVE_INFINITY, 2)).toBe(true);
    expect(sortsAfter(1, 1, Number.NaN, 0)).toBe(false);
    const heap = new DistanceHeap('max');
    for (const [d, id] of [
      [Number.NaN, 1],
      [3, 2],
      [1, 3],
    ]) {
      heap.offer(d, id, 2);
    }
    expect(heap.drainAscending().rowIds).toEqual([3, 2]);
  });

  it('offer with limit 0 keeps nothing', () => {
    const heap = new DistanceHeap('max');
    expect(heap.offer(1, 1, 0)).toBe(false);
    expect(heap.size).toBe(0);
  });
});

describe('exactTopK', () => {
  const vectors = [[0], [5], [2], [9], [1]].map((v) => Float32Array.from(v));
  const distance = (a: Float32Array, b: Float32Array): number => Math.abs(a[0] - b[0]);

  it('returns the k nearest rows from an iterable', () => {
    const rows = vectors.map((vector, i) => ({ rowId: 100 + i, vector }));
    expect(exactTopK(rows, Float32Array.of(1.6), 3, distance).rowIds).toEqual([102, 104, 100]);
    expect(exactTopK(rows, Float32Array.of(1.6), 0, distance).rowIds).toEqual([]);
    expect(exactTopK(rows, Float32Array.of(1.6), 99, distance).rowIds).toHaveLength(5);
  });

  it('applies a filter over columns', () => {
    const ids = [10, 11, 12, 13, 14];
    const result = exactTopKColumns(ids, vectors, Float32Array.of(1.6), 2, distance, (id) => id !== 12);
    expect(result.rowIds).toEqual([14, 10]);
    expect(result.distances[0]).toBeCloseTo(0.6, 6);
  });
});
