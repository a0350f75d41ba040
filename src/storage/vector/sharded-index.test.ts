import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from './byte-io.ts';
import { createColumnIndex } from './column-index.ts';
import { floatDistance } from './distance.ts';
import { HnswIndex } from './hnsw-index.ts';
import { IndexFileError } from './index-file-error.ts';
import { loadColumnIndex, saveColumnIndex } from './index-persistence.ts';
import { nearestOf, placeShardsByCluster, ShardedIndex, shardOfRow } from './sharded-index.ts';
import { clusteredData } from './testing/clustered-data.ts';
import { describeIndexConformance } from './testing/index-conformance.ts';
import { groundTruth, measureRecall } from './testing/recall.ts';

const hnsw = (metric: 'l2' | 'ip' | 'cosine', dimensions: number, initialCapacity?: number) =>
  new HnswIndex(metric, dimensions, { m: 16, efConstruction: 64, initialCapacity });

describeIndexConformance({
  name: 'ShardedIndex (3 HNSW shards)',
  cases: [
    { metric: 'l2', minRecall: 0.9, minFilteredRecall: 0.9 },
    { metric: 'cosine', minRecall: 0.9, minFilteredRecall: 0.9 },
  ],
  create: (metric, dimensions, initialCapacity) =>
    new ShardedIndex(3, () => hnsw(metric as 'l2' | 'cosine', dimensions, initialCapacity)),
  searchOptions: { efSearch: 40 },
});

