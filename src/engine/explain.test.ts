import { beforeAll, expect, test } from 'vitest';
import { localSession } from './testing/local-session.ts';

let s: Awaited<ReturnType<typeof localSession>>;

async function explain(sql: string): Promise<string[]> {
  return (await s.run(`EXPLAIN ${sql}`)).rows.map((r) => r[0] ?? '');
}

beforeAll(async () => {
  s = await localSession();
  await s.run('CREATE EXTENSION vector');
  await s.run('CREATE TABLE ex_items (id int PRIMARY KEY, cat int, embedding vector(3))');
  await s.run(
    'INSERT INTO ex_items SELECT i, i % 10, ARRAY[i, i % 7, 1]::vector FROM generate_series(1, 100) i',
  );
  await s.run('CREATE INDEX ex_items_embedding_idx ON ex_items USING hnsw (embedding vector_l2_ops)');
});

// Expected texts are what PostgreSQL 15 + pgvector print for EXPLAIN (COSTS OFF) of the same
// queries (Quiver estimates no costs, so its EXPLAIN always has that shape).
test('a filtered scan, a hash aggregate and a sort match PostgreSQL text', async () => {
  expect(await explain('(COSTS OFF) SELECT * FROM ex_items WHERE id > 5')).toEqual([
    'Seq Scan on ex_items',
    '  Filter: (id > 5)',
  ]);
  expect(await explain('(COSTS OFF) SELECT cat, count(*) FROM ex_items GROUP BY cat')).toEqual([
    'HashAggregate',
    '  Group Key: cat',
    '  ->  Seq Scan on ex_items',
  ]);
  expect(
    await explain("(COSTS OFF) SELECT id FROM ex_items ORDER BY embedding <=> '[3,1,2]' LIMIT 5"),
  ).toEqual([
    'Limit',
    '  ->  Sort',
    "        Sort Key: ((embedding <=> '[3,1,2]'::vector))",
    '        ->  Seq Scan on ex_items',
  ]);
});

test('a kNN query names its index, with the filter applied inside the index scan', async () => {
  expect(
    await explain("SELECT id FROM ex_items WHERE cat = 3 ORDER BY embedding <-> '[3,1,2]' LIMIT 5"),
  ).toEqual([
    'Limit',
    '  ->  Index Scan using ex_items_embedding_idx on ex_items',
    "        Order By: (embedding <-> '[3,1,2]'::vector)",
    '        Filter: (cat = 3)',
  ]);
});

// PostgreSQL 15's text for the same statements with enable_seqscan and enable_bitmapscan off
// (its planner reads a 100-row table sequentially otherwise); Quiver looks a key up whenever
// a btree index covers it.
test('a WHERE that pins a btree index key is an index scan, with the other conjuncts as its filter', async () => {
  await s.run('CREATE INDEX ex_items_cat ON ex_items (cat)');
  expect(await explain('SELECT * FROM ex_items WHERE id = 5')).toEqual([
    'Index Scan using ex_items_pkey on ex_items',
    '  Index Cond: (id = 5)',
  ]);
  expect(await explain('SELECT id FROM ex_items WHERE id = 5 AND cat > 2')).toEqual([
    'Index Scan using ex_items_pkey on ex_items',
    '  Index Cond: (id = 5)',
    '  Filter: (cat > 2)',
  ]);
  expect(await explain('UPDATE ex_items SET cat = cat WHERE id = 1')).toEqual([
    'Update on ex_items',
    '  ->  Index Scan using ex_items_pkey on ex_items',
    '        Index Cond: (id = 1)',
  ]);
  expect(
    await explain('(ANALYZE, TIMING OFF, SUMMARY OFF) SELECT id FROM ex_items WHERE cat = 3 AND id > 50'),
  ).toEqual([
    'Index Scan using ex_items_cat on ex_items (actual rows=5 loops=1)',
    '  Index Cond: (cat = 3)',
    '  Filter: (id > 50)',
    '  Rows Removed by Filter: 5',
  ]);
  // Not a key: a range, a column under an expression, a volatile value.
  for (const where of ['id > 5', 'id + 0 = 5', 'id = floor(random() * 3)::int']) {
    expect((await explain(`SELECT id FROM ex_items WHERE ${where}`))[0]).toBe('Seq Scan on ex_items');
  }
  await s.run('SET enable_indexscan = off');
  expect(await explain('SELECT * FROM ex_items WHERE id = 5')).toEqual([
    'Seq Scan on ex_items',
    '  Filter: (id = 5)',
  ]);
  await s.run('RESET enable_indexscan');
  await s.run('DROP INDEX ex_items_cat');
});

