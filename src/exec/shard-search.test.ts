import { beforeAll, expect, test } from 'vitest';
import { Catalog } from '../catalog/catalog.ts';
import type { IndexDef } from '../catalog/catalog-types.ts';
import { localSession } from '../engine/testing/local-session.ts';
import type { ShardedIndex } from '../storage/vector/sharded-index.ts';
import type { Value } from '../types/type.ts';
import { searchShardFiltered, searchShardKeyed } from './shard-search.ts';

// Shards of more than 10,000 rows, so that a filter passing enough rows is walked, not scanned.
const ROWS = 36_000;
const catalog = new Catalog('quiver');
let index: IndexDef;
let sharded: ShardedIndex<unknown>;
const query: Value = new Float32Array([0.25, -0.4]);

beforeAll(async () => {
  const s = await localSession({ catalog, serverVersion: '16.4', storage: null });
  await s.run('CREATE EXTENSION vector');
  await s.run('CREATE TABLE t (id int, v vector(2))');
  await s.run(
    `INSERT INTO t SELECT i, ARRAY[sin(i * 0.37), cos(i * 1.13)]::vector FROM generate_series(0, ${ROWS - 1}) i`,
  );
  await s.run('CREATE INDEX ON t USING hnsw (v vector_l2_ops) WITH (shards = 3)');
  index = [...catalog.tables()].find((t) => t.name === 't')!.indexes.find((i) => i.method === 'hnsw')!;
  sharded = index.vector!.index as unknown as ShardedIndex<unknown>;
}, 60_000);

/** The k nearest rows of `shard` passing `accept`, by scanning them all. */
function exact(shard: number, k: number, accept: (rowId: number) => boolean): number[] {
  const found: [number, number][] = [];
  const [qx, qy] = query as Float32Array;
  for (let rowId = shard; rowId < ROWS; rowId += 3) {
    if (!accept(rowId)) continue;
    const [x, y] = index.table.store.row(rowId)[1] as Float32Array;
    found.push([Math.hypot(x - qx, y - qy), rowId]);
  }
  return found
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .slice(0, k)
    .map(([, rowId]) => rowId);
}

const search = (shard: number, k: number, accept: (rowId: number) => boolean, passing: number) =>
  searchShardFiltered(index, sharded, shard, query, k, 100, accept, passing).rowIds;

test('a filter passing many rows is walked: the k nearest passing rows of the shard, nothing else', () => {
  const tenth = (rowId: number) => rowId % 10 === 4;
  const found = search(1, 10, tenth, 0.1);
  expect(found.every((rowId) => rowId % 3 === 1 && tenth(rowId))).toBe(true);
  const truth = exact(1, 10, tenth);
  expect(found.filter((rowId) => truth.includes(rowId)).length).toBeGreaterThanOrEqual(9);
});

test('a filter passing very few rows scans the shard: exactly its k nearest passing rows', () => {
  const rare = (rowId: number) => rowId % 997 === 5;
  expect(search(2, 10, rare, 0.001)).toEqual(exact(2, 10, rare));
});

test('a walk that finds fewer than k rows falls back to the scan: every passing row, nearest first', () => {
  // Estimated to pass many rows (so walked first), but only three of shard 0 pass.
  const three = new Set([3, 3003, 30_003]);
  const found = search(0, 10, (rowId) => three.has(rowId), 0.5);
  expect(found).toEqual(exact(0, 10, (rowId) => three.has(rowId)));
  expect(found).toHaveLength(3);
});

test("rows a btree index names: few of the shard's are scanned exactly, more are the walk's first check", () => {
  const keyedSearch = (shard: number, keyed: number[], accept: (rowId: number) => boolean) =>
    searchShardKeyed(index, sharded, shard, query, 10, 100, accept, keyed).rowIds;
  const all = () => true;
  // 36 rows of the table, 12 of them in shard 1: scanned exactly, only those.
  const few = Array.from({ length: 36 }, (_, i) => i * 1000 + 7);
  const fewSet = new Set(few);
  expect(keyedSearch(1, few, all)).toEqual(exact(1, 10, (rowId) => fewSet.has(rowId)));
  // Half the rows: walked, never a row outside the named ones or failing the filter.
  const half = Array.from({ length: ROWS / 2 }, (_, i) => i * 2);
  const even = (rowId: number) => rowId % 4 === 0;
  const found = keyedSearch(2, half, even);
  expect(found).toHaveLength(10);
  expect(found.every((rowId) => rowId % 3 === 2 && even(rowId))).toBe(true);
  const truth = exact(2, 10, even);
  expect(found.filter((rowId) => truth.includes(rowId)).length).toBeGreaterThanOrEqual(9);
});
