import { beforeAll, beforeEach, expect, test } from 'vitest';
import { Catalog } from '../catalog/catalog.ts';
import type { IndexDef } from '../catalog/catalog-types.ts';
import { encodeShippedFilter, shippableFilter, shippedPredicate } from '../engine/shipped-filter.ts';
import { localSession } from '../engine/testing/local-session.ts';
import type { ShardedIndex } from '../storage/vector/sharded-index.ts';
import type { SearchResult, VectorIndex } from '../storage/vector-index.ts';
import type { Value } from '../types/type.ts';
import { searchShardFiltered } from './shard-search.ts';
import type { RemoteShardSearch } from './sharded-search.ts';

// A node that holds shards 0 and 2 of a 3-shard index; shard 1 is "on another node": a fake
// holder searching the very graph this node released, without visibility, as a holder does.
const catalog = new Catalog('quiver');
let holder: VectorIndex<unknown>;
let calls = 0;
let answer: 'search' | 'none' = 'search';
/** What the last search asked the holder for. */
let asked: { k: number; filtered: boolean } | null = null;
const remote: RemoteShardSearch = {
  ships: (filter, table) => shippableFilter(filter, table, catalog) !== null,
  async search(
    index: IndexDef,
    shards: readonly number[],
    query: Value,
    k: number,
    efSearch: number,
    filter,
  ) {
    calls++;
    asked = { k, filtered: filter !== null };
    expect(shards).toEqual([1]);
    if (answer === 'none') return null;
    let result: SearchResult;
    if (filter) {
      // As a holder does: the filter from its message, the shard searched with it inside.
      const shipped = shippableFilter(filter.expr, index.table, catalog)!;
      const here = shippedPredicate(
        encodeShippedFilter(shipped, filter.selectivity, filter.params, filter.ctx),
        index.table,
        catalog,
      );
      const shard = { shardCount: 3, shard: () => holder } as unknown as ShardedIndex<unknown>;
      const accept = (rowId: number) => here.passes(index.table.store.row(rowId));
      result = searchShardFiltered(index, shard, 1, query, k, efSearch, accept, here.selectivity);
    } else {
      result = holder.search(index.vector!.encode(query), k, { efSearch }) as SearchResult;
    }
    return { result, fragments: [{ node: 'n2', shards: [1], rows: result.rowIds.length, ms: 0.5 }] };
  },
};
let s: Awaited<ReturnType<typeof localSession>>;

const ids = async (sql: string) => (await s.run(sql)).rows.map((r) => Number(r[0]));
const exact = async (sql: string) => {
  await s.run('SET enable_indexscan = off');
  const rows = await ids(sql);
  await s.run('RESET enable_indexscan');
  return rows;
};

beforeAll(async () => {
  s = await localSession({ catalog, serverVersion: '16.4', storage: null, remoteShards: remote });
  await s.run('CREATE EXTENSION vector');
  await s.run('CREATE TABLE t (id int PRIMARY KEY, cat int, v vector(2))');
  await s.run(
    'INSERT INTO t SELECT i, i % 4, ARRAY[sin(i), cos(i * 1.7)]::vector FROM generate_series(0, 1199) i',
  );
  await s.run('CREATE INDEX t_v ON t USING hnsw (v vector_l2_ops) WITH (shards = 3)');
  await s.run('SET hnsw.ef_search = 100');
  const sharded = [...catalog.tables()].find((t) => t.name === 't')!.indexes.find((i) => i.name === 't_v')!
    .vector!.index as unknown as ShardedIndex<unknown>;
  holder = sharded.shard(1)!;
  sharded.release(1);
  catalog.indexShardPlacement = (_oid, shard) => ({
    holders: shard === 1 ? ['n3', 'n2'] : ['n1'],
    searchesServed: 0,
  });
});

beforeEach(() => {
  calls = 0;
  answer = 'search';
});

const knn = "SELECT id FROM t ORDER BY v <-> '[0.3,-0.2]' LIMIT 8";

test('the shard this node lacks is searched on its holder; the answer equals exact search', async () => {
  expect(await ids(knn)).toEqual(await exact(knn));
  expect(calls).toBe(1);
  expect(asked).toEqual({ k: 8, filtered: false });
});

