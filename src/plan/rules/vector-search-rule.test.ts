import { beforeAll, describe, expect, test } from 'vitest';
import { localSession } from '../../engine/testing/local-session.ts';

type Session = Awaited<ReturnType<typeof localSession>>;
let s: Session;

async function plan(sql: string): Promise<string> {
  const r = await s.run(`EXPLAIN ${sql}`);
  return r.rows.map((row) => row[0]).join('\n');
}

beforeAll(async () => {
  s = await localSession();
  await s.run('CREATE EXTENSION vector');
  await s.run('CREATE TABLE items (id int, cat int, v vector(3), w vector(3))');
  await s.run(
    "INSERT INTO items SELECT i, i % 10, ARRAY[i, i % 7, 1]::vector, '[1,1,1]' FROM generate_series(1, 50) i",
  );
  await s.run('CREATE INDEX items_v_idx ON items USING hnsw (v vector_l2_ops)');
});

describe('ORDER BY distance LIMIT k → VectorSearch', () => {
  test('uses the index for a constant query vector with LIMIT', async () => {
    expect(await plan("SELECT id FROM items ORDER BY v <-> '[1,2,3]' LIMIT 5")).toContain(
      'Index Scan using items_v_idx on items',
    );
  });

  test('uses the index for a parameter-like subquery constant and keeps the WHERE filter in the search', async () => {
    const p = await plan(
      "SELECT id FROM items WHERE cat = 3 ORDER BY v <-> (SELECT '[1,2,3]'::vector) LIMIT 5",
    );
    expect(p).toContain('Index Scan using items_v_idx on items');
    expect(p).toContain('Filter:');
  });

  test('does not use the index without LIMIT while enable_seqscan is on (PostgreSQL sorts)', async () => {
    const p = await plan("SELECT id FROM items ORDER BY v <-> '[1,2,3]'");
    expect(p).toContain('Seq Scan on items');
    expect(p).not.toContain('Index Scan');
  });

  test('uses the index without LIMIT when enable_seqscan is off, as pgvector tests rely on', async () => {
    await s.run('SET enable_seqscan = off');
    try {
      expect(await plan("SELECT id FROM items ORDER BY v <-> '[1,2,3]'")).toContain(
        'Index Scan using items_v_idx',
      );
    } finally {
      await s.run('RESET enable_seqscan');
    }
  });

  test('ignores descending order, other operators, row-dependent query vectors and enable_indexscan off', async () => {
    expect(await plan("SELECT id FROM items ORDER BY v <-> '[1,2,3]' DESC LIMIT 5")).not.toContain(
      'Index Scan',
    );
    expect(await plan("SELECT id FROM items ORDER BY v <=> '[1,2,3]' LIMIT 5")).not.toContain('Index Scan');
    expect(await plan('SELECT id FROM items ORDER BY v <-> w LIMIT 5')).not.toContain('Index Scan');
    expect(await plan("SELECT id FROM items ORDER BY w <-> '[1,2,3]' LIMIT 5")).not.toContain('Index Scan');
    await s.run('SET enable_indexscan = off');
    try {
      expect(await plan("SELECT id FROM items ORDER BY v <-> '[1,2,3]' LIMIT 5")).not.toContain('Index Scan');
    } finally {
      await s.run('RESET enable_indexscan');
    }
  });

  test('an expression index serves ORDER BY on the same expression (half-precision indexing)', async () => {
    await s.run('CREATE INDEX items_half_idx ON items USING hnsw ((w::halfvec(3)) halfvec_l2_ops)');
    const p = await plan("SELECT id FROM items ORDER BY w::halfvec(3) <-> '[1,2,3]' LIMIT 5");
    expect(p).toContain('Index Scan using items_half_idx on items');
    expect(p).toContain("Order By: ((w)::halfvec(3) <-> '[1,2,3]'::halfvec)");
    expect(await plan("SELECT id FROM items ORDER BY w::halfvec(2) <-> '[1,2]' LIMIT 5")).not.toContain(
      'Index Scan',
    );
    await s.run('DROP INDEX items_half_idx');
  });

  test('index and exact plans return the same rows', async () => {
    const q = "SELECT id FROM items WHERE cat < 5 ORDER BY v <-> '[10,3,1]' LIMIT 7";
    const viaIndex = (await s.run(q)).rows;
    await s.run('SET enable_indexscan = off');
    const exact = (await s.run(q)).rows;
    await s.run('RESET enable_indexscan');
    expect(viaIndex).toEqual(exact);
    expect(viaIndex).toHaveLength(7);
  });
});
