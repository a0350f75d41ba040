/**
 * A table several times larger than the memory budget: sealed segments are read on demand
 * and evicted least recently used, and every query still answers exactly (scans, filtered
 * kNN through the HNSW index, updates and deletes of sealed rows, ALTER TABLE, a restart).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type RunningServer, startServer } from '../../src/server/start.ts';

const BUDGET = 256 * 1024;
const ROUNDS = 4;
const PER_ROUND = 2000;
const DIMS = 32;

let dataDir = '';
let server: RunningServer | null = null;

const start = async () => {
  server = await startServer({ host: '127.0.0.1', port: 0, dataDir, memoryBudgetBytes: BUDGET });
};

async function query(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ host: '127.0.0.1', port: server!.port, user: 'quiver', database: 'quiver' });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

function vectorOf(id: number): number[] {
  return Array.from({ length: DIMS }, (_, i) => Math.round(Math.sin(id * 0.37 + i) * 1000) / 1000);
}

const literal = (v: number[]) => `[${v.join(',')}]`;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'quiver-budget-'));
  await start();
});

afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** The 5 nearest ids of group `grp` to `q`, computed here over the rows the model holds. */
function exactNearest(ids: number[], q: number[]): number[] {
  const d = (id: number) => Math.hypot(...vectorOf(id).map((x, i) => x - q[i]));
  return [...ids].sort((a, b) => d(a) - d(b) || a - b).slice(0, 5);
}

test('a table larger than the memory budget answers every query exactly', { timeout: 120_000 }, async () => {
  await query('CREATE EXTENSION vector');
  await query(`CREATE TABLE big (id int PRIMARY KEY, grp int NOT NULL, emb vector(${DIMS}))`);
  await query('CREATE INDEX big_emb ON big USING hnsw (emb vector_l2_ops)');
  for (let round = 0; round < ROUNDS; round++) {
    for (let from = round * PER_ROUND; from < (round + 1) * PER_ROUND; from += 500) {
      const values = Array.from({ length: 500 }, (_, i) => {
        const id = from + i;
        return `(${id}, ${id % 10}, '${literal(vectorOf(id))}')`;
      });
      await query(`INSERT INTO big VALUES ${values.join(', ')}`);
    }
    await query('CHECKPOINT');
  }
  const segments = await query(
    'SELECT segment, rows, bytes, loaded FROM quiver_segments WHERE relname = $1',
    ['big'],
  );
  expect(segments).toHaveLength(ROUNDS);
  expect(segments.reduce((n, s) => n + Number(s.bytes), 0)).toBeGreaterThan(3 * BUDGET);

  const ids = new Set(Array.from({ length: ROUNDS * PER_ROUND }, (_, i) => i));
  const check = async () => {
    const total = [...ids].reduce((a, b) => a + b, 0);
    expect(await query('SELECT count(*)::int AS n, sum(id)::int AS s FROM big')).toEqual([
      { n: ids.size, s: total },
    ]);
    const q = vectorOf(123456);
    const group3 = [...ids].filter((id) => id % 10 === 3);
    const knn = await query('SELECT id FROM big WHERE grp = 3 ORDER BY emb <-> $1 LIMIT 5', [literal(q)]);
    expect(knn.map((r) => r.id)).toEqual(exactNearest(group3, q));
    const loaded = await query('SELECT count(*)::int AS n FROM quiver_segments WHERE loaded');
    expect(loaded[0].n).toBeLessThanOrEqual(1);
    // Segments pushed out keep their small columns and read vectors from their files.
    const fromFile = await query('SELECT count(*)::int AS n FROM quiver_segments WHERE vectors_from_file');
    expect(fromFile[0].n).toBeGreaterThan(0);
    const q2 = vectorOf(777);
    const withVectors = await query('SELECT id, emb FROM big ORDER BY emb <-> $1 LIMIT 3', [literal(q2)]);
    for (const row of withVectors) expect(row.emb).toBe(literal(vectorOf(row.id as number)));
  };
  await check();

  // Sealed rows can be updated and deleted; their new versions live in memory.
  await query('UPDATE big SET grp = 3 WHERE id = 7');
  await query('DELETE FROM big WHERE id BETWEEN 100 AND 199');
  for (let id = 100; id < 200; id++) ids.delete(id);
  expect(await query('SELECT grp FROM big WHERE id = 7')).toEqual([{ grp: 3 }]);
  // ALTER TABLE reaches sealed rows through their attnums.
  await query("ALTER TABLE big ADD COLUMN tag text DEFAULT 'old'");
  expect(await query('SELECT count(*)::int AS n FROM big WHERE tag = $1', ['old'])).toEqual([
    { n: ids.size },
  ]);
  await query('ALTER TABLE big DROP COLUMN tag');
  await check();

  await server!.close();
  await start();
  expect(server!.recovery!.indexesLoaded).toBe(1);
  await check();
  expect(await query('SELECT grp FROM big WHERE id = 7')).toEqual([{ grp: 3 }]);
});
