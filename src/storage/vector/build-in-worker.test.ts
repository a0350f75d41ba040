import { describe, expect, test } from 'vitest';
import { buildInWorker } from './build-in-worker.ts';
import { type ColumnIndexSpec, createColumnIndex } from './column-index.ts';
import { floatDistance } from './distance.ts';
import { clusteredData } from './testing/clustered-data.ts';
import { groundTruth } from './testing/recall.ts';

const data = clusteredData({ count: 12_000, dimensions: 16, seed: 3 });
const rowIds = data.vectors.map((_, i) => i * 2);

describe('building an index off the event loop', () => {
  test('in a worker thread: gives the index an inline build gives', async () => {
    // l1 HNSW is the TypeScript graph: no native build, so it goes through a worker.
    const spec: ColumnIndexSpec = {
      method: 'hnsw',
      type: 'vector',
      metric: 'l1',
      dimensions: 16,
      options: { m: 8, efConstruction: 32 },
    };
    const fromWorker = await buildInWorker(
      spec,
      rowIds,
      (i) => data.vectors[i],
      () => {},
    );
    const inline = createColumnIndex(spec.method, spec.type, spec.metric, spec.dimensions, spec.options);
    inline.index.build(rowIds, data.vectors);
    expect(fromWorker.index.size()).toBe(12_000);
    for (const q of data.sample(10, 9)) {
      expect(fromWorker.index.search(q, 10, { efSearch: 40 })).toEqual(
        inline.index.search(q, 10, { efSearch: 40 }),
      );
    }
  });

  test('natively in parallel (hnswlib): every row indexed, recall as good as a serial build', async () => {
    const spec: ColumnIndexSpec = {
      method: 'hnsw',
      type: 'vector',
      metric: 'l2',
      dimensions: 16,
      options: { m: 8, efConstruction: 32 },
    };
    const progress: number[] = [];
    const built = await buildInWorker(
      spec,
      rowIds,
      (i) => data.vectors[i],
      (done) => progress.push(done),
    );
    expect(built.index.size()).toBe(12_000);
    expect(progress.at(-1)).toBe(12_000);
    const queries = data.sample(50, 9);
    // groundTruth numbers rows 0, 1, …; this build's row ids are twice that.
    const truth = groundTruth(data.vectors, queries, 10, floatDistance('l2'));
    let found = 0;
    queries.forEach((q, i) => {
      const { rowIds: got } = built.index.search(q, 10, { efSearch: 40 });
      found += got.filter((id) => truth[i].includes(id / 2)).length;
    });
    expect(found / (queries.length * 10)).toBeGreaterThanOrEqual(0.95);
  });

  test('a failing build rejects with the error', async () => {
    for (const metric of ['l2', 'l1'] as const) {
      const spec: ColumnIndexSpec = { method: 'hnsw', type: 'vector', metric, dimensions: 4, options: {} };
      await expect(
        buildInWorker(
          spec,
          [1],
          () => new Float32Array(3),
          () => {},
        ),
      ).rejects.toThrow(/dimensions/);
    }
  });
});
