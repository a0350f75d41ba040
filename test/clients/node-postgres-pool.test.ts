/**
 * node-postgres beyond one client (node-postgres.test.ts covers that): a `pg.Pool` running
 * kNN queries on several connections at once, `pg_cancel_backend(pid)` from another
 * session, pgvector's halfvec and sparsevec parsers from `registerTypes`, and the data
 * exception (22000) a dimension mismatch raises inside a transaction.
 */
import pg from 'pg';
import { SparseVector } from 'pgvector';
import { registerTypes, toSql } from 'pgvector/pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connect, type TestServer, withServer } from '../helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await withServer();
  await using c = await connect(server);
  await c.query('CREATE EXTENSION IF NOT EXISTS vector');
  await c.query('DROP TABLE IF EXISTS npp_items');
  await c.query('CREATE TABLE npp_items (id int PRIMARY KEY, embedding vector(2))');
  await c.query(
    'INSERT INTO npp_items SELECT i, ARRAY[i, 100 - i]::vector FROM generate_series(1, 100) AS i',
  );
  await c.query('CREATE INDEX ON npp_items USING hnsw (embedding vector_l2_ops)');
});
afterAll(async () => {
  if (!server) return;
  {
    await using c = await connect(server);
    await c.query('DROP TABLE IF EXISTS npp_items');
  }
  await server.close();
});

describe('node-postgres pool and pgvector types', () => {
  test('pg.Pool: parallel kNN queries on several clients, then pool.end()', async () => {
    const pool = new pg.Pool({
      host: server.host,
      port: server.port,
      user: server.user,
      database: server.database,
      max: 4,
    });
    pool.on('connect', (client) => registerTypes(client));
    const pids = new Set<number>();
    const queries = Array.from({ length: 16 }, async (_, i) => {
      const client = await pool.connect();
      try {
        await registerTypes(client);
        pids.add((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
        const target = 10 + i * 5;
        const r = await client.query(
          'SELECT id, embedding FROM npp_items ORDER BY embedding <-> $1 LIMIT 3',
          [toSql([target, 100 - target])],
        );
        return r.rows.map((row) => [row.id, row.embedding]);
      } finally {
        client.release();
      }
    });
    const results = await Promise.all(queries);
    results.forEach((rows, i) => {
      const target = 10 + i * 5;
      expect(rows[0]).toEqual([target, [target, 100 - target]]);
      expect(rows.map((r) => r[0]).sort((a, b) => a - b)).toEqual(
        [target - 1, target, target + 1].filter((id) => id >= 1 && id <= 100).slice(0, 3),
      );
    });
    expect(pids.size).toBeGreaterThan(1);
    expect(pids.size).toBeLessThanOrEqual(4);
    // pool.query takes a client, runs one statement and releases it.
    expect((await pool.query('SELECT count(*)::int AS n FROM npp_items')).rows).toEqual([{ n: 100 }]);
    await pool.end();
    expect(pool.totalCount).toBe(0);
  });

  test('pg_cancel_backend(pid) from another session cancels with 57014', async () => {
    await using victim = await connect(server);
    await using other = await connect(server);
    const pid = (await victim.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const sleeping = victim.query('SELECT pg_sleep(10)').catch((error: pg.DatabaseError) => error);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    expect((await other.query('SELECT pg_cancel_backend($1) AS ok', [pid])).rows).toEqual([{ ok: true }]);
    const error = (await sleeping) as pg.DatabaseError;
    expect(error.code).toBe('57014');
    expect(error.message).toBe('canceling statement due to user request');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await victim.query('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
  });

  test('registerTypes parses halfvec and sparsevec results', async () => {
    await using client = await connect(server);
    await registerTypes(client);
    const r = await client.query(
      "SELECT '[1.5,2,3]'::halfvec AS h, '{1:1.5,3:2}/4'::sparsevec AS s, $1::sparsevec AS p",
      [new SparseVector({ 1: 2.5 }, 3).toPostgres()],
    );
    expect(r.rows[0].h).toEqual([1.5, 2, 3]);
    expect(r.rows[0].s).toBeInstanceOf(SparseVector);
    expect(r.rows[0].s.toArray()).toEqual([1.5, 0, 2, 0]);
    expect(r.rows[0].p.toArray()).toEqual([0, 2.5, 0]);
    // The OIDs pgvector looked up are the ones the result columns carry.
    const types = await client.query(
      "SELECT typname, oid FROM pg_type WHERE typname IN ('halfvec', 'sparsevec')",
    );
    const oids = Object.fromEntries(types.rows.map((t) => [t.typname, t.oid]));
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([oids.halfvec, oids.sparsevec, oids.sparsevec]);
  });

  test('a dimension mismatch is 22000 and aborts the transaction (25P02)', async () => {
    await using client = await connect(server);
    await client.query('BEGIN');
    const mismatch = await client
      .query('INSERT INTO npp_items VALUES (1000, $1)', [toSql([1, 2, 3])])
      .catch((error: pg.DatabaseError) => error);
    expect(mismatch).toMatchObject({ code: '22000', message: 'expected 2 dimensions, not 3' });
    const aborted = await client.query('SELECT 1').catch((error: pg.DatabaseError) => error);
    expect(aborted).toMatchObject({
      code: '25P02',
      message: 'current transaction is aborted, commands ignored until end of transaction block',
    });
    await client.query('ROLLBACK');
    expect((await client.query('SELECT count(*)::int AS n FROM npp_items')).rows).toEqual([{ n: 100 }]);
  });
});
