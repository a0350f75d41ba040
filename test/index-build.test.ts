/**
 * CREATE INDEX on a big table builds in a worker thread: other sessions keep being served
 * (and see the build in pg_stat_progress_create_index), rows they insert meanwhile end up in
 * the index, and the building session gets progress NOTICE lines.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { clusteredData } from '../src/storage/vector/testing/clustered-data.ts';
import { connect, type TestServer, withServer } from './helpers/server.ts';

const ROWS = 60_000;
const DIMS = 16;
let server: TestServer;

beforeAll(async () => {
  server = await withServer();
});

afterAll(async () => {
  await server?.close();
});

const literal = (v: ArrayLike<number>) => `[${Array.from(v).join(',')}]`;

test.skipIf(process.env.QUIVER_TEST_TARGET)(
  'a big CREATE INDEX runs beside other sessions and reports progress',
  { timeout: 120_000 },
  async () => {
    const data = clusteredData({ count: ROWS, dimensions: DIMS, seed: 21 });
    await using builder = await connect(server);
    await using other = await connect(server);
    await builder.query('CREATE EXTENSION IF NOT EXISTS vector');
    await builder.query(`CREATE TABLE build_me (id int PRIMARY KEY, emb vector(${DIMS}))`);
    const sql = postgres({
      host: server.host,
      port: server.port,
      user: server.user,
      database: server.database,
      max: 1,
    });
    try {
      const writable = await sql`COPY build_me FROM STDIN`.writable();
      await pipeline(Readable.from(data.vectors.map((v, id) => `${id}\t${literal(v)}\n`)), writable);
    } finally {
      await sql.end();
    }
    const notices: string[] = [];
    builder.on('notice', (n) => notices.push(n.message ?? ''));
    let finished = false;
    const building = builder
      .query('CREATE INDEX build_me_emb ON build_me USING hnsw (emb vector_l2_ops)')
      .finally(() => {
        finished = true;
      });

    // While it builds: the other session is served, sees the progress row, and inserts.
    const seen: { phase: string; tuples_total: string; tuples_done: string }[] = [];
    while (!finished && seen.length === 0) {
      const r = await other.query(
        "SELECT phase, tuples_total, tuples_done FROM pg_stat_progress_create_index WHERE command = 'CREATE INDEX'",
      );
      seen.push(...r.rows);
    }
    // Beside a row of the data, not far outside it: HNSW may not reach an extreme outlier
    // (its neighbours can prune their links to it), and this test is about the row being
    // in the index at all. A lost row would leave data row 7 the nearest.
    const extra = Float32Array.from(data.vectors[7], (x) => x + 0.001);
    await other.query('INSERT INTO build_me VALUES ($1, $2)', [ROWS, literal(extra)]);
    await building;

    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0].phase).toBe('building index: loading tuples');
    expect(seen[0].tuples_total).toBe(String(ROWS));
    expect(notices.filter((n) => n.startsWith('building index "build_me_emb": '))).not.toHaveLength(0);
    const plan = await other.query(
      `EXPLAIN SELECT id FROM build_me ORDER BY emb <-> '${literal(extra)}' LIMIT 1`,
    );
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('build_me_emb');
    const nearest = await other.query(`SELECT id FROM build_me ORDER BY emb <-> '${literal(extra)}' LIMIT 1`);
    expect(nearest.rows).toEqual([{ id: ROWS }]);
    const q = data.vectors[123];
    const self = await other.query(`SELECT id FROM build_me ORDER BY emb <-> '${literal(q)}' LIMIT 1`);
    expect(self.rows).toEqual([{ id: 123 }]);
    expect((await other.query('SELECT count(*) FROM pg_stat_progress_create_index')).rows).toEqual([
      { count: '0' },
    ]);
  },
);