describe('ShardedIndex', () => {
  const data = clusteredData({ count: 3000, dimensions: 16, seed: 7 });
  const rowIds = data.vectors.map((_, i) => i);
  const queries = data.sample(50, 3);

  it('a node holding some shards indexes and returns only their rows', () => {
    const index = new ShardedIndex(
      4,
      () => hnsw('l2', 16),
      (shard) => shard === 1 || shard === 3,
    );
    index.build(rowIds, data.vectors);
    expect(index.holds(1) && index.holds(3) && !index.holds(0) && !index.holds(2)).toBe(true);
    expect(index.size()).toBe(rowIds.filter((r) => r % 4 === 1 || r % 4 === 3).length);
    index.add(3000, data.vectors[0]); // shard 0: not held
    index.add(3001, data.vectors[0]); // shard 1
    expect(index.size()).toBe(1501);
    const hits = index.search(data.vectors[0], 50, { efSearch: 100 });
    expect(hits.rowIds.length).toBe(50);
    expect(hits.rowIds.every((r) => shardOfRow(r, 4) === 1 || shardOfRow(r, 4) === 3)).toBe(true);
    expect(hits.rowIds).toContain(3001);
    expect(hits.rowIds).not.toContain(3000);
  });

  it('the nearest rows of all shards together match exact search as well as one graph', () => {
    const distance = floatDistance('l2');
    const truth = groundTruth(data.vectors, queries, 10, distance);
    const sharded = new ShardedIndex(4, () => hnsw('l2', 16));
    sharded.build(rowIds, data.vectors);
    const single = hnsw('l2', 16);
    single.build(rowIds, data.vectors);
    const shardedRecall = measureRecall(sharded, queries, truth, 10, { efSearch: 40 }).recall;
    const singleRecall = measureRecall(single, queries, truth, 10, { efSearch: 40 }).recall;
    // Each shard is searched with the whole ef over a quarter of the rows.
    expect(shardedRecall).toBeGreaterThanOrEqual(singleRecall - 0.01);
    expect(shardedRecall).toBeGreaterThan(0.95);
  });

  it('builds on the thread pool into the same shards as a build on this thread', async () => {
    const viaPool = new ShardedIndex(3, () => hnsw('l2', 16));
    const progress: number[] = [];
    await viaPool.buildAsync!(
      rowIds,
      (i) => data.vectors[i],
      (done) => progress.push(done),
    );
    expect(viaPool.size()).toBe(3000);
    expect(Math.max(...progress)).toBe(3000);
    for (const q of queries.slice(0, 5)) {
      const exact = rowIds
        .map((r) => ({ r, d: floatDistance('l2')(data.vectors[r], q) }))
        .sort((a, b) => a.d - b.d)[0];
      expect(viaPool.search(q, 1, { efSearch: 64 }).rowIds[0]).toBe(exact.r);
    }
    const viaSearchAsync = await viaPool.searchAsync!(queries[0], 10, { efSearch: 40 });
    expect(viaSearchAsync).toEqual(viaPool.search(queries[0], 10, { efSearch: 40 }));
  });

  it('saves and loads every shard; a file of another shard count is refused', async () => {
    const spec = { m: 16, efConstruction: 64, shards: 4 };
    const index = createColumnIndex('hnsw', 'vector', 'l2', 16, spec);
    index.index.build(rowIds, data.vectors);
    index.index.remove(5);
    const bytes = saveColumnIndex(index);
    const loaded = await loadColumnIndex(bytes, index.spec);
    expect(loaded.index.size()).toBe(2999);
    for (const q of queries.slice(0, 10)) {
      expect(loaded.index.search(q, 10, { efSearch: 40 })).toEqual(
        index.index.search(q, 10, { efSearch: 40 }),
      );
    }
    const other = { ...index.spec, options: { ...spec, shards: 2 } };
    await expect(loadColumnIndex(bytes, other)).rejects.toThrow(IndexFileError);
    await expect(loadColumnIndex(bytes, other)).rejects.toThrow('shards is 4, expected 2');
    const unsharded = { ...index.spec, options: { m: 16, efConstruction: 64 } };
    await expect(loadColumnIndex(bytes, unsharded)).rejects.toThrow('shards is 4, expected undefined');
  });

  it('a load holds exactly the shards the file has', async () => {
    const all = new ShardedIndex(3, () => hnsw('l2', 16));
    all.build(rowIds, data.vectors);
    const out = new ByteWriter();
    all.writeTo(out);
    const some = new ShardedIndex(
      3,
      () => hnsw('l2', 16),
      (shard) => shard === 2,
    );
    const input = new ByteReader(joined(out), 'sharded payload');
    await some.readFrom(input);
    input.end();
    expect(some.heldShards()).toEqual([0, 1, 2]);
    expect(some.size()).toBe(3000);
    // A file of one shard: the others are not held after the load (empty ones would answer without their rows).
    some.release(0);
    some.release(1);
    const out2 = new ByteWriter();
    some.writeTo(out2);
    const loaded = new ShardedIndex(3, () => hnsw('l2', 16));
    const input2 = new ByteReader(joined(out2), 'sharded payload');
    await loaded.readFrom(input2);
    input2.end();
    expect(loaded.heldShards()).toEqual([2]);
    expect(loaded.search(queries[0], 5, { efSearch: 40 }).rowIds.every((r) => r % 3 === 2)).toBe(true);
  });

  it('on a cluster node a new sharded index holds no shard: the placement builds them', () => {
    placeShardsByCluster(true);
    try {
      const fresh = new ShardedIndex(3, () => hnsw('l2', 16));
      expect(fresh.heldShards()).toEqual([]);
      fresh.build(rowIds, data.vectors);
      expect(fresh.size()).toBe(0);
    } finally {
      placeShardsByCluster(false);
    }
    expect(new ShardedIndex(3, () => hnsw('l2', 16)).heldShards()).toEqual([0, 1, 2]);
  });

  it('nearestOf keeps the k smallest distances, equal ones by row id', () => {
    expect(
      nearestOf(
        [
          { rowIds: [4, 8], distances: [0.5, 2] },
          { rowIds: [3, 1, 7], distances: [0.5, 1, 3] },
        ],
        3,
      ),
    ).toEqual({ rowIds: [3, 4, 1], distances: [0.5, 0.5, 1] });
  });
});

function joined(out: ByteWriter): Uint8Array {
  const bytes = new Uint8Array(out.length);
  let at = 0;
  for (const part of out.parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}
