/**
 * Several connections writing and searching at once (bounded: a few hundred statements,
 * loopback only): every acknowledged row is there afterwards, no row is duplicated, rolled
 * back rows never appear, and kNN answers stay exact for what is committed.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { connect, type TestServer, withServer } from '../helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await withServer();
  await using c = await connect(server);
  await c.query('CREATE EXTENSION IF NOT EXISTS vector');
  await c.query('DROP TABLE IF EXISTS conc_items');
  await c.query('CREATE TABLE conc_items (id int PRIMARY KEY, worker int NOT NULL, v vector(2))');
  await c.query('CREATE INDEX ON conc_items USING hnsw (v vector_l2_ops)');
});
afterAll(async () => {
  if (!server) return;
  await using c = await connect(server);
  await c.query('DROP TABLE IF EXISTS conc_items');
  await server.close();
});

const WORKERS = 4;
const ROUNDS = 60;

async function worker(w: number): Promise<number[]> {
  await using c = await connect(server);
  const committed: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const id = w * 10_000 + i;
    await c.query('BEGIN');
    await c.query('INSERT INTO conc_items VALUES ($1, $2, $3)', [id, w, `[${w},${i}]`]);
    // Every fifth transaction rolls back: its row must never be seen.
    if (i % 5 === 4) {
      await c.query('ROLLBACK');
      continue;
    }
    await c.query('COMMIT');
    committed.push(id);
    const near = await c.query('SELECT id FROM conc_items WHERE worker = $1 ORDER BY v <-> $2 LIMIT 1', [
      w,
      `[${w},${i}]`,
    ]);
    expect(near.rows).toEqual([{ id }]);
  }
  return committed;
}

test('concurrent writers and searchers lose nothing and see no rolled-back rows', async () => {
  const results = await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  const expected = results.flat().sort((a, b) => a - b);
  await using c = await connect(server);
  const rows = await c.query('SELECT id FROM conc_items ORDER BY id');
  expect(rows.rows.map((r) => r.id)).toEqual(expected);
  expect(expected).toHaveLength(WORKERS * ROUNDS * 0.8);
});
