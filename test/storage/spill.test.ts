/**
 * A long COPY keeps its memory bounded: every quiver.copy_spill_rows rows, the rows so far go
 * to a segment before COMMIT. A committed COPY's segments come back after a crash (its WAL
 * record names them), a rolled-back COPY's never do, and its files are deleted at start.
 */
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type RunningServer, startServer } from '../../src/server/start.ts';
import {
  errorFields,
  frontendMessage,
  queryMessage,
  RawConnection,
  startupMessage,
} from '../helpers/raw-wire.ts';

let root = '';
let dataDir = '';
let server: RunningServer | null = null;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'quiver-spill-'));
  dataDir = join(root, 'data');
  server = await startServer({ host: '127.0.0.1', port: 0, dataDir });
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

async function query(on: RunningServer, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ host: '127.0.0.1', port: on.port, user: 'quiver', database: 'quiver' });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

const lines = (from: number, count: number) =>
  Array.from({ length: count / 250 }, (_, chunk) =>
    Array.from({ length: 250 }, (_, i) => {
      const id = from + chunk * 250 + i;
      return `${id}\trow ${id}\t[${id % 7},${id % 11},${id % 13}]\n`;
    }).join(''),
  );

/** COPY on a connection where segments are spilled every 1,000 rows; `wrap` adds BEGIN/ROLLBACK. */
async function copy(from: number, count: number, rollback = false): Promise<void> {
  const sql = postgres({
    host: '127.0.0.1',
    port: server!.port,
    user: 'quiver',
    database: 'quiver',
    max: 1,
    connection: { 'quiver.copy_spill_rows': '1000' },
  });
  try {
    const run = async (tx: postgres.Sql | postgres.TransactionSql) => {
      const writable = await tx`COPY spilled FROM STDIN`.writable();
      await pipeline(Readable.from(lines(from, count)), writable);
    };
    if (!rollback) await run(sql);
    else {
      await sql
        .begin(async (tx) => {
          await run(tx);
          throw new Error('roll back');
        })
        .catch((err: Error) => {
          if (err.message !== 'roll back') throw err;
        });
    }
  } finally {
    await sql.end();
  }
}

const spillFiles = async (dir: string) =>
  (await readdir(join(dir, 'objects'), { recursive: true })).filter((f) => f.includes('spill-'));

test('COPY rows move to segments before COMMIT and survive a crash; rolled-back ones vanish', async () => {
  await query(server!, 'CREATE EXTENSION vector');
  await query(server!, 'CREATE TABLE spilled (id int PRIMARY KEY, note text, emb vector(3))');
  await query(server!, 'CREATE INDEX ON spilled USING hnsw (emb vector_l2_ops)');
  await copy(0, 10_000);
  const parts = await query(
    server!,
    "SELECT count(*)::int AS n, sum(rows)::int AS rows FROM quiver_segments WHERE segment LIKE '%spill-%'",
  );
  expect(parts[0].n).toBeGreaterThanOrEqual(5);
  expect(parts[0].rows).toBeGreaterThanOrEqual(5_000);
  const expected = [{ n: 10_000, s: 49_995_000 }];
  expect(await query(server!, 'SELECT count(*)::int AS n, sum(id)::int AS s FROM spilled')).toEqual(expected);
  expect(await query(server!, 'SELECT note FROM spilled WHERE id = 4321')).toEqual([{ note: 'row 4321' }]);

  await copy(20_000, 5_000, true);
  expect(await query(server!, 'SELECT count(*)::int AS n, sum(id)::int AS s FROM spilled')).toEqual(expected);
  const afterRollback = await spillFiles(dataDir);

  // A crash image taken now (no checkpoint since the COPY: only the WAL names the segments).
  const image = join(root, 'image');
  await cp(dataDir, image, { recursive: true });
  await rm(join(image, 'meta', 'meta.lock'), { force: true });
  const crashed = await startServer({ host: '127.0.0.1', port: 0, dataDir: image });
  try {
    expect(await query(crashed, 'SELECT count(*)::int AS n, sum(id)::int AS s FROM spilled')).toEqual(
      expected,
    );
    const nearest = await query(crashed, "SELECT id FROM spilled ORDER BY emb <-> '[3,5,8]' LIMIT 1");
    expect(Number(nearest[0].id) % 7).toBe(3);
    // The rolled-back COPY's segments are named by nothing: deleted at start.
    expect((await spillFiles(image)).length).toBeLessThan(afterRollback.length);
  } finally {
    await crashed.close();
  }
});

test('a COPY that fails while a segment is being stored leaves nothing behind and the connection usable', async () => {
  await query(server!, 'CREATE TABLE spill_fail (id int PRIMARY KEY, note text)');
  await using raw = await RawConnection.open('127.0.0.1', server!.port);
  raw.write(startupMessage({ user: 'quiver', database: 'quiver', 'quiver.copy_spill_rows': '1000' }));
  await raw.until('Z');
  // Spills after rows 1,000, 2,000 and 3,000; the duplicate comes right after the third.
  const rows = Array.from({ length: 3001 }, (_, i) => `${i}\tnote ${i}\n`);
  raw.write(queryMessage('COPY spill_fail FROM STDIN'));
  await raw.until('G');
  raw.write(frontendMessage('d', Buffer.from(`${rows.join('')}5\tduplicate\n`)));
  raw.write(frontendMessage('c'));
  const error = (await raw.until('Z')).find((m) => m.type === 'E');
  expect(error && errorFields(error.body).C).toBe('23505');
  expect(await query(server!, 'SELECT count(*)::int AS n FROM spill_fail')).toEqual([{ n: 0 }]);

  raw.write(queryMessage('COPY spill_fail FROM STDIN'));
  await raw.until('G');
  raw.write(frontendMessage('d', Buffer.from(rows.slice(0, 2500).join(''))));
  raw.write(frontendMessage('c'));
  expect((await raw.until('Z')).filter((m) => m.type === 'E')).toEqual([]);
  expect(await query(server!, 'SELECT count(*)::int AS n, sum(id)::int AS s FROM spill_fail')).toEqual([
    { n: 2500, s: (2499 * 2500) / 2 },
  ]);
});
