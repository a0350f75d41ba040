/**
 * postgres.js (`postgres` npm) against the server: its startup query for array types
 * (run on every connect, `fetch_types`), tagged-template queries as named prepared
 * statements, `sql.begin` commit and rollback, `sql.unsafe`, a custom `vector` type
 * registered by the OID looked up in pg_type, and COPY through `.writable()`/`.readable()`.
 */

import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestServer, withServer } from '../helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await withServer();
});
afterAll(async () => {
  await server?.close();
});

/** A postgres.js pool on the server that ends itself at the end of an `await using` scope. */
// biome-ignore lint/complexity/noBannedTypes: postgres.js's own default for "no custom types".
function connect<T extends Record<string, postgres.PostgresType> = {}>(options?: postgres.Options<T>) {
  const sql = postgres({
    host: server.host,
    port: server.port,
    user: server.user,
    database: server.database,
    max: 2,
    onnotice: () => {},
    ...options,
  });
  return Object.assign(sql, { [Symbol.asyncDispose]: () => sql.end({ timeout: 5 }) });
}

describe('postgres.js', () => {
  test('startup array-type query answers as PostgreSQL for the built-in types', async () => {
    await using sql = connect();
    // The query postgres.js sends on connect to learn array OIDs (connection.js fetchArrayTypes).
    const rows = await sql`
      select b.oid, b.typarray
      from pg_catalog.pg_type a
      left join pg_catalog.pg_type b on b.oid = a.typelem
      where a.typcategory = 'A'
      group by b.oid, b.typarray
      order by b.oid
    `;
    const arrays = new Map(rows.map((r) => [Number(r.oid), Number(r.typarray)]));
    // Every element type has its array; int2vector/oidvector add no element of their own.
    expect(rows.every((r) => r.oid !== null)).toBe(true);
    expect([16, 20, 21, 23, 25, 700, 701, 1043, 1700, 2950, 3802].map((o) => arrays.get(o))).toEqual([
      1000, 1016, 1005, 1007, 1009, 1021, 1022, 1015, 1231, 2951, 3807,
    ]);
    // The array of the pseudo-type record is a pseudo-type, not an array category.
    expect(arrays.has(2249)).toBe(false);
  });

  test('tagged templates: parameters, arrays, NULL, reuse of the prepared statement', async () => {
    await using sql = connect();
    await sql`drop table if exists pj_docs`;
    await sql`create table pj_docs (id int primary key, title text not null, tags text[], score float8)`;
    for (const [id, title, tags, score] of [
      [1, 'alpha', ['a', 'b'], 0.5],
      [2, 'beta', null, null],
      [3, 'gamma', ['c'], 2.25],
    ] as const) {
      await sql`insert into pj_docs values (${id}, ${title}, ${tags === null ? null : [...tags]}, ${score})`;
    }
    const rows = await sql`select id, title, tags, score from pj_docs where id = any(${[1, 2]}) order by id`;
    expect(rows.map((r) => ({ ...r }))).toEqual([
      { id: 1, title: 'alpha', tags: ['a', 'b'], score: 0.5 },
      { id: 2, title: 'beta', tags: null, score: null },
    ]);
    expect(rows.count).toBe(2);
    expect(rows.command).toBe('SELECT');
    const [updated] =
      await sql`update pj_docs set score = ${4.5} where title = ${'gamma'} returning id, score`;
    expect({ ...updated }).toEqual({ id: 3, score: 4.5 });
    const prepared = await sql`select count(*)::int as n from pg_prepared_statements`;
    expect(prepared[0].n).toBeGreaterThan(0);
    await sql`drop table pj_docs`;
  });

  test('sql.begin commits, rolls back on a thrown error, and keeps SQLSTATEs', async () => {
    await using sql = connect();
    await sql`drop table if exists pj_tx`;
    await sql`create table pj_tx (id int primary key)`;
    await sql.begin(async (tx) => {
      await tx`insert into pj_tx values (1)`;
      await tx`insert into pj_tx values (2)`;
    });
    await expect(
      sql.begin(async (tx) => {
        await tx`insert into pj_tx values (3)`;
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    const duplicate = await sql
      .begin(async (tx) => {
        await tx`insert into pj_tx values (4)`;
        await tx`insert into pj_tx values (1)`;
      })
      .catch((error: postgres.PostgresError) => error);
    expect(duplicate).toMatchObject({
      code: '23505',
      message: 'duplicate key value violates unique constraint "pj_tx_pkey"',
      detail: 'Key (id)=(1) already exists.',
    });
    const ids = await sql`select id from pj_tx order by id`;
    expect(ids.map((r) => r.id)).toEqual([1, 2]);
    await sql`drop table pj_tx`;
  });

  test('sql.unsafe with and without parameters', async () => {
    await using sql = connect();
    expect([...(await sql.unsafe('select $1::int + 1 as n', [41]))]).toEqual([{ n: 42 }]);
    const multi = await sql.unsafe('select 1 as a; select 2 as b');
    expect(multi.map((r) => [...r])).toEqual([[{ a: 1 }], [{ b: 2 }]]);
  });

  test('a custom vector type by the OID from pg_type: serialize, parse, kNN', async () => {
    let oid: number;
    {
      await using sql = connect();
      await sql`create extension if not exists vector`;
      [{ oid }] = await sql<{ oid: number }[]>`select oid from pg_type where typname = 'vector'`;
    }
    await using sql = connect({
      types: {
        vector: {
          to: oid,
          from: [oid],
          serialize: (v: number[]) => `[${v.join(',')}]`,
          parse: (s: string) => s.slice(1, -1).split(',').map(Number),
        },
      },
    });
    await sql`drop table if exists pj_items`;
    await sql`create table pj_items (id int primary key, embedding vector(3))`;
    for (const [id, v] of [
      [1, [1, 1, 1]],
      [2, [2, 2, 2]],
      [3, [1, 1, 2]],
    ] as const) {
      await sql`insert into pj_items values (${id}, ${sql.typed.vector([...v])})`;
    }
    const near = await sql`
      select id, embedding, embedding <-> ${sql.typed.vector([1, 1, 1])} as d
      from pj_items order by embedding <-> ${sql.typed.vector([1, 1, 1])} limit 2`;
    expect(near.map((r) => ({ ...r }))).toEqual([
      { id: 1, embedding: [1, 1, 1], d: 0 },
      { id: 3, embedding: [1, 1, 2], d: 1 },
    ]);
    const wrong = await sql`select ${sql.typed.vector([1, 2])} <-> embedding from pj_items`.catch(
      (error: postgres.PostgresError) => error,
    );
    expect(wrong).toMatchObject({ code: '22000', message: 'different vector dimensions 2 and 3' });
    await sql`drop table pj_items`;
  });

  test('COPY FROM STDIN through .writable() and TO STDOUT through .readable()', async () => {
    await using sql = connect();
    await sql`create extension if not exists vector`;
    await sql`drop table if exists pj_copy`;
    await sql`create table pj_copy (id int, name text, embedding vector(2))`;
    const lines = Array.from({ length: 500 }, (_, i) => `${i}\tname ${i}\t[${i},${-i}]\n`);
    const writable = await sql`copy pj_copy (id, name, embedding) from stdin`.writable();
    await pipeline(Readable.from(lines), writable);
    const [{ n }] = await sql`select count(*)::int as n from pj_copy`;
    expect(n).toBe(500);
    const readable =
      await sql`copy (select id, name, embedding from pj_copy where id < 3 order by id) to stdout`.readable();
    expect(await text(readable)).toBe('0\tname 0\t[0,0]\n1\tname 1\t[1,-1]\n2\tname 2\t[2,-2]\n');
    await sql`drop table pj_copy`;
  });
});
