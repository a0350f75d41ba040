import { beforeAll, expect, test } from 'vitest';
import { Catalog } from '../catalog/catalog.ts';
import type { IndexDef } from '../catalog/catalog-types.ts';
import { buildIndexShard, indexShardFile, loadIndexShard, shardedIndexOf } from './index-shard-build.ts';
import { localSession } from './testing/local-session.ts';

// A shard's file, written by one holder, loaded by another (or after a restart) instead of
// building the shard's graph again: brought up to the rows there are, refused when its rows
// are not this table's.
let s: Awaited<ReturnType<typeof localSession>>;
const catalog = new Catalog('quiver');
const ids = async (sql: string) => (await s.run(sql)).rows.map((r) => Number(r[0]));
const index = (): IndexDef => catalog.findIndex(catalog.databases.get('quiver')!, null, 'sf_v', ['public'])!;
const VECTOR = (i: string) => `ARRAY[sin(${i}), cos(${i} * 1.3), sin(${i} * 0.7) * 2]::vector`;

beforeAll(async () => {
  s = await localSession({ catalog, serverVersion: '16.4', storage: null });
  await s.run('CREATE EXTENSION vector');
  await s.run('CREATE TABLE sf (id int PRIMARY KEY, v vector(3))');
  await s.run(`INSERT INTO sf SELECT i, ${VECTOR('i')} FROM generate_series(1, 2000) i`);
  await s.run('CREATE INDEX sf_v ON sf USING hnsw (v vector_l2_ops) WITH (shards = 3)');
  await s.run('SET hnsw.ef_search = 400');
});

const queries = ['[0,0,0]', '[1,1,1]', '[-0.5,0.2,1.5]'];

async function exactEqualsIndex(): Promise<void> {
  for (const q of queries) {
    const sql = `SELECT id FROM sf ORDER BY v <-> '${q}' LIMIT 10`;
    const viaIndex = await ids(sql);
    await s.run('SET enable_indexscan = off');
    const exact = await ids(sql);
    await s.run('RESET enable_indexscan');
    expect(viaIndex).toEqual(exact);
  }
}

test('a stale file is loaded and brought up to the rows added and deleted since', async () => {
  const file = await indexShardFile(index(), 1);
  expect(file?.rows).toBeGreaterThan(600);
  await s.run(`INSERT INTO sf SELECT i, ${VECTOR('i')} FROM generate_series(2001, 2300) i`);
  await s.run('DELETE FROM sf WHERE id % 7 = 0');
  await s.run("UPDATE sf SET v = '[5,5,5]' WHERE id = 10");
  const sharded = shardedIndexOf(index())!;
  sharded.release(1);
  const loaded = await loadIndexShard(index(), 1, file!.bytes);
  expect(loaded).not.toBeNull();
  // The shard-1 rows added since went in (about a third of the 300 new ones, less the deleted).
  expect(loaded!.added).toBeGreaterThan(80);
  expect(loaded!.removed).toBeGreaterThan(80);
  await exactEqualsIndex();
  // It holds the rows a build over the same rows holds.
  const size = sharded.shard(1)!.size();
  sharded.release(1);
  expect(await buildIndexShard(index(), 1)).toBe(true);
  expect(sharded.shard(1)!.size()).toBe(size);
  expect(await ids("SELECT id FROM sf ORDER BY v <-> '[5,5,5]' LIMIT 1")).toEqual([10]);
});

test('a file of other rows under the same row ids is refused: the caller builds the shard', async () => {
  const file = await indexShardFile(index(), 2);
  await s.run('TRUNCATE sf');
  // More rows than before: every row id of the file exists again, with another vector.
  await s.run(`INSERT INTO sf SELECT i, ${VECTOR('i + 0.5')} FROM generate_series(1, 2600) i`);
  const sharded = shardedIndexOf(index())!;
  sharded.release(2);
  expect(await loadIndexShard(index(), 2, file!.bytes)).toBeNull();
  expect(sharded.holds(2)).toBe(false);
  // A damaged file is refused too.
  const damaged = Uint8Array.from(file!.bytes);
  damaged[damaged.length - 10] ^= 0xff;
  expect(await loadIndexShard(index(), 2, damaged)).toBeNull();
});