// PostgreSQL 15's text with enable_seqscan, enable_bitmapscan and enable_sort off.
test('ranges on a btree key and ORDER BY it with a LIMIT read the index in order', async () => {
  await s.run('CREATE INDEX ex_items_cat ON ex_items (cat)');
  expect(await explain('SELECT * FROM ex_items WHERE id > 5 AND id <= 8')).toEqual([
    'Index Scan using ex_items_pkey on ex_items',
    '  Index Cond: ((id > 5) AND (id <= 8))',
  ]);
  // A key equality wins over a range.
  expect(await explain('SELECT id FROM ex_items WHERE id BETWEEN 5 AND 8 AND cat = 3')).toEqual([
    'Index Scan using ex_items_cat on ex_items',
    '  Index Cond: (cat = 3)',
    '  Filter: ((id >= 5) AND (id <= 8))',
  ]);
  expect(await explain('SELECT id, cat FROM ex_items ORDER BY id DESC LIMIT 3')).toEqual([
    'Limit',
    '  ->  Index Scan Backward using ex_items_pkey on ex_items',
  ]);
  expect(await explain('SELECT id, cat FROM ex_items WHERE cat > 3 ORDER BY id LIMIT 3')).toEqual([
    'Limit',
    '  ->  Index Scan using ex_items_pkey on ex_items',
    '        Filter: (cat > 3)',
  ]);
  expect(await explain('SELECT id, cat FROM ex_items WHERE id > 90 ORDER BY id DESC LIMIT 3')).toEqual([
    'Limit',
    '  ->  Index Scan Backward using ex_items_pkey on ex_items',
    '        Index Cond: (id > 90)',
  ]);
  expect(await explain('DELETE FROM ex_items WHERE id > 1000')).toEqual([
    'Delete on ex_items',
    '  ->  Index Scan using ex_items_pkey on ex_items',
    '        Index Cond: (id > 1000)',
  ]);
  // The walk stops once the LIMIT has its rows: ids 1 … 8 read, 7 and 8 kept (cat = id % 10).
  expect(
    await explain(
      '(ANALYZE, TIMING OFF, SUMMARY OFF) SELECT id FROM ex_items WHERE cat > 6 ORDER BY id LIMIT 2',
    ),
  ).toEqual([
    'Limit (actual rows=2 loops=1)',
    '  ->  Index Scan using ex_items_pkey on ex_items (actual rows=2 loops=1)',
    '        Filter: (cat > 6)',
    '        Rows Removed by Filter: 6',
  ]);
  // Without a LIMIT the table is sorted; a key equality keeps its lookup and sorts its rows.
  expect((await explain('SELECT id FROM ex_items ORDER BY id'))[0]).toBe('Sort');
  expect((await explain('SELECT id FROM ex_items WHERE cat = 3 ORDER BY id LIMIT 2'))[1]).toBe('  ->  Sort');
  // Not a bound: an expression of the key, a value of another type family.
  for (const where of ['id + 1 > 5', 'id > 5.5']) {
    expect((await explain(`SELECT id FROM ex_items WHERE ${where}`))[0]).toBe('Seq Scan on ex_items');
  }
  await s.run('SET enable_indexscan = off');
  expect((await explain('SELECT id FROM ex_items ORDER BY id LIMIT 3'))[1]).toBe('  ->  Sort');
  await s.run('RESET enable_indexscan');
  await s.run('DROP INDEX ex_items_cat');
});