test('a WHERE filter the holder can apply is sent to it: it returns its nearest passing rows', async () => {
  for (const where of ['cat = 1', 'cat IN (1, 2) AND id > 600', "cat = 3 AND v <-> '[1,1]' > 0.5"]) {
    const filtered = `SELECT id FROM t WHERE ${where} ORDER BY v <-> '[0.3,-0.2]' LIMIT 8`;
    calls = 0;
    expect(await ids(filtered), where).toEqual(await exact(filtered));
    expect(calls).toBe(1);
    expect(asked, where).toEqual({ k: 8, filtered: true });
    // Answered from what the shards returned, not by the exact search a short answer falls back to.
    const analyzed = (await s.run(`EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF) ${filtered}`)).rows.map(
      (r) => r[0],
    );
    expect(analyzed).toContain('        Shards Searched: shard 1 on node n2 (rows=8)');
    expect(analyzed.join('\n')).not.toContain('Searched Exactly');
  }
});

test('a filter the holder cannot apply is applied here, over more rows asked of the holder', async () => {
  // random() is volatile: evaluated once per row here, never on another node.
  const filtered = "SELECT id FROM t WHERE cat = 1 AND random() < 2 ORDER BY v <-> '[0.3,-0.2]' LIMIT 8";
  expect(await ids(filtered)).toEqual(await exact(filtered));
  // A quarter of the rows pass: four times the rows wanted.
  expect(asked).toEqual({ k: 32, filtered: false });
});

test("the transaction's own new rows, which no holder has, are found", async () => {
  await s.run('BEGIN');
  // Row ids 1200.. : 1201 is in shard 1 (not held here).
  await s.run("INSERT INTO t VALUES (5000, 0, '[0.3,-0.2]'), (5001, 0, '[0.3,-0.2]')");
  const rows = await ids(knn);
  expect(rows.slice(0, 2)).toEqual([5000, 5001]);
  expect(rows).toEqual(await exact(knn));
  await s.run('ROLLBACK');
});

test('rows the holder returns that this snapshot cannot see are dropped; short answers search exactly', async () => {
  const nearest = (await exact(knn)).slice(0, 4);
  await s.run(`DELETE FROM t WHERE id IN (${nearest.join(',')})`);
  expect(await ids(knn)).toEqual(await exact(knn));
  expect(await ids(knn)).not.toContain(nearest[0]);
});

test('no holder answering: exact search, the same rows', async () => {
  answer = 'none';
  expect(await ids(knn)).toEqual(await exact(knn));
  expect(calls).toBe(1);
});

test('a query vector taken from a row (not known before execution) is searched exactly', async () => {
  const sql = 'SELECT b.id FROM t a, LATERAL (SELECT id FROM t ORDER BY v <-> a.v LIMIT 3) b WHERE a.id = 7';
  expect(await ids(sql)).toEqual(await exact(sql));
  expect(calls).toBe(0);
});

test('EXPLAIN ANALYZE shows where the shards were searched, and why a search went exact', async () => {
  // Away from the rows the test above deleted.
  const far = "SELECT id FROM t ORDER BY v <-> '[-0.6,0.7]' LIMIT 8";
  const plan = async () =>
    (await s.run(`EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF) ${far}`)).rows.map((r) => r[0]);
  expect(await plan()).toEqual([
    'Limit (actual rows=8 loops=1)',
    '  ->  Index Scan using t_v on t (actual rows=8 loops=1)',
    "        Order By: (v <-> '[-0.6,0.7]'::vector)",
    '        Shards Searched: shards 0, 2 on this node (rows=8)',
    '        Shards Searched: shard 1 on node n2 (rows=8)',
  ]);
  answer = 'none';
  expect((await plan()).slice(3)).toEqual([
    '        Shards Searched: shards 0, 2 on this node (rows=8)',
    '        Searched Exactly: no node holding a shard answered',
  ]);
});

test('plain EXPLAIN says where the shards would be searched', async () => {
  expect((await s.run(`EXPLAIN ${knn}`)).rows.map((r) => r[0])).toEqual([
    'Limit',
    '  ->  Index Scan using t_v on t',
    "        Order By: (v <-> '[0.3,-0.2]'::vector)",
    '        Shards: 0, 2 on this node; 1 on n2 or n3',
  ]);
});
