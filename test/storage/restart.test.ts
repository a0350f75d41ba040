/**
 * Durability across a clean restart: everything committed is back (rows, catalog objects,
 * sequence positions, indexes), nothing rolled back is, and DDL changes between writes
 * (ADD/DROP COLUMN, ALTER COLUMN TYPE, TRUNCATE, DROP TABLE) replay onto the right layout.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunningServer, startServer } from '../../src/server/start.ts';

let dataDir: string;
let server: RunningServer | null = null;

async function start(): Promise<RunningServer> {
  server = await startServer({ host: '127.0.0.1', port: 0, dataDir });
  return server;
}

async function restart(): Promise<RunningServer> {
  await server?.close();
  return start();
}

async function client(): Promise<pg.Client & AsyncDisposable> {
  const c = new pg.Client({ host: '127.0.0.1', port: server!.port, user: 'quiver', database: 'quiver' });
  c.on('error', () => {});
  await c.connect();
  return Object.assign(c, { [Symbol.asyncDispose]: () => c.end().catch(() => {}) });
}

async function rows(sql: string): Promise<unknown[][]> {
  await using c = await client();
  const r = await c.query({ text: sql, rowMode: 'array' });
  return r.rows;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'quiver-restart-'));
  await start();
});

afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('restart', () => {
  test('committed rows and catalog objects come back; rolled-back work does not', async () => {
    {
      await using c = await client();
      await c.query('CREATE EXTENSION vector');
      await c.query(`CREATE TABLE items (
        id bigserial PRIMARY KEY, name text NOT NULL DEFAULT 'x', price numeric(10,2), tags text[],
        embedding vector(3), made timestamptz DEFAULT '2024-01-02 03:04:05+00')`);
      await c.query('CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_l2_ops) WITH (m = 8)');
      await c.query('CREATE UNIQUE INDEX items_name ON items (name)');
      await c.query('CREATE SCHEMA other');
      await c.query('CREATE TABLE other.notes (body text)');
      await c.query('CREATE VIEW cheap AS SELECT id, name FROM items WHERE price < 5');
      await c.query('CREATE SEQUENCE counter START 100');
      await c.query(`INSERT INTO items (name, price, tags, embedding) VALUES
        ('a', 1.50, '{red,blue}', '[1,0,0]'), ('b', 9.99, NULL, '[0,1,0]'), ('c', 3, '{}', '[0,0,1]')`);
      await c.query("UPDATE items SET price = 2.25 WHERE name = 'c'");
      await c.query("DELETE FROM items WHERE name = 'b'");
      await c.query('BEGIN');
      await c.query("INSERT INTO items (name, embedding) VALUES ('rolled back', '[5,5,5]')");
      await c.query('ROLLBACK');
      await c.query('BEGIN');
      await c.query("INSERT INTO items (name, embedding) VALUES ('kept', '[2,2,2]')");
      await c.query('SAVEPOINT s');
      await c.query("INSERT INTO items (name, embedding) VALUES ('undone', '[3,3,3]')");
      await c.query("DELETE FROM items WHERE name = 'a'");
      await c.query('ROLLBACK TO SAVEPOINT s');
      await c.query('COMMIT');
      await c.query("INSERT INTO other.notes VALUES ('hello')");
      expect((await c.query("SELECT nextval('counter')")).rows[0].nextval).toBe('100');
      expect((await c.query("SELECT nextval('counter')")).rows[0].nextval).toBe('101');
    }
    await restart();
    expect(
      await rows('SELECT id, name, price::text, tags, embedding::text, made FROM items ORDER BY id'),
    ).toEqual([
      ['1', 'a', '1.50', ['red', 'blue'], '[1,0,0]', new Date('2024-01-02T03:04:05Z')],
      ['3', 'c', '2.25', [], '[0,0,1]', new Date('2024-01-02T03:04:05Z')],
      ['5', 'kept', null, null, '[2,2,2]', new Date('2024-01-02T03:04:05Z')],
    ]);
    expect(await rows('SELECT * FROM other.notes')).toEqual([['hello']]);
    expect(await rows('SELECT name FROM cheap ORDER BY id')).toEqual([['a'], ['c']]);
    // Sequences continue after the last value handed out; serial columns too.
    expect(await rows("SELECT nextval('counter')")).toEqual([['102']]);
    expect(await rows("INSERT INTO items (name) VALUES ('after') RETURNING id")).toEqual([['7']]);
    // Indexes are back: the unique one enforces, the vector one serves kNN.
    await using c = await client();
    await expect(c.query("INSERT INTO items (name) VALUES ('a')")).rejects.toMatchObject({ code: '23505' });
    const plan = await c.query("EXPLAIN SELECT name FROM items ORDER BY embedding <-> '[2,2,1]' LIMIT 2");
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('items_hnsw');
    const knn = await c.query("SELECT name FROM items ORDER BY embedding <-> '[2,2,1]' LIMIT 2");
    expect(knn.rows.map((r) => r.name)).toEqual(['kept', 'a']);
  });

  test('rows inserted after a restart are found at their own vectors, not at that of a rolled-back row whose row id they took', async () => {
    {
      await using c = await client();
      await c.query('CREATE EXTENSION IF NOT EXISTS vector');
      await c.query('CREATE TABLE reuse (name text, v vector(2))');
      await c.query('CREATE INDEX reuse_v ON reuse USING hnsw (v vector_l2_ops)');
      await c.query("INSERT INTO reuse VALUES ('a', '[0,0]'), ('b', '[1,0]')");
      await c.query('BEGIN');
      await c.query("INSERT INTO reuse VALUES ('rolled back', '[7,7]')");
      await c.query('ROLLBACK');
      // The last row id goes to a row rolled back to a savepoint: it is in the graph, not in the table.
      await c.query('BEGIN');
      await c.query("INSERT INTO reuse VALUES ('kept', '[2,0]')");
      await c.query('SAVEPOINT s');
      await c.query("INSERT INTO reuse VALUES ('undone', '[5,5]')");
      await c.query('ROLLBACK TO SAVEPOINT s');
      await c.query('COMMIT');
    }
    await restart();
    await using c = await client();
    // The first new row takes the rolled-back row's id, which the loaded graph still holds at
    // [5,5]: a row without a vector must not be found there.
    await c.query("INSERT INTO reuse VALUES ('no vector', NULL), ('far', '[100,100]')");
    const knn = await c.query("SELECT name FROM reuse ORDER BY v <-> '[5,5]' LIMIT 4");
    expect(knn.rows.map((r) => r.name)).toEqual(['kept', 'b', 'a', 'far']);
    const near = await c.query("SELECT name FROM reuse ORDER BY v <-> '[100,100]' LIMIT 1");
    expect(near.rows.map((r) => r.name)).toEqual(['far']);
  });

  test('rows written before ADD/DROP COLUMN and TRUNCATE replay onto the current layout', async () => {
    {
      await using c = await client();
      await c.query('CREATE TABLE evolve (a int, b text, c int)');
      await c.query("INSERT INTO evolve VALUES (1, 'one', 10), (2, 'two', 20)");
      await c.query('ALTER TABLE evolve DROP COLUMN b');
      await c.query("ALTER TABLE evolve ADD COLUMN d text DEFAULT 'filled'");
      await c.query("INSERT INTO evolve VALUES (3, 30, 'three')");
      await c.query('CREATE TABLE wiped (x int)');
      await c.query('INSERT INTO wiped VALUES (1), (2)');
      await c.query('TRUNCATE wiped');
      await c.query('INSERT INTO wiped VALUES (3)');
      await c.query('CREATE TABLE gone (x int)');
      await c.query('INSERT INTO gone VALUES (1)');
      await c.query('DROP TABLE gone');
      await c.query('CREATE TABLE gone (y text)');
      await c.query("INSERT INTO gone VALUES ('new')");
    }
    await restart();
    expect(await rows('SELECT * FROM evolve ORDER BY a')).toEqual([
      [1, 10, 'filled'],
      [2, 20, 'filled'],
      [3, 30, 'three'],
    ]);
    expect(await rows('SELECT * FROM wiped')).toEqual([[3]]);
    expect(await rows('SELECT * FROM gone')).toEqual([['new']]);
  });

  test('ALTER COLUMN TYPE: sealed and WAL rows come back converted, twice over', async () => {
    {
      await using c = await client();
      await c.query('CREATE TABLE retyped (id int PRIMARY KEY, code text NOT NULL, v vector(2))');
      await c.query("INSERT INTO retyped VALUES (1, '10', '[1,1]'), (2, '20', '[2,2]')");
      await c.query('CREATE INDEX retyped_code ON retyped (code)');
      await c.query('CREATE INDEX retyped_v ON retyped USING hnsw (v vector_l2_ops)');
      await c.query('CHECKPOINT');
      await c.query("INSERT INTO retyped VALUES (3, '30', '[3,3]')");
      await c.query('DELETE FROM retyped WHERE id = 2');
      await c.query('ALTER TABLE retyped ALTER code TYPE int USING code::int, ALTER id TYPE bigint');
      await c.query("INSERT INTO retyped VALUES (4, 40, '[4,4]')");
      await c.query('BEGIN');
      await c.query('ALTER TABLE retyped ALTER code TYPE text USING (code * 100)::text');
      await c.query('ROLLBACK');
    }
    await restart();
    const expected = [
      ['1', 10, '[1,1]'],
      ['3', 30, '[3,3]'],
      ['4', 40, '[4,4]'],
    ];
    expect(await rows('SELECT id, code, v::text FROM retyped ORDER BY id')).toEqual(expected);
    expect(await rows('SELECT id FROM retyped WHERE code = 30')).toEqual([['3']]);
    // Sealed again by a checkpoint after the ALTER, then changed once more (by the WAL only).
    await rows('CHECKPOINT');
    await rows('ALTER TABLE retyped ALTER v TYPE vector(3) USING (v::real[] || ARRAY[0::real])::vector(3)');
    await restart();
    expect(await rows('SELECT id, code, v::text FROM retyped ORDER BY id')).toEqual([
      ['1', 10, '[1,1,0]'],
      ['3', 30, '[3,3,0]'],
      ['4', 40, '[4,4,0]'],
    ]);
    // The vector index was rebuilt for three dimensions (its file from before is not used).
    expect(await rows("SELECT id FROM retyped ORDER BY v <-> '[3,3,1]' LIMIT 2")).toEqual([['3'], ['4']]);
    expect(
      await rows(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'retyped'::regclass AND attnum > 0 ORDER BY attnum",
      ),
    ).toEqual([['bigint'], ['integer'], ['vector(3)']]);
  });

  test('DDL rolled back is not there after a restart; roles and databases are', async () => {
    {
      await using c = await client();
      await c.query('BEGIN');
      await c.query('CREATE TABLE never (x int)');
      await c.query('INSERT INTO never VALUES (1)');
      await c.query('ROLLBACK');
      await c.query("CREATE ROLE reader LOGIN PASSWORD 'secret'");
      await c.query('CREATE DATABASE second');
    }
    await restart();
    await using c = await client();
    await expect(c.query('SELECT * FROM never')).rejects.toMatchObject({ code: '42P01' });
    const roles = await c.query("SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = 'reader'");
    expect(roles.rows).toEqual([{ rolname: 'reader', rolcanlogin: true }]);
    const dbs = await c.query("SELECT datname FROM pg_database WHERE datname = 'second'");
    expect(dbs.rows).toHaveLength(1);
  });

  test('partial and expression indexes come back with their WHERE and expression, renamed columns and indexes included', async () => {
    {
      await using c = await client();
      await c.query('CREATE TABLE accounts (id int PRIMARY KEY, email text, handle text, closed bool)');
      await c.query('CREATE UNIQUE INDEX accounts_open ON accounts (handle) WHERE NOT closed');
      await c.query('CREATE UNIQUE INDEX accounts_lower ON accounts (lower(email))');
      await c.query('CREATE INDEX accounts_cover ON accounts (id) INCLUDE (handle)');
      await c.query("INSERT INTO accounts VALUES (1, 'a@x', 'h', true), (2, 'b@x', 'h', false)");
      await c.query('ALTER TABLE accounts RENAME COLUMN email TO mail');
      await c.query('ALTER TABLE accounts RENAME COLUMN closed TO gone');
      await c.query('ALTER INDEX accounts_pkey RENAME TO accounts_id');
    }
    await restart();
    await using c = await client();
    const defs = await c.query(
      "SELECT indexdef FROM pg_indexes WHERE tablename = 'accounts' AND indexname <> 'accounts_id' ORDER BY indexname",
    );
    expect(defs.rows.map((r) => r.indexdef)).toEqual([
      'CREATE INDEX accounts_cover ON public.accounts USING btree (id) INCLUDE (handle)',
      'CREATE UNIQUE INDEX accounts_lower ON public.accounts USING btree (lower(mail))',
      'CREATE UNIQUE INDEX accounts_open ON public.accounts USING btree (handle) WHERE (NOT gone)',
    ]);
    const constraints = await c.query(
      "SELECT conname FROM pg_constraint WHERE conrelid = 'accounts'::regclass",
    );
    expect(constraints.rows).toEqual([{ conname: 'accounts_id' }]);
    // The key maps were rebuilt under the same WHERE and expression.
    await expect(c.query("INSERT INTO accounts VALUES (3, 'B@X', 'k', true)")).rejects.toMatchObject({
      code: '23505',
      constraint: 'accounts_lower',
    });
    await expect(c.query("INSERT INTO accounts VALUES (3, 'd@x', 'h', false)")).rejects.toMatchObject({
      code: '23505',
      constraint: 'accounts_open',
    });
    await c.query("INSERT INTO accounts VALUES (3, 'd@x', 'h', true)");
    await c.query("UPDATE accounts SET mail = 'c@x' WHERE id = 1");
    const found = await c.query("SELECT id FROM accounts WHERE lower(mail) = 'c@x'");
    expect(found.rows).toEqual([{ id: 1 }]);
  });

  test('foreign keys come back with their actions and are enforced, sealed rows included', async () => {
    {
      await using c = await client();
      await c.query('CREATE TABLE fk_docs (id int PRIMARY KEY)');
      await c.query(
        'CREATE TABLE fk_chunks (id int PRIMARY KEY, doc int, ' +
          'CONSTRAINT fk_chunks_doc FOREIGN KEY (doc) REFERENCES fk_docs ON DELETE CASCADE DEFERRABLE)',
      );
      await c.query('INSERT INTO fk_docs VALUES (1), (2)');
      await c.query('INSERT INTO fk_chunks VALUES (10, 1), (20, 2)');
      await c.query('CHECKPOINT');
      await c.query('INSERT INTO fk_chunks VALUES (11, 1)');
      await c.query('CREATE TABLE fk_loose (id int, doc int REFERENCES fk_docs)');
      await c.query('ALTER TABLE fk_loose DISABLE TRIGGER ALL');
    }
    await restart();
    await using c = await client();
    const def = await c.query(
      "SELECT pg_get_constraintdef(oid) AS d FROM pg_constraint WHERE conname = 'fk_chunks_doc'",
    );
    expect(def.rows).toEqual([
      { d: 'FOREIGN KEY (doc) REFERENCES fk_docs(id) ON DELETE CASCADE DEFERRABLE' },
    ]);
    await expect(c.query('INSERT INTO fk_chunks VALUES (30, 3)')).rejects.toMatchObject({
      code: '23503',
      constraint: 'fk_chunks_doc',
    });
    await c.query('DELETE FROM fk_docs WHERE id = 1');
    const left = await c.query('SELECT id FROM fk_chunks ORDER BY id');
    expect(left.rows).toEqual([{ id: 20 }]);
    await expect(c.query('DROP TABLE fk_docs')).rejects.toMatchObject({ code: '2BP01' });
    // DISABLE TRIGGER ALL is kept too.
    await c.query('INSERT INTO fk_loose VALUES (1, 999)');
  });

  test('CHECK constraints come back: enforced, NOT VALID, renamed columns and constraints; rolled-back ones do not', async () => {
    {
      await using c = await client();
      await c.query('CREATE TABLE checked (id int PRIMARY KEY, price numeric CHECK (price > 0), qty int)');
      await c.query('INSERT INTO checked VALUES (1, 5, -1)');
      await c.query('ALTER TABLE checked ADD CONSTRAINT qty_ok CHECK (qty >= 0) NOT VALID');
      await c.query('ALTER TABLE checked RENAME COLUMN qty TO amount');
      await c.query('ALTER TABLE checked RENAME CONSTRAINT checked_price_check TO price_ok');
      await c.query('BEGIN');
      await c.query('ALTER TABLE checked ADD CONSTRAINT never CHECK (id < 100)');
      await c.query('ROLLBACK');
    }
    const definitions =
      "SELECT conname, convalidated, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'checked'::regclass AND contype = 'c' ORDER BY conname";
    const before = await rows(definitions);
    expect(before).toEqual([
      ['price_ok', true, 'CHECK ((price > (0)::numeric))'],
      ['qty_ok', false, 'CHECK ((amount >= 0)) NOT VALID'],
    ]);
    await restart();
    expect(await rows(definitions)).toEqual(before);
    expect(await rows("SELECT relchecks FROM pg_class WHERE relname = 'checked'")).toEqual([[2]]);
    await using c = await client();
    await expect(c.query('INSERT INTO checked VALUES (2, 0, 1)')).rejects.toMatchObject({
      code: '23514',
      constraint: 'price_ok',
    });
    await expect(c.query('INSERT INTO checked VALUES (2, 1, -1)')).rejects.toMatchObject({
      code: '23514',
      constraint: 'qty_ok',
    });
    await c.query('INSERT INTO checked VALUES (200, 1, 1)');
    await expect(c.query('ALTER TABLE checked VALIDATE CONSTRAINT qty_ok')).rejects.toMatchObject({
      code: '23514',
    });
  });

  test('CHECKPOINT seals segments; VACUUM compacts them without the deleted rows', async () => {
    await rows('CREATE TABLE churn (id int PRIMARY KEY, v text)');
    const [[oid]] = await rows("SELECT 'churn'::regclass::oid");
    const files = async (suffix: string) =>
      (await readdir(join(dataDir, 'objects', 'tables', String(oid)))).filter((f) => f.endsWith(suffix));
    for (let round = 0; round < 3; round++) {
      await rows(
        `INSERT INTO churn SELECT g, 'v' || g FROM generate_series(${round * 100 + 1}, ${round * 100 + 100}) g`,
      );
      await rows('CHECKPOINT');
    }
    expect(await files('.seg')).toHaveLength(3);
    // 10% deleted: below the share that compacts on its own, so the checkpoint writes tombstones.
    await rows('DELETE FROM churn WHERE id % 10 = 0');
    await rows('CHECKPOINT');
    expect(await files('.seg')).toHaveLength(3);
    expect(await files('.del')).toHaveLength(1);
    await rows('VACUUM');
    expect(await files('.seg')).toHaveLength(1);
    expect(await files('.del')).toHaveLength(0);
    await restart();
    expect(await rows('SELECT count(*), sum(id) FROM churn')).toEqual([['270', '40500']]);
    await expect(rows('BEGIN; VACUUM')).rejects.toMatchObject({ code: '25001' });
  });

  test('a second server cannot open the same data directory', async () => {
    await expect(startServer({ host: '127.0.0.1', port: 0, dataDir })).rejects.toThrow();
    // The first server still answers.
    expect(await rows('SELECT 1')).toEqual([[1]]);
  });
});
