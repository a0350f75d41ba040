import { describe, expect, it } from 'vitest';
import { createBitVectorIndex, createVectorIndex } from './create-vector-index.ts';
import { HnswIndex } from './hnsw-index.ts';
import { IvfflatIndex } from './ivfflat-index.ts';
import { TsHnswIndex } from './ts-hnsw-index.ts';

describe('createVectorIndex', () => {
  it('picks native hnswlib where it has the metric, the TypeScript graph for l1', () => {
    expect(createVectorIndex('hnsw', 'l2', 3)).toBeInstanceOf(HnswIndex);
    expect(createVectorIndex('hnsw', 'cosine', 3, { m: 8, efConstruction: 32 })).toBeInstanceOf(HnswIndex);
    expect(createVectorIndex('hnsw', 'l1', 3)).toBeInstanceOf(TsHnswIndex);
    expect(createVectorIndex('ivfflat', 'ip', 3, { lists: 4 })).toBeInstanceOf(IvfflatIndex);
  });

  it('reports method, metric and dimensions', () => {
    const index = createVectorIndex('ivfflat', 'l2', 3, { lists: 2 });
    expect([index.method, index.metric, index.dimensions]).toEqual(['ivfflat', 'l2', 3]);
  });

  it('answers the pgvector README example the same way for every method', () => {
    const rows = [Float32Array.of(1, 2, 3), Float32Array.of(4, 5, 6)];
    for (const method of ['hnsw', 'ivfflat'] as const) {
      const index = createVectorIndex(method, 'l2', 3, { lists: 1 });
      index.build([1, 2], rows);
      const result = index.search(Float32Array.of(3, 1, 2), 5, {});
      expect(result.rowIds).toEqual([1, 2]);
      expect(result.distances[0]).toBeCloseTo(2.449489742783178, 5);
    }
  });

  it('sends bit metrics to the bit factory', () => {
    expect(() => createVectorIndex('hnsw', 'hamming', 8)).toThrow(/bit vectors/);
    const index = createBitVectorIndex('hnsw', 'hamming', 3);
    index.add(1, Uint8Array.of(0b1010_0000));
    index.add(2, Uint8Array.of(0b1110_0000));
    expect(index.search(Uint8Array.of(0b1110_0000), 2, {})).toEqual({ rowIds: [2, 1], distances: [0, 1] });
    expect(() => createBitVectorIndex('ivfflat', 'hamming', 3)).toThrow(/not supported/);
  });
});
