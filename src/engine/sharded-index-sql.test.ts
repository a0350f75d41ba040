import { beforeAll, expect, test } from 'vitest';
import { localSession } from './testing/local-session.ts';

// CREATE INDEX … WITH (shards = n): Quiver's own option (pgvector has none), so it is
// tested here rather than in sql-tests/, whose answers are PostgreSQL's.
let s: Awaited<ReturnType<typeof localSession>>;

const ids = async (sql: string) => (await s.run(sql)).rows.map((r) => Number(r[0]));

beforeAll(async () => {
  s = await localSession();
  await s.run('CREATE EXTENSION vector');
  await s.run('CREATE TABLE sh (id int PRIMARY KEY, cat int, v vector(4))');
  // Deterministic, spread-out vectors with distinct distances from the queries below.
  await s.run(
    `INSERT INTO sh SELECT i, i % 10, ARRAY[sin(i), cos(i * 1.3), sin(i * 0.7) * 2, cos(i * 0.11)]::vector
       FROM generate_series(1, 3000) i`,
  );
  await s.run('CREATE INDEX sh_v_idx ON sh USING hnsw (v vector_l2_ops) WITH (shards = 4)');
  await s.run('SET hnsw.ef_search = 200');
});

const queries = ['[0,0,0,0]', '[1,1,1,1]', '[-0.5,0.2,1.5,-1]', '[0.9,-0.9,0.1,0.3]'];

test('a sharded index answers kNN as exact search does, through an index scan', async () => {
  expect(
    (await s.run("EXPLAIN (COSTS OFF) SELECT id FROM sh ORDER BY v <-> '[0,0,0,0]' LIMIT 10")).rows,
  ).toEqual([
    ['Limit'],
    ['  ->  Index Scan using sh_v_idx on sh'],
    ["        Order By: (v <-> '[0,0,0,0]'::vector)"],
  ]);
  for (const q of queries) {
    const sql = `SELECT id FROM sh ORDER BY v <-> '${q}' LIMIT 10`;
    const viaIndex = await ids(sql);
    await s.run('SET enable_indexscan = off');
    const exact = await ids(sql);
    await s.run('RESET enable_indexscan');
    expect(viaIndex).toEqual(exact);
  }
});

test('rows written after CREATE INDEX go to their shard; deleted ones leave', async () => {
  await s.run(
    "INSERT INTO sh VALUES (5001, 1, '[7,7,7,7]'), (5002, 2, '[7,7,7,7.01]'), (5003, 3, '[7,7,7.02,7]')",
  );
  expect(await ids("SELECT id FROM sh ORDER BY v <-> '[7,7,7,7]' LIMIT 3")).toEqual([5001, 5002, 5003]);
  await s.run('DELETE FROM sh WHERE id = 5002');
  expect(await ids("SELECT id FROM sh ORDER BY v <-> '[7,7,7,7]' LIMIT 2")).toEqual([5001, 5003]);
});

test('a filtered kNN query still returns k rows', async () => {
  const rows = await ids("SELECT id FROM sh WHERE cat = 3 ORDER BY v <-> '[1,1,1,1]' LIMIT 10");
  expect(rows).toHaveLength(10);
  expect(rows.every((id) => id % 10 === 3)).toBe(true);
});

test('the option is stored, shown and checked', async () => {
  expect((await s.run("SELECT reloptions::text FROM pg_class WHERE relname = 'sh_v_idx'")).rows).toEqual([
    ['{shards=4}'],
  ]);
  expect((await s.run("SELECT indexdef FROM pg_indexes WHERE indexname = 'sh_v_idx'")).rows).toEqual([
    ["CREATE INDEX sh_v_idx ON public.sh USING hnsw (v vector_l2_ops) WITH (shards='4')"],
  ]);
  await expect(
    s.run('CREATE INDEX ON sh USING hnsw (v vector_l2_ops) WITH (shards = 65)'),
  ).rejects.toMatchObject({
    code: '22023',
    message: 'value 65 out of bounds for option "shards"',
  });
  await expect(
    s.run('CREATE INDEX ON sh USING ivfflat (v vector_l2_ops) WITH (shards = 2)'),
  ).rejects.toMatchObject({
    code: '22023',
    message: 'unrecognized parameter "shards"',
  });
});