test('a key prefix of a multi-column index: WHERE tenant = … [AND at > …] ORDER BY at LIMIT reads that tenant in order', async () => {
  await s.run('CREATE TABLE ex_feed (id int PRIMARY KEY, tenant int, at timestamptz, kind text)');
  await s.run('CREATE INDEX ex_feed_tenant_at ON ex_feed (tenant, at)');
  await s.run(
    "INSERT INTO ex_feed SELECT g, g % 3, '2024-01-01'::timestamptz + g * interval '1 day', 'k' FROM generate_series(1, 90) g",
  );
  expect(await explain('SELECT id FROM ex_feed WHERE tenant = 1 ORDER BY at DESC LIMIT 3')).toEqual([
    'Limit',
    '  ->  Index Scan Backward using ex_feed_tenant_at on ex_feed',
    '        Index Cond: (tenant = 1)',
  ]);
  expect(
    await explain(
      "SELECT id FROM ex_feed WHERE tenant = 1 AND at > '2024-02-01' AND kind = 'k' ORDER BY at LIMIT 3",
    ),
  ).toEqual([
    'Limit',
    '  ->  Index Scan using ex_feed_tenant_at on ex_feed',
    "        Index Cond: ((tenant = 1) AND (at > '2024-02-01 00:00:00+00'::timestamp with time zone))",
    "        Filter: (kind = 'k'::text)",
  ]);
  expect(await explain("SELECT id FROM ex_feed WHERE tenant = 2 AND at < '2024-01-20'")).toEqual([
    'Index Scan using ex_feed_tenant_at on ex_feed',
    "  Index Cond: ((tenant = 2) AND (at < '2024-01-20 00:00:00+00'::timestamp with time zone))",
  ]);
  // A third of the rows: read sequentially, as PostgreSQL's costs choose without a LIMIT.
  expect(await explain('SELECT id FROM ex_feed WHERE tenant = 2')).toEqual([
    'Seq Scan on ex_feed',
    '  Filter: (tenant = 2)',
  ]);
  expect((await s.run('SELECT id FROM ex_feed WHERE tenant = 1 ORDER BY at DESC LIMIT 3')).rows).toEqual([
    ['88'],
    ['85'],
    ['82'],
  ]);
  // NULLs first when ascending: not the index's order, so sorted.
  expect((await explain('SELECT id FROM ex_feed WHERE tenant = 1 ORDER BY at NULLS FIRST LIMIT 3'))[1]).toBe(
    '  ->  Sort',
  );
  // Several ORDER BY keys the index orders by, after the pinned ones or with them; mixed
  // directions are not its order.
  await s.run('CREATE INDEX ex_feed_tenant_at_id ON ex_feed (tenant, at, id)');
  expect(await explain('SELECT id FROM ex_feed WHERE tenant = 1 ORDER BY at DESC, id DESC LIMIT 3')).toEqual([
    'Limit',
    '  ->  Index Scan Backward using ex_feed_tenant_at_id on ex_feed',
    '        Index Cond: (tenant = 1)',
  ]);
  expect((await explain('SELECT id FROM ex_feed ORDER BY tenant, at, id LIMIT 3'))[1]).toBe(
    '  ->  Index Scan using ex_feed_tenant_at_id on ex_feed',
  );
  expect((await explain('SELECT id FROM ex_feed WHERE tenant = 1 ORDER BY at DESC, id LIMIT 3'))[1]).toBe(
    '  ->  Sort',
  );
  expect((await explain('SELECT id FROM ex_feed ORDER BY tenant, id LIMIT 3'))[1]).toBe('  ->  Sort');
  await s.run('DROP TABLE ex_feed');
});

