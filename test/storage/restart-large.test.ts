/**
 * Restart with a big table: 200k×64 vectors with an HNSW index. After a clean restart the
 * index is loaded from its file (not rebuilt) and the first kNN query answers as before.
 * The timings are printed for the storage notes (they are not asserted: benchmarks live in
 * bench/).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, expect, test } from 'vitest';
import { idVectorCopyBinary } from '../../src/engine/testing/id-vector-copy.ts';
import { type RunningServer, startServer } from '../../src/server/start.ts';
import { clusteredData } from '../../src/storage/vector/testing/clustered-data.ts';

const ROWS = 200_000;
const DIMS = 64;

let dataDir = '';
let server: RunningServer | null = null;

afterAll(async () => {
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function knn(port: number, query: Float32Array): Promise<{ ids: number[]; millis: number }> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'quiver', database: 'quiver' });
  await client.connect();
  try {
    const started = performance.now();
    const r = await client.query('SELECT id FROM big ORDER BY emb <-> $1 LIMIT 10', [`[${query.join(',')}]`]);
    return { ids: r.rows.map((row) => row.id), millis: performance.now() - started };
  } finally {
    await client.end();
  }
}

test(`a ${ROWS}×${DIMS} HNSW index is loaded, not rebuilt, after a restart`, {
  timeout: 300_000,
}, async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'quiver-restart-large-'));
  server = await startServer({ host: '127.0.0.1', port: 0, dataDir });
  const data = clusteredData({ count: ROWS, dimensions: DIMS, seed: 11 });
  const query = data.sample(1, 5)[0];
  const sql = postgres({
    host: '127.0.0.1',
    port: server.port,
    user: 'quiver',
    database: 'quiver',
    max: 1,
    onnotice: () => {},
  });
  const timings: Record<string, number> = {};
  try {
    await sql`CREATE EXTENSION vector`;
    await sql`CREATE TABLE big (id int PRIMARY KEY, emb vector(64))`;
    let t = performance.now();
    const writable = await sql`COPY big FROM STDIN (FORMAT binary)`.writable();
    await pipeline(Readable.from(idVectorCopyBinary(data.vectors)), writable);
    timings.copyMillis = performance.now() - t;
    t = performance.now();
    await sql`CREATE INDEX big_emb ON big USING hnsw (emb vector_l2_ops)`;
    timings.createIndexMillis = performance.now() - t;
  } finally {
    await sql.end();
  }
  const before = await knn(server.port, query);
  let t = performance.now();
  await server.close();
  timings.closeWithCheckpointMillis = performance.now() - t;
  server = null;

  t = performance.now();
  server = await startServer({ host: '127.0.0.1', port: 0, dataDir });
  timings.startMillis = performance.now() - t;
  const recovery = server.recovery!;
  expect(recovery.segmentRows).toBe(ROWS);
  expect(recovery.indexesLoaded).toBe(1);
  expect(recovery.indexesRebuilt).toBe(0);
  const after = await knn(server.port, query);
  timings.firstQueryMillis = after.millis;
  timings.startToFirstAnswerMillis = performance.now() - t;
  expect(after.ids).toEqual(before.ids);
  console.log(
    `restart-large: ${JSON.stringify({ ...timings, recoveryMillis: recovery.millis }, (_, v) => (typeof v === 'number' ? Math.round(v) : v))}`,
  );
});
