/**
 * Recall over the wire: 10k×32 clustered vectors, HNSW and IVFFlat at default settings,
 * plain and filtered kNN (10% and 1% selective WHERE), each compared with exact search
 * computed here. Filtered queries must return exactly k rows (k rows always match).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { clusteredData } from '../src/storage/vector/testing/clustered-data.ts';
import { connect, type TestServer, withServer } from './helpers/server.ts';

const ROWS = 10_000;
const DIMS = 32;
const K = 10;
const QUERIES = 40;

const data = clusteredData({ count: ROWS, dimensions: DIMS, seed: 7 });
const queries = data.sample(QUERIES, 99);
/** Category per row: id % 100, so `cat < 10` keeps 10% and `cat = 3` keeps 1%. */
const category = (id: number) => id % 100;

function literal(v: Float32Array): string {
  return `[${Array.from(v).join(',')}]`;
}

function l2(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s;
}

function exactTopK(q: Float32Array, keep: (id: number) => boolean): number[] {
  const ids: number[] = [];
  for (let id = 0; id < ROWS; id++) if (keep(id)) ids.push(id);
  return ids
    .map((id) => ({ id, d: l2(q, data.vectors[id]) }))
    .sort((x, y) => x.d - y.d)
    .slice(0, K)
    .map((x) => x.id);
}

let server: TestServer;
beforeAll(async () => {
  server = await withServer();
  await using client = await connect(server);
  await client.query('CREATE EXTENSION IF NOT EXISTS vector');
  await client.query('DROP TABLE IF EXISTS recall_items');
  await client.query(`CREATE TABLE recall_items (id int PRIMARY KEY, cat int NOT NULL, v vector(${DIMS}))`);
  for (let start = 0; start < ROWS; start += 1000) {
    const values: string[] = [];
    for (let id = start; id < start + 1000; id++)
      values.push(`(${id}, ${category(id)}, '${literal(data.vectors[id])}')`);
    await client.query(`INSERT INTO recall_items VALUES ${values.join(',')}`);
  }
});
afterAll(async () => {
  if (server) {
    await using client = await connect(server);
    await client.query('DROP TABLE IF EXISTS recall_items');
    await server.close();
  }
});

async function measure(
  where: string,
  keep: (id: number) => boolean,
  settings: readonly string[],
): Promise<{ recall: number; counts: number[]; allMatch: boolean }> {
  await using client = await connect(server);
  for (const s of settings) await client.query(s);
  let allMatch = true;
  let hits = 0;
  const counts: number[] = [];
  for (const q of queries) {
    const r = await client.query({
      text: `SELECT id FROM recall_items ${where} ORDER BY v <-> $1 LIMIT ${K}`,
      values: [literal(q)],
      rowMode: 'array',
    });
    const got = new Set(r.rows.map((row) => Number(row[0])));
    for (const id of got) if (!keep(id)) allMatch = false;
    counts.push(got.size);
    for (const id of exactTopK(q, keep)) if (got.has(id)) hits++;
  }
  return { recall: hits / (QUERIES * K), counts, allMatch };
}

// HNSW at pgvector's defaults (m 16, ef_construction 64, ef_search 40). IVFFlat at its default
// probes = 1 scans one list of 100; pgvector suggests about sqrt(lists) probes, so it runs with 10.
describe.each([
  ['hnsw', 'USING hnsw (v vector_l2_ops)', [] as string[]],
  ['ivfflat', 'USING ivfflat (v vector_l2_ops) WITH (lists = 100)', ['SET ivfflat.probes = 10']],
])('%s recall@10 on 10k×32 clustered', (_method, using, settings) => {
  beforeAll(async () => {
    await using client = await connect(server);
    await client.query('DROP INDEX IF EXISTS recall_items_v_idx');
    await client.query(`CREATE INDEX recall_items_v_idx ON recall_items ${using}`);
    const plan = await client.query(
      `EXPLAIN SELECT id FROM recall_items ORDER BY v <-> '${literal(queries[0])}' LIMIT 10`,
    );
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('Index Scan using recall_items_v_idx');
  });

  test('unfiltered', async () => {
    const { recall, counts } = await measure('', () => true, settings);
    expect(counts.every((c) => c === K)).toBe(true);
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });

  test.each([
    ['10%', 'WHERE cat < 10', (id: number) => category(id) < 10],
    ['1%', 'WHERE cat = 3', (id: number) => category(id) === 3],
  ])('filtered %s returns k rows that all match', async (_label, where, keep) => {
    const { recall, counts, allMatch } = await measure(where, keep, settings);
    expect(counts.every((c) => c === K)).toBe(true);
    expect(allMatch).toBe(true);
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });
});
