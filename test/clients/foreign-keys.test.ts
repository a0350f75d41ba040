/**
 * Foreign keys between concurrent sessions (node-postgres, loopback, bounded): a check
 * never passes on a row another open transaction is changing — where PostgreSQL waits on a
 * row lock, Quiver answers 40001 — so no interleaving leaves a referencing row without its
 * referenced one. Also COPY FROM STDIN through psql, and the constraints after a restart.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runProcess } from '../helpers/run-process.ts';
import { connect, type TestServer, withServer } from '../helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await withServer();
  await using c = await connect(server);
  await c.query('DROP SCHEMA IF EXISTS fkc CASCADE');
  await c.query('CREATE SCHEMA fkc');
  await c.query('CREATE TABLE fkc.docs (id int PRIMARY KEY, title text)');
  await c.query(
    'CREATE TABLE fkc.chunks (id int PRIMARY KEY, doc int REFERENCES fkc.docs ON DELETE CASCADE)',
  );
  await c.query('CREATE TABLE fkc.refs (id int PRIMARY KEY, doc int REFERENCES fkc.docs)');
});
afterAll(async () => {
  if (!server) return;
  await using c = await connect(server);
  await c.query('DROP SCHEMA IF EXISTS fkc CASCADE');
  await server.close();
});

async function sqlState(run: Promise<unknown>): Promise<string | null> {
  try {
    await run;
    return null;
  } catch (err) {
    return (err as { code?: string }).code ?? 'no code';
  }
}

test('a referenced row cannot go while another transaction inserts a row referencing it', async () => {
  await using a = await connect(server);
  await using b = await connect(server);
  await a.query('INSERT INTO fkc.docs VALUES (1, $1)', ['one']);
  await a.query('BEGIN');
  await a.query('INSERT INTO fkc.refs VALUES (1, 1)');
  expect(await sqlState(b.query('DELETE FROM fkc.docs WHERE id = 1'))).toBe('40001');
  await a.query('COMMIT');
  // Committed now: the delete is refused as in PostgreSQL.
  expect(await sqlState(b.query('DELETE FROM fkc.docs WHERE id = 1'))).toBe('23503');
  // A repeatable-read snapshot taken before the reference was committed still sees it.
  await a.query('INSERT INTO fkc.docs VALUES (2, $1)', ['two']);
  await b.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  await b.query('SELECT count(*) FROM fkc.refs');
  await a.query('INSERT INTO fkc.refs VALUES (2, 2)');
  expect(await sqlState(b.query('DELETE FROM fkc.docs WHERE id = 2'))).toBe('23503');
  await b.query('ROLLBACK');
});

test('a row cannot reference one another open transaction is deleting', async () => {
  await using a = await connect(server);
  await using b = await connect(server);
  await a.query('INSERT INTO fkc.docs VALUES (3, $1)', ['three']);
  await a.query('BEGIN');
  await a.query('DELETE FROM fkc.docs WHERE id = 3');
  expect(await sqlState(b.query('INSERT INTO fkc.chunks VALUES (3, 3)'))).toBe('40001');
  await a.query('ROLLBACK');
  expect(await sqlState(b.query('INSERT INTO fkc.chunks VALUES (3, 3)'))).toBeNull();
  // An update that keeps the key does not stand in the way.
  await a.query('BEGIN');
  await a.query("UPDATE fkc.docs SET title = 'THREE' WHERE id = 3");
  expect(await sqlState(b.query('INSERT INTO fkc.chunks VALUES (4, 3)'))).toBeNull();
  await a.query('COMMIT');
});

test('concurrent inserts and deletes leave no row without its referenced row', async () => {
  const DOCS = 20;
  await using setup = await connect(server);
  await setup.query('INSERT INTO fkc.docs SELECT g, NULL FROM generate_series(100, 99 + $1) g', [DOCS]);
  const acknowledged: { chunk: number; doc: number }[] = [];
  // Two writers add chunks in small transactions while a third deletes documents.
  const writer = async (w: number) => {
    await using c = await connect(server);
    for (let i = 0; i < 60; i++) {
      const chunk = 10_000 * (w + 1) + i;
      const doc = 100 + ((i * 7 + w) % DOCS);
      await c.query('BEGIN');
      const state = await sqlState(c.query('INSERT INTO fkc.chunks VALUES ($1, $2)', [chunk, doc]));
      if (state === null) {
        await c.query('COMMIT');
        acknowledged.push({ chunk, doc });
      } else {
        expect(['23503', '40001']).toContain(state);
        await c.query('ROLLBACK');
      }
    }
  };
  const deleter = async () => {
    await using c = await connect(server);
    for (let d = 0; d < DOCS; d += 2) {
      await c.query('BEGIN');
      const state = await sqlState(c.query('DELETE FROM fkc.docs WHERE id = $1', [100 + d]));
      if (state === null) await c.query('COMMIT');
      else {
        expect(state).toBe('40001');
        await c.query('ROLLBACK');
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  await Promise.all([writer(0), writer(1), deleter()]);
  const orphans = await setup.query(
    'SELECT count(*)::int AS n FROM fkc.chunks c WHERE NOT EXISTS (SELECT 1 FROM fkc.docs d WHERE d.id = c.doc)',
  );
  expect(orphans.rows[0].n).toBe(0);
  // Every acknowledged chunk is there unless its document was deleted (ON DELETE CASCADE).
  const docs = new Set((await setup.query('SELECT id FROM fkc.docs')).rows.map((r) => r.id as number));
  const chunks = new Set((await setup.query('SELECT id FROM fkc.chunks')).rows.map((r) => r.id as number));
  expect(acknowledged.length).toBeGreaterThan(0);
  for (const { chunk, doc } of acknowledged) expect(chunks.has(chunk)).toBe(docs.has(doc));
});

test('COPY FROM STDIN checks its rows', async () => {
  const psql = (input: string) =>
    runProcess('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-c', 'COPY fkc.refs FROM STDIN WITH (FORMAT csv)'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', PGCONNECT_TIMEOUT: '10', ...server.env },
      input,
      timeoutMs: 60_000,
    });
  await using c = await connect(server);
  await c.query('INSERT INTO fkc.docs VALUES (500, NULL), (501, NULL)');
  const bad = await psql('50,500\n51,999\n');
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toContain('violates foreign key constraint "refs_doc_fkey"');
  expect(bad.stderr).toContain('Key (doc)=(999) is not present in table "docs".');
  expect((await c.query('SELECT count(*)::int AS n FROM fkc.refs WHERE id >= 50')).rows[0].n).toBe(0);
  const good = await psql('50,500\n51,501\n52,\n');
  expect(good.stderr).toBe('');
  expect((await c.query('SELECT count(*)::int AS n FROM fkc.refs WHERE id >= 50')).rows[0].n).toBe(3);
});