test('an expression index finds rows by the expression; a partial index only for a WHERE that implies its own', async () => {
  await s.run('CREATE TABLE ex_people (id int PRIMARY KEY, email text, active bool)');
  await s.run("INSERT INTO ex_people SELECT i, 'P' || i || '@X', i % 2 = 0 FROM generate_series(1, 50) i");
  await s.run('CREATE UNIQUE INDEX ex_people_lower ON ex_people (lower(email))');
  await s.run('CREATE INDEX ex_people_active ON ex_people (id) WHERE active');
  expect(await explain("SELECT id FROM ex_people WHERE lower(email) = 'p7@x'")).toEqual([
    'Index Scan using ex_people_lower on ex_people',
    "  Index Cond: (lower(email) = 'p7@x'::text)",
  ]);
  expect((await s.run("SELECT id FROM ex_people WHERE lower(email) = 'p7@x'")).rows).toEqual([['7']]);
  // A WHERE without `active` may want rows the partial index does not hold: the primary key
  // serves it. (PostgreSQL also leaves out the Filter the index's WHERE implies; Quiver
  // checks it again.)
  expect((await explain('SELECT id FROM ex_people WHERE id = 4'))[0]).toBe(
    'Index Scan using ex_people_pkey on ex_people',
  );
  await s.run('DROP INDEX ex_people_pkey');
  expect((await explain('SELECT id FROM ex_people WHERE id = 4'))[0]).toBe('Seq Scan on ex_people');
  expect((await explain('SELECT id FROM ex_people WHERE id = 4 AND active')).slice(0, 2)).toEqual([
    'Index Scan using ex_people_active on ex_people',
    '  Index Cond: (id = 4)',
  ]);
  expect((await s.run('SELECT id FROM ex_people WHERE id = 4 AND active')).rows).toEqual([['4']]);
  expect((await s.run('SELECT id FROM ex_people WHERE id = 5 AND active')).rows).toEqual([]);
  await s.run('DROP TABLE ex_people');
});

test('a few rows joined by a key of the other table look it up per row instead of hashing the table', async () => {
  const sql =
    "SELECT x.id, y.id FROM (SELECT id, cat FROM ex_items ORDER BY embedding <-> '[3,1,2]' LIMIT 3) x JOIN ex_items y ON y.id = x.cat + 1";
  expect(await explain(sql)).toEqual([
    'Nested Loop',
    '  ->  Subquery Scan on x',
    '        ->  Limit',
    '              ->  Index Scan using ex_items_embedding_idx on ex_items',
    "                    Order By: (ex_items.embedding <-> '[3,1,2]'::vector)",
    '  ->  Index Scan using ex_items_pkey on ex_items y',
    '        Index Cond: (id = (x.cat + 1))',
  ]);
  // Both sides unbounded: one pass over each table (a lookup per row could cost more).
  expect((await explain('SELECT x.id FROM ex_items x JOIN ex_items y ON y.id = x.cat'))[0]).toBe('Hash Join');
});

test('ORDER BY distance LIMIT over a join searches the nearest rows through the index first', async () => {
  const sql =
    "SELECT x.id, y.cat FROM ex_items x JOIN ex_items y ON y.id = x.cat + 1 WHERE x.id > 3 ORDER BY x.embedding <-> '[3,1,2]' LIMIT 4";
  expect(await explain(sql)).toEqual([
    'Limit',
    '  ->  Sort',
    "        Sort Key: ((x.embedding <-> '[3,1,2]'::vector))",
    '        ->  Nested Loop',
    '              ->  Index Scan using ex_items_embedding_idx on ex_items x',
    "                    Order By: (x.embedding <-> '[3,1,2]'::vector)",
    '                    Filter: (x.id > 3)',
    '              ->  Index Scan using ex_items_pkey on ex_items y',
    '                    Index Cond: (id = (x.cat + 1))',
  ]);
  // The same rows as the join of every row, sorted.
  const nearest = (await s.run(sql)).rows;
  await s.run('SET enable_indexscan = off');
  expect(nearest).toEqual((await s.run(sql)).rows);
  // A join that drops every row of the nearest ones falls back to the query as written.
  const dropped = sql.replace('y.id = x.cat + 1', 'y.id = x.id AND y.cat = 9');
  const exact = (await s.run(dropped)).rows;
  await s.run('RESET enable_indexscan');
  expect(exact).toHaveLength(4);
  expect((await s.run(dropped)).rows).toEqual(exact);
});

