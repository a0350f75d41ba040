import { describe, expect, test } from 'vitest';
import { buildInWorker } from './build-in-worker.ts';
import { type ColumnIndexSpec, createColumnIndex } from './column-index.ts';
import { clusteredData } from './testing/clustered-data.ts';

describe('building an index in a worker thread', () => {
  test('gives the index an inline build gives, and reports progress', async () => {
    const spec: ColumnIndexSpec = {
      method: 'hnsw',
      type: 'vector',
      metric: 'l2',
      dimensions: 16,
      options: { m: 8, efConstruction: 32 },
    };
    const data = clusteredData({ count: 12_000, dimensions: 16, seed: 3 });
    const rowIds = data.vectors.map((_, i) => i * 2);
    const progress: number[] = [];
    const fromWorker = await buildInWorker(spec, rowIds, data.vectors, (done) => progress.push(done));
    const inline = createColumnIndex(spec.method, spec.type, spec.metric, spec.dimensions, spec.options);
    inline.index.build(rowIds, data.vectors);
    expect(fromWorker.index.size()).toBe(12_000);
    for (const q of data.sample(10, 9)) {
      expect(fromWorker.index.search(q, 10, { efSearch: 40 })).toEqual(
        inline.index.search(q, 10, { efSearch: 40 }),
      );
    }
    expect(progress).toEqual([5000, 10000, 12000]);
  });

  test('a failing build rejects with the worker error', async () => {
    const spec: ColumnIndexSpec = {
      method: 'hnsw',
      type: 'vector',
      metric: 'l2',
      dimensions: 4,
      options: {},
    };
    await expect(buildInWorker(spec, [1], [new Float32Array(3)], () => {})).rejects.toThrow(/dimensions/);
  });
});
