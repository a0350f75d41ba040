import { beforeAll, expect, test } from 'vitest';
import { Catalog } from '../catalog/catalog.ts';
import type { IndexDef } from '../catalog/catalog-types.ts';
import { localSession } from './testing/local-session.ts';

let s: Awaited<ReturnType<typeof localSession>>;
const catalog = new Catalog('quiver');

function index(name: string): IndexDef {
  return catalog.databases.get('quiver')!.schemas.get('public')!.indexes.get(name)!;
}

async function ids(sql: string): Promise<string[]> {
  return (await s.run(sql)).rows.map((r) => r[0] ?? '');
}

beforeAll(async () => {
  s = await localSession({ catalog, serverVersion: '16.4', storage: null });
  await s.run('CREATE EXTENSION vector');
  await s.run('CREATE TABLE pv_items (id int PRIMARY KEY, cat int, v vector(2))');
  // Vectors with no two at the same distance from the query below.
  await s.run(
    'INSERT INTO pv_items SELECT i, i % 4, ARRAY[i % 37, (i * i) % 101 + 0.001 * i]::vector FROM generate_series(1, 400) i',
  );
});

// pgvector's way to filter: one partial HNSW index per category.
test('a partial vector index holds only its rows and serves only a WHERE with its conditions', async () => {
  await s.run('CREATE INDEX pv_cat1 ON pv_items USING hnsw (v vector_l2_ops) WHERE cat = 1');
  expect(index('pv_cat1').vector!.index.size()).toBe(100);
  await s.run("INSERT INTO pv_items VALUES (401, 1, '[3,4]'), (402, 2, '[3,4]'), (403, 1, NULL)");
  expect(index('pv_cat1').vector!.index.size()).toBe(101);

  const knn = (where: string) => `SELECT id FROM pv_items WHERE ${where} ORDER BY v <-> '[3,4.1]' LIMIT 5`;
  const plan = async (where: string) => (await s.run(`EXPLAIN ${knn(where)}`)).rows.map((r) => r[0]);
  expect(await plan('cat = 1 AND id > 5')).toEqual([
    'Limit',
    '  ->  Index Scan using pv_cat1 on pv_items',
    "        Order By: (v <-> '[3,4.1]'::vector)",
    '        Filter: ((cat = 1) AND (id > 5))',
  ]);
  // Another category, or none: the index does not hold those rows.
  expect((await plan('cat = 2'))[1]).toBe('  ->  Sort');
  expect((await s.run("EXPLAIN SELECT id FROM pv_items ORDER BY v <-> '[3,4]' LIMIT 5")).rows[1][0]).toBe(
    '  ->  Sort',
  );

  // The same rows as an exact search.
  const exact = async (where: string) => {
    await s.run('SET enable_indexscan = off');
    const rows = await ids(knn(where));
    await s.run('RESET enable_indexscan');
    return rows;
  };
  for (const where of ['cat = 1', 'cat = 2', 'cat = 1 AND id > 200']) {
    const found = await ids(knn(where));
    expect(found).toHaveLength(5);
    expect(found).toEqual(await exact(where));
  }

  // A full index beside it serves the other queries; the partial one is preferred for its own.
  await s.run('CREATE INDEX pv_all ON pv_items USING hnsw (v vector_l2_ops)');
  expect(index('pv_all').vector!.index.size()).toBe(402);
  expect((await plan('cat = 2'))[1]).toBe('  ->  Index Scan using pv_all on pv_items');
  expect((await plan('cat = 1'))[1]).toBe('  ->  Index Scan using pv_cat1 on pv_items');

  await s.run('TRUNCATE pv_items');
  await s.run("INSERT INTO pv_items VALUES (1, 1, '[1,1]'), (2, 3, '[1,1]')");
  expect(index('pv_cat1').vector!.index.size()).toBe(1);
});