test('EXPLAIN ANALYZE reports actual rows per node and runs DML', async () => {
  const lines = await explain("ANALYZE SELECT id FROM ex_items ORDER BY embedding <-> '[3,1,2]' LIMIT 5");
  expect(lines[0]).toMatch(/^Limit \(actual time=[\d.]+\.\.[\d.]+ rows=5 loops=1\)$/);
  expect(lines[1]).toMatch(
    /Index Scan using ex_items_embedding_idx on ex_items \(actual time=.* rows=5 loops=1\)/,
  );
  expect(lines.at(-1)).toMatch(/^Execution Time: [\d.]+ ms$/);
  const update = await explain('ANALYZE UPDATE ex_items SET cat = 0 WHERE id = 1');
  expect(update[0]).toMatch(/^Update on ex_items/);
  const r = await s.run('SELECT cat FROM ex_items WHERE id = 1');
  expect(r.rows).toEqual([['0']]);
});

// Expected texts as PostgreSQL 15 prints them for the same statements (without parallel workers).
test('EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF): a LIMIT reads only the rows it needs, a node never asked is "never executed"', async () => {
  expect(await explain('(ANALYZE, TIMING OFF, SUMMARY OFF) SELECT id FROM ex_items LIMIT 1')).toEqual([
    'Limit (actual rows=1 loops=1)',
    '  ->  Seq Scan on ex_items (actual rows=1 loops=1)',
  ]);
  await s.run('CREATE TABLE ex_plain AS SELECT g AS id, g % 10 AS cat FROM generate_series(1, 100) g');
  expect(
    await explain(
      '(ANALYZE, TIMING OFF, SUMMARY OFF) SELECT id FROM ex_plain WHERE cat = 3 LIMIT 2 OFFSET 1',
    ),
  ).toEqual([
    'Limit (actual rows=2 loops=1)',
    '  ->  Seq Scan on ex_plain (actual rows=3 loops=1)',
    '        Filter: (cat = 3)',
    '        Rows Removed by Filter: 20',
  ]);
  expect(
    await explain('(ANALYZE, TIMING OFF, SUMMARY OFF) SELECT id FROM ex_items ORDER BY cat, id LIMIT 3'),
  ).toEqual([
    'Limit (actual rows=3 loops=1)',
    '  ->  Sort (actual rows=3 loops=1)',
    '        Sort Key: cat, id',
    '        ->  Seq Scan on ex_items (actual rows=100 loops=1)',
  ]);
  expect(await explain('(ANALYZE, TIMING OFF, SUMMARY OFF) SELECT id FROM ex_items LIMIT 0')).toEqual([
    'Limit (actual rows=0 loops=1)',
    '  ->  Seq Scan on ex_items (never executed)',
  ]);
  // SUMMARY without ANALYZE: the planning time only; TIMING needs ANALYZE.
  const summary = await explain('(SUMMARY) SELECT 1');
  expect(summary[0]).toBe('Result');
  expect(summary[1]).toMatch(/^Planning Time: [\d.]+ ms$/);
  expect(summary).toHaveLength(2);
  expect(await s.error('EXPLAIN (TIMING) SELECT 1')).toMatchObject({
    code: '22023',
    message: 'EXPLAIN option TIMING requires ANALYZE',
  });
});
