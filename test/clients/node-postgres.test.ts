/**
 * node-postgres (`pg`) with the `pgvector` npm helpers against the server: parameters,
 * named prepared statements, vector values in and out, transactions, error fields, and
 * query cancellation (57014) through a CancelRequest on a second connection.
 */
import type pg from 'pg';
import { registerTypes, toSql } from 'pgvector/pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cancelRequest, RawConnection } from '../helpers/raw-wire.ts';
import { connect, type TestServer, withServer } from '../helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await withServer();
});
afterAll(async () => {
  await server?.close();
});

/** Rejection of `promise` as a pg DatabaseError (fails the test when it resolves). */
async function databaseError(promise: Promise<unknown>): Promise<pg.DatabaseError> {
  try {
    await promise;
  } catch (error) {
    return error as pg.DatabaseError;
  }
  throw new Error('expected the query to fail');
}

describe('node-postgres', () => {
  test('parameters of several types, including NULL', async () => {
    await using client = await connect(server);
    const r = await client.query('SELECT $1::int + $2::int AS sum, $3::text AS t, $4::int IS NULL AS n', [
      40,
      2,
      'héllo',
      null,
    ]);
    expect(r.rows).toEqual([{ sum: 42, t: 'héllo', n: true }]);
    expect(r.fields.map((f) => f.name)).toEqual(['sum', 't', 'n']);
  });

  test('parameter types are inferred from the context', async () => {
    await using client = await connect(server);
    await client.query('DROP TABLE IF EXISTS np_params');
    await client.query('CREATE TABLE np_params (id int, name text, score float8)');
    await client.query('INSERT INTO np_params VALUES ($1, $2, $3), ($4, $5, $6)', [1, 'a', 1.5, 2, 'b', 2.5]);
    const r = await client.query(
      'SELECT id, name, score FROM np_params WHERE id = $1 OR name = $2 ORDER BY id',
      ['2', 'a'],
    );
    expect(r.rows).toEqual([
      { id: 1, name: 'a', score: 1.5 },
      { id: 2, name: 'b', score: 2.5 },
    ]);
    await client.query('DROP TABLE np_params');
  });

  test('named prepared statements are reused', async () => {
    await using client = await connect(server);
    const query = { name: 'np-concat', text: 'SELECT $1::text || $2::text AS s' };
    const first = await client.query({ ...query, values: ['a', 'b'] });
    const second = await client.query({ ...query, values: ['c', 'd'] });
    expect(first.rows).toEqual([{ s: 'ab' }]);
    expect(second.rows).toEqual([{ s: 'cd' }]);
    const prepared = await client.query(
      "SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name = 'np-concat'",
    );
    expect(prepared.rows).toEqual([{ n: 1 }]);
  });

  test('SQL PREPARE / EXECUTE / DEALLOCATE in both protocols, one namespace with named statements', async () => {
    await using client = await connect(server);
    await client.query('PREPARE np_add(int) AS SELECT $1 + 1 AS v, $1::text AS t');
    const simple = await client.query('EXECUTE np_add(1)');
    expect(simple.command).toBe('SELECT');
    expect(simple.rows).toEqual([{ v: 2, t: '1' }]);
    // Extended protocol (a named query is always parsed): Describe of `EXECUTE …` gives the
    // prepared statement's columns.
    const extended = await client.query({ name: 'np-execute', text: 'EXECUTE np_add(2.6)' });
    expect(extended.rows).toEqual([{ v: 4, t: '3' }]);
    expect(extended.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
      ['v', 23],
      ['t', 25],
    ]);
    // EXECUTE has no parameters of its own, as in PostgreSQL: Bind refuses a value for `$1`.
    const bound = await databaseError(client.query('EXECUTE np_add($1)', [5]));
    expect(bound.code).toBe('08P01');
    expect(bound.message).toBe('bind message supplies 1 parameters, but prepared statement "" requires 0');
    // A statement named by Parse is there for EXECUTE and DEALLOCATE, and its name is taken.
    const proto = { name: 'np_proto', text: 'SELECT $1::int * 10 AS x' };
    expect((await client.query({ ...proto, values: [1] })).rows).toEqual([{ x: 10 }]);
    expect((await client.query('EXECUTE np_proto(4)')).rows).toEqual([{ x: 40 }]);
    const taken = await databaseError(client.query('PREPARE np_proto AS SELECT 1'));
    expect([taken.code, taken.message]).toEqual(['42P05', 'prepared statement "np_proto" already exists']);
    const listed = await client.query(
      "SELECT name, statement, parameter_types::text AS types, from_sql FROM pg_prepared_statements WHERE name LIKE 'np\\_%' ORDER BY name",
    );
    expect(listed.rows).toEqual([
      {
        name: 'np_add',
        statement: 'PREPARE np_add(int) AS SELECT $1 + 1 AS v, $1::text AS t',
        types: '{integer}',
        from_sql: true,
      },
      { name: 'np_proto', statement: 'SELECT $1::int * 10 AS x', types: '{integer}', from_sql: false },
    ]);
    await client.query('DEALLOCATE np_proto');
    const gone = await databaseError(client.query({ ...proto, values: [2] }));
    expect([gone.code, gone.message]).toEqual(['26000', 'prepared statement "np_proto" does not exist']);
    // Parse of a name a PREPARE took is refused the same way.
    const parseTaken = await databaseError(client.query({ name: 'np_add', text: 'SELECT 1', values: [] }));
    expect([parseTaken.code, parseTaken.message]).toEqual([
      '42P05',
      'prepared statement "np_add" already exists',
    ]);
    await client.query('DEALLOCATE ALL');
    expect((await client.query('SELECT count(*)::int AS n FROM pg_prepared_statements')).rows).toEqual([
      { n: 0 },
    ]);
  });

  test('pgvector: toSql parameters and registerTypes results', async () => {
    await using client = await connect(server);
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    await registerTypes(client);
    await client.query('DROP TABLE IF EXISTS np_items');
    await client.query('CREATE TABLE np_items (id int PRIMARY KEY, embedding vector(3))');
    await client.query('INSERT INTO np_items VALUES ($1, $2), ($3, $4), ($5, $6)', [
      1,
      toSql([1, 1, 1]),
      2,
      toSql([2, 2, 2]),
      3,
      toSql([1, 1, 2]),
    ]);
    const r = await client.query('SELECT id, embedding FROM np_items ORDER BY embedding <-> $1 LIMIT 2', [
      toSql([1, 1, 1]),
    ]);
    expect(r.rows).toEqual([
      { id: 1, embedding: [1, 1, 1] },
      { id: 3, embedding: [1, 1, 2] },
    ]);
    const d = await client.query('SELECT embedding <=> $1 AS d FROM np_items WHERE id = 2', [
      toSql([1, 1, 1]),
    ]);
    expect(d.rows[0].d).toBeCloseTo(0, 12);
    await client.query('DROP TABLE np_items');
  });

  test('hybrid search: a keyword query from a parameter, ranked, fused with a kNN rank', async () => {
    await using client = await connect(server);
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    await registerTypes(client);
    await client.query('DROP TABLE IF EXISTS np_chunks');
    await client.query(
      'CREATE TABLE np_chunks (id int PRIMARY KEY, content text, tsv tsvector, embedding vector(2))',
    );
    await client.query('CREATE INDEX np_chunks_tsv ON np_chunks USING gin (tsv)');
    const chunks = [
      [1, 'Postgres stores vectors with pgvector', [1, 0]],
      [2, 'Quiver answers vector queries fast', [0.9, 0.1]],
      [3, 'Cats sleep on warm keyboards', [0, 1]],
      [4, 'Vector databases index embeddings for queries', [0.7, 0.7]],
    ] as const;
    for (const [id, content, embedding] of chunks) {
      await client.query("INSERT INTO np_chunks VALUES ($1, $2, to_tsvector('english', $2), $3)", [
        id,
        content,
        toSql(embedding),
      ]);
    }
    const keyword = await client.query(
      `SELECT id, ts_rank_cd(tsv, q) AS rank FROM np_chunks, websearch_to_tsquery('english', $1) q
       WHERE tsv @@ q ORDER BY rank DESC, id`,
      ['vector queries'],
    );
    expect(keyword.rows.map((r) => r.id)).toEqual([2, 4]);
    expect(keyword.rows[0].rank).toBeGreaterThan(keyword.rows[1].rank);
    const fused = await client.query(
      `WITH k AS (SELECT id, row_number() OVER (ORDER BY ts_rank_cd(tsv, q) DESC, id) AS r
                  FROM np_chunks, websearch_to_tsquery('english', $1) q WHERE tsv @@ q),
            v AS (SELECT id, row_number() OVER (ORDER BY embedding <=> $2, id) AS r
                  FROM np_chunks ORDER BY embedding <=> $2 LIMIT 2)
       SELECT coalesce(k.id, v.id) AS id FROM k FULL JOIN v ON k.id = v.id
       ORDER BY coalesce(1.0 / (60 + k.r), 0) + coalesce(1.0 / (60 + v.r), 0) DESC, 1`,
      ['vector queries', toSql([1, 0])],
    );
    expect(fused.rows.map((r) => r.id)).toEqual([2, 1, 4]);
    const bad = await databaseError(client.query("SELECT to_tsquery('english', $1)", ['fat &']));
    expect([bad.code, bad.message]).toEqual(['42601', 'no operand in tsquery: "fat &"']);
    await client.query('DROP TABLE np_chunks');
  });

  test('lookups by key take their values at each execution: prepared statements, typed and array parameters, kNN by tenant', async () => {
    await using client = await connect(server);
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    await client.query('DROP TABLE IF EXISTS np_keys');
    await client.query(
      'CREATE TABLE np_keys (id int PRIMARY KEY, tenant int, name varchar(20), v vector(2))',
    );
    await client.query('CREATE INDEX ON np_keys (tenant)');
    await client.query('CREATE INDEX ON np_keys USING hnsw (v vector_l2_ops)');
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      id: i,
      tenant: i % 50,
      x: (i * 37) % 101,
      y: i % 89,
    }));
    await client.query(
      "INSERT INTO np_keys SELECT i, i % 50, 'row ' || i, ARRAY[(i * 37) % 101, i % 89]::vector FROM generate_series(0, 2999) i",
    );
    const byId = { name: 'np-by-id', text: 'SELECT name FROM np_keys WHERE id = $1' };
    for (const id of [5, 2999, 3000]) {
      const r = await client.query({ ...byId, values: [id] });
      expect(r.rows).toEqual(id < 3000 ? [{ name: `row ${id}` }] : []);
    }
    // As pgjdbc's setLong sends it: an int8 parameter against an int4 key.
    const wide = await client.query('SELECT id FROM np_keys WHERE id = $1::bigint', ['2998']);
    expect(wide.rows).toEqual([{ id: 2998 }]);
    const many = await client.query('SELECT id FROM np_keys WHERE id = ANY($1) ORDER BY id', [[7, 3, 9999]]);
    expect(many.rows).toEqual([{ id: 3 }, { id: 7 }]);
    const named = await client.query('SELECT id FROM np_keys WHERE name = $1', ['row 42']);
    expect(named.rows).toEqual([{ id: 42 }]);
    const update = { name: 'np-update', text: 'UPDATE np_keys SET name = $2 WHERE id = $1' };
    expect((await client.query({ ...update, values: [10, 'ten'] })).rowCount).toBe(1);
    expect((await client.query({ ...update, values: [11, 'eleven'] })).rowCount).toBe(1);
    const renamed = await client.query('SELECT id, name FROM np_keys WHERE id = ANY($1) ORDER BY id', [
      [10, 11],
    ]);
    expect(renamed.rows).toEqual([
      { id: 10, name: 'ten' },
      { id: 11, name: 'eleven' },
    ]);
    // The nearest rows of one tenant (60 of 3,000 rows): exact, whatever the graph holds.
    const knn = {
      name: 'np-knn',
      text: 'SELECT id FROM np_keys WHERE tenant = $2 ORDER BY v <-> $1 LIMIT 5',
    };
    for (const tenant of [0, 17, 49]) {
      const q = [40.5, 33.25];
      const expected = rows
        .filter((r) => r.tenant === tenant)
        .map((r) => ({ id: r.id, d: (r.x - q[0]) ** 2 + (r.y - q[1]) ** 2 }))
        .sort((a, b) => a.d - b.d || a.id - b.id)
        .slice(0, 5)
        .map((r) => ({ id: r.id }));
      const r = await client.query({ ...knn, values: [`[${q.join(',')}]`, tenant] });
      expect(r.rows).toEqual(expected);
    }
    await client.query('DROP TABLE np_keys');
  });

  test('ranges and ORDER BY … LIMIT through a btree index take their bounds at each execution: narrow, wide, Date, NULL', async () => {
    await using client = await connect(server);
    await client.query('DROP TABLE IF EXISTS np_range');
    await client.query('CREATE TABLE np_range (id int PRIMARY KEY, at timestamptz, score float8)');
    await client.query('CREATE INDEX ON np_range (at)');
    await client.query(
      "INSERT INTO np_range SELECT i, '2024-01-01T00:00:00Z'::timestamptz + i * interval '1 minute', (i * 7919) % 1000 FROM generate_series(1, 2000) i",
    );
    const between = {
      name: 'np-range',
      text: 'SELECT count(*)::int AS n FROM np_range WHERE id > $1 AND id <= $2',
    };
    // One plan; the first range reads the index, the second most of the table.
    for (const [lo, hi, n] of [
      [10, 15, 5],
      [0, 1900, 1900],
      [1995, 99999, 5],
      [null, 5, 0],
    ]) {
      const r = await client.query({ ...between, values: [lo, hi] });
      expect(r.rows).toEqual([{ n }]);
    }
    const since = {
      name: 'np-since',
      text: 'SELECT id FROM np_range WHERE at >= $1 AND score < $2 ORDER BY at DESC LIMIT 3',
    };
    const last = await client.query({ ...since, values: [new Date('2024-01-02T08:00:00Z'), 500] });
    const expected = Array.from({ length: 2000 }, (_, i) => i + 1)
      .filter((i) => i >= 32 * 60 && (i * 7919) % 1000 < 500)
      .sort((a, b) => b - a)
      .slice(0, 3)
      .map((id) => ({ id }));
    expect(last.rows).toEqual(expected);
    const page = { name: 'np-page', text: 'SELECT id FROM np_range WHERE id > $1 ORDER BY id LIMIT $2' };
    expect((await client.query({ ...page, values: [1997, 10] })).rows).toEqual([
      { id: 1998 },
      { id: 1999 },
      { id: 2000 },
    ]);
    expect((await client.query({ ...page, values: [4, 2] })).rows).toEqual([{ id: 5 }, { id: 6 }]);
    // A feed: one tenant's latest rows through an index over (tenant, at).
    await client.query('ALTER TABLE np_range ADD COLUMN tenant int');
    await client.query('UPDATE np_range SET tenant = id % 7');
    await client.query('CREATE INDEX ON np_range (tenant, at)');
    const feed = {
      name: 'np-feed',
      text: 'SELECT id FROM np_range WHERE tenant = $1 ORDER BY at DESC LIMIT $2',
    };
    for (const tenant of [0, 3, 9]) {
      const latest = Array.from({ length: 2000 }, (_, i) => i + 1)
        .filter((i) => i % 7 === tenant)
        .reverse()
        .slice(0, 4)
        .map((id) => ({ id }));
      expect((await client.query({ ...feed, values: [tenant, 4] })).rows).toEqual(latest);
    }
    await client.query('DROP TABLE np_range');
  });

  test('transactions: rollback leaves nothing, commit keeps, errors abort the block', async () => {
    await using client = await connect(server);
    await client.query('DROP TABLE IF EXISTS np_tx');
    await client.query('CREATE TABLE np_tx (id int PRIMARY KEY)');

    await client.query('BEGIN');
    await client.query('INSERT INTO np_tx VALUES (1)');
    await client.query('ROLLBACK');
    expect((await client.query('SELECT count(*)::int AS n FROM np_tx')).rows).toEqual([{ n: 0 }]);

    await client.query('BEGIN');
    await client.query('INSERT INTO np_tx VALUES ($1)', [2]);
    await client.query('COMMIT');
    expect((await client.query('SELECT id FROM np_tx')).rows).toEqual([{ id: 2 }]);

    await client.query('BEGIN');
    const dup = await databaseError(client.query('INSERT INTO np_tx VALUES ($1)', [2]));
    expect(dup.code).toBe('23505');
    const aborted = await databaseError(client.query('SELECT 1'));
    expect(aborted.code).toBe('25P02');
    await client.query('ROLLBACK');
    expect((await client.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);

    await client.query('DROP TABLE np_tx');
  });

  test('error fields: code, severity, message, position', async () => {
    await using client = await connect(server);
    const zero = await databaseError(client.query('SELECT 1/0'));
    expect(zero.code).toBe('22012');
    expect(zero.severity).toBe('ERROR');
    expect(zero.message).toBe('division by zero');

    const syntax = await databaseError(client.query('SELECT 1 FROM WHERE'));
    expect(syntax.code).toBe('42601');
    expect(syntax.message).toBe('syntax error at or near "WHERE"');
    expect(syntax.position).toBe('15');

    const missing = await databaseError(client.query('SELECT * FROM np_missing_table', []));
    expect(missing.code).toBe('42P01');
    expect(missing.position).toBe('15');

    const param = await databaseError(client.query('SELECT $1::int', ['x']));
    expect(param.code).toBe('22P02');
    expect(param.message).toBe('invalid input syntax for type integer: "x"');

    // The connection is still usable.
    expect((await client.query('SELECT 3 AS n')).rows).toEqual([{ n: 3 }]);
  });

  test('cancel of a running query: 57014, and the connection stays usable', async () => {
    await using client = await connect(server);
    // BackendKeyData as node-postgres keeps it (not part of its typed API).
    const { processID, secretKey } = client as unknown as { processID: number; secretKey: number };
    expect(typeof processID).toBe('number');
    const started = Date.now();
    const sleeping = databaseError(client.query('SELECT pg_sleep(10)'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    {
      await using canceller = await RawConnection.open(server.host, server.port);
      canceller.write(cancelRequest(processID, secretKey));
      // The server answers a CancelRequest by closing the connection, nothing else.
      expect(await canceller.drain()).toEqual([]);
    }
    const error = await sleeping;
    expect(error.code).toBe('57014');
    expect(error.message).toBe('canceling statement due to user request');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await client.query('SELECT 4 AS n')).rows).toEqual([{ n: 4 }]);
  });

  test('a cancel request with a wrong key is ignored', async () => {
    await using client = await connect(server);
    const { processID, secretKey } = client as unknown as { processID: number; secretKey: number };
    const running = client.query('SELECT pg_sleep(0.5) IS NULL AS done');
    {
      await using canceller = await RawConnection.open(server.host, server.port);
      canceller.write(cancelRequest(processID, secretKey ^ 0x5a5a5a5a));
      await canceller.drain();
    }
    expect((await running).rows).toEqual([{ done: false }]);
  });
});
