/**
 * Damaged files never turn into wrong answers: a truncated or bit-flipped segment makes its
 * table answer with an error naming the file while other tables keep working; a damaged
 * WAL stops the start with an error naming the WAL file.
 */
import { cp, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunningServer, startServer } from '../../src/server/start.ts';

let root = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'quiver-corrupt-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function query(server: RunningServer, sql: string): Promise<unknown[][]> {
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'quiver', database: 'quiver' });
  await client.connect();
  try {
    return (await client.query({ text: sql, rowMode: 'array' })).rows;
  } finally {
    await client.end();
  }
}

/** Every file under `dir` whose name ends with `suffix`. */
async function filesEnding(dir: string, suffix: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((e) => e.endsWith(suffix)).map((e) => join(dir, e));
}

/** A data directory with tables `good` and `bad`, checkpointed into segments. */
async function checkpointedDir(name: string): Promise<{ dir: string; badSegment: string }> {
  const dir = join(root, name);
  const server = await startServer({ host: '127.0.0.1', port: 0, dataDir: dir });
  await query(server, 'CREATE TABLE good (x int)');
  await query(server, 'INSERT INTO good SELECT g FROM generate_series(1, 100) g');
  await query(server, 'CREATE TABLE bad (x int, note text)');
  await query(server, "INSERT INTO bad SELECT g, 'row ' || g FROM generate_series(1, 1000) g");
  const [[badOid]] = await query(server, "SELECT 'bad'::regclass::oid");
  await server.close();
  const [badSegment] = await filesEnding(join(dir, 'objects', 'tables', String(badOid)), '.seg');
  return { dir, badSegment };
}

async function expectBadTable(dir: string, segment: string): Promise<void> {
  const server = await startServer({ host: '127.0.0.1', port: 0, dataDir: dir });
  try {
    expect(server.recovery!.damagedTables).toEqual(['bad']);
    expect(await query(server, 'SELECT count(*) FROM good')).toEqual([['100']]);
    const key = segment.slice(segment.indexOf('tables/'));
    for (const sql of ['SELECT count(*) FROM bad', 'INSERT INTO bad VALUES (1, null)', 'DELETE FROM bad']) {
      await expect(query(server, sql), sql).rejects.toMatchObject({
        code: 'XX001',
        message: expect.stringContaining(`segment "${key}" is corrupt`),
      });
    }
  } finally {
    await server.close();
  }
}

describe('damaged storage files', () => {
  test('a bit flip in a segment: its table reports the file, the others answer', async () => {
    const { dir, badSegment } = await checkpointedDir('flip');
    const bytes = await readFile(badSegment);
    bytes[Math.floor(bytes.length / 2)] ^= 0x10;
    await writeFile(badSegment, bytes);
    await expectBadTable(dir, badSegment);
  });

  test('a truncated segment: its table reports the file, the others answer', async () => {
    const { dir, badSegment } = await checkpointedDir('cut');
    const size = (await readFile(badSegment)).length;
    await truncate(badSegment, Math.floor(size / 3));
    await expectBadTable(dir, badSegment);
  });

  test('a damaged WAL record followed by good ones stops the start, naming the WAL file', async () => {
    const dir = join(root, 'wal');
    const server = await startServer({ host: '127.0.0.1', port: 0, dataDir: dir });
    try {
      await query(server, 'CREATE TABLE t (x int, pad text)');
      for (let i = 0; i < 20; i++) await query(server, `INSERT INTO t VALUES (${i}, repeat('x', 200))`);
      // A crash image: the running server's files (its lock is not part of the image).
      const image = join(root, 'wal-image');
      await cp(dir, image, { recursive: true });
      await rm(join(image, 'meta', 'meta.lock'), { force: true });
      const [walFile] = await filesEnding(join(image, 'wal'), '.wal');
      const bytes = await readFile(walFile);
      bytes[Math.floor(bytes.length / 3)] ^= 0x01;
      await writeFile(walFile, bytes);
      await expect(startServer({ host: '127.0.0.1', port: 0, dataDir: image })).rejects.toThrow(walFile);
    } finally {
      await server.close();
    }
  });
});
