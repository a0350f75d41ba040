/**
 * Session-level behaviour seen through real clients: binary result formats, invalid UTF-8,
 * idle_in_transaction_session_timeout, databases as separate namespaces, and roles with
 * SCRAM-SHA-256 passwords.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { frontendMessage, queryMessage, RawConnection, startupMessage } from '../helpers/raw-wire.ts';
import { connect, type TestServer, withServer } from '../helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await withServer();
});
afterAll(async () => {
  await server?.close();
});

function dataRowCells(body: Buffer): Buffer[] {
  const cells: Buffer[] = [];
  let at = 2;
  for (let i = 0; i < body.readUInt16BE(0); i++) {
    const length = body.readInt32BE(at);
    at += 4;
    cells.push(body.subarray(at, at + Math.max(length, 0)));
    at += Math.max(length, 0);
  }
  return cells;
}

async function failure(promise: Promise<unknown>): Promise<pg.DatabaseError> {
  try {
    await promise;
  } catch (error) {
    return error as pg.DatabaseError;
  }
  throw new Error('expected a failure');
}

describe('sessions', () => {
  test('binary result format: PostgreSQL and pgvector send/receive layouts', async () => {
    {
      await using client = await connect(server);
      await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    }
    await using conn = await RawConnection.open(server.host, server.port);
    conn.write(startupMessage({ user: server.user, database: server.database }));
    await conn.until('Z');
    const sql = "SELECT 7::int4, 9::int8, 'hé'::text, true, 1.5::float8, '[1,-2]'::vector\0";
    const parse = Buffer.concat([Buffer.from(`\0${sql}`), Buffer.from([0, 0])]);
    // Bind: unnamed portal and statement, no parameters, one result format code = binary.
    const bind = Buffer.from([0, 0, 0, 0, 0, 0, 0, 1, 0, 1]);
    const execute = Buffer.from([0, 0, 0, 0, 0]);
    conn.write(
      Buffer.concat([
        frontendMessage('P', parse),
        frontendMessage('B', bind),
        frontendMessage('E', execute),
        frontendMessage('S'),
      ]),
    );
    const replies = await conn.until('Z');
    const row = replies.find((m) => m.type === 'D');
    expect(row).toBeDefined();
    expect(dataRowCells(row!.body).map((c) => c.toString('hex'))).toEqual([
      '00000007',
      '0000000000000009',
      Buffer.from('hé').toString('hex'),
      '01',
      '3ff8000000000000',
      // int16 dimensions, int16 unused, then float4 big-endian elements.
      '000200003f800000c0000000',
    ]);
  });

  test('Execute with a row limit suspends the portal and resumes it', async () => {
    await using conn = await RawConnection.open(server.host, server.port);
    conn.write(startupMessage({ user: server.user, database: server.database }));
    await conn.until('Z');
    const parse = Buffer.concat([
      Buffer.from('\0SELECT g FROM generate_series(1, 5) g\0'),
      Buffer.from([0, 0]),
    ]);
    const bind = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]);
    const executeTwo = Buffer.from([0, 0, 0, 0, 2]);
    const executeAll = Buffer.from([0, 0, 0, 0, 0]);
    conn.write(
      Buffer.concat([
        frontendMessage('P', parse),
        frontendMessage('B', bind),
        frontendMessage('E', executeTwo),
        frontendMessage('E', executeTwo),
        frontendMessage('E', executeAll),
        frontendMessage('S'),
      ]),
    );
    const replies = await conn.until('Z');
    expect(replies.map((m) => m.type).join('')).toBe('12DDsDDsDCZ');
    const values = replies.filter((m) => m.type === 'D').map((m) => dataRowCells(m.body)[0].toString());
    expect(values).toEqual(['1', '2', '3', '4', '5']);
    const complete = replies.find((m) => m.type === 'C');
    expect(complete?.body.toString()).toBe('SELECT 5\0');
  });

  test('invalid UTF-8 in a query is 22021 and the connection keeps working', async () => {
    await using conn = await RawConnection.open(server.host, server.port);
    conn.write(startupMessage({ user: server.user, database: server.database }));
    await conn.until('Z');
    const bad = Buffer.concat([Buffer.from("SELECT '"), Buffer.from([0xc3, 0x28]), Buffer.from("'\0")]);
    conn.write(frontendMessage('Q', bad));
    const replies = await conn.until('Z');
    const error = replies.find((m) => m.type === 'E');
    expect(error?.body.toString()).toContain('C22021');
    expect(error?.body.toString()).toContain('invalid byte sequence for encoding "UTF8": 0xc3 0x28');
    conn.write(queryMessage('SELECT 1'));
    const after = await conn.until('Z');
    expect(after.map((m) => m.type)).toEqual(['T', 'D', 'C', 'Z']);
  });

  test('idle_in_transaction_session_timeout ends an idle transaction with FATAL 25P03', async () => {
    const client = await connect(server);
    const errors: Error[] = [];
    client.on('error', (e) => errors.push(e));
    await client.query("SET idle_in_transaction_session_timeout = '100ms'");
    await client.query('BEGIN');
    await new Promise((resolve) => setTimeout(resolve, 400));
    const error = await failure(client.query('SELECT 1'));
    expect(error).toBeInstanceOf(Error);
    const fatal = [...errors, error].find((e) => (e as pg.DatabaseError).code === '25P03');
    expect(fatal?.message).toBe('terminating connection due to idle-in-transaction timeout');
    await client.end().catch(() => {});
  });

  test('databases are separate namespaces; a missing one is 3D000', async () => {
    await using admin = await connect(server);
    await admin.query('DROP DATABASE IF EXISTS sess_other');
    await admin.query('CREATE DATABASE sess_other');
    await admin.query('CREATE TABLE IF NOT EXISTS sess_ns (a int)');
    {
      await using other = await connect(server, { database: 'sess_other' });
      const error = await failure(other.query('SELECT * FROM sess_ns'));
      expect(error.code).toBe('42P01');
      await other.query('CREATE TABLE sess_ns (b text)');
      await other.query("INSERT INTO sess_ns VALUES ('there')");
      expect((await other.query('SELECT current_database() AS d')).rows).toEqual([{ d: 'sess_other' }]);
    }
    expect((await admin.query('SELECT count(*)::int AS n FROM sess_ns')).rows).toEqual([{ n: 0 }]);
    await admin.query('DROP TABLE sess_ns');
    await admin.query('DROP DATABASE sess_other');
    const missing = await failure(connect(server, { database: 'sess_missing' }));
    expect(missing.code).toBe('3D000');
    expect(missing.message).toBe('database "sess_missing" does not exist');
  });
});

// The reference PostgreSQL used to validate these tests trusts every local login, so the
// password checks run only against Quiver.
describe.runIf(process.env.QUIVER_TEST_TARGET === undefined)('roles with passwords', () => {
  test('CREATE ROLE … PASSWORD stores a SCRAM verifier and SCRAM login checks it', async () => {
    await using admin = await connect(server);
    await admin.query('DROP ROLE IF EXISTS sess_app');
    await admin.query("CREATE ROLE sess_app LOGIN PASSWORD 's3cret'");
    const stored = await admin.query("SELECT rolpassword FROM pg_roles WHERE rolname = 'sess_app'");
    expect(stored.rows).toEqual([{ rolpassword: '********' }]);
    {
      await using app = await connect(server, { user: 'sess_app', password: 's3cret' });
      expect((await app.query('SELECT current_user AS u')).rows).toEqual([{ u: 'sess_app' }]);
    }
    const wrong = await failure(connect(server, { user: 'sess_app', password: 'nope' }));
    expect(wrong.code).toBe('28P01');
    expect(wrong.message).toBe('password authentication failed for user "sess_app"');
    await admin.query("ALTER ROLE sess_app PASSWORD 'changed'");
    {
      await using app = await connect(server, { user: 'sess_app', password: 'changed' });
      expect((await app.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    }
    await admin.query('DROP ROLE sess_app');
    const gone = await failure(connect(server, { user: 'sess_app', password: 'changed' }));
    expect(gone.code).toBe('28000');
  });
});

describe('two sessions', () => {
  test('uncommitted rows are invisible to other sessions until COMMIT; rolled-back ones never appear', async () => {
    await using a = await connect(server);
    await using b = await connect(server);
    await a.query('DROP TABLE IF EXISTS sess_vis');
    await a.query('CREATE TABLE sess_vis (id int PRIMARY KEY, v text)');
    await a.query('BEGIN');
    await a.query("INSERT INTO sess_vis VALUES (1, 'pending')");
    expect((await a.query('SELECT count(*)::int AS n FROM sess_vis')).rows).toEqual([{ n: 1 }]);
    expect((await b.query('SELECT count(*)::int AS n FROM sess_vis')).rows).toEqual([{ n: 0 }]);
    await a.query('COMMIT');
    expect((await b.query('SELECT v FROM sess_vis')).rows).toEqual([{ v: 'pending' }]);
    await b.query('BEGIN');
    await b.query("UPDATE sess_vis SET v = 'changed' WHERE id = 1");
    await b.query("INSERT INTO sess_vis VALUES (2, 'gone')");
    expect((await a.query('SELECT v FROM sess_vis ORDER BY id')).rows).toEqual([{ v: 'pending' }]);
    await b.query('ROLLBACK');
    expect((await a.query('SELECT id, v FROM sess_vis ORDER BY id')).rows).toEqual([{ id: 1, v: 'pending' }]);
    await a.query('DROP TABLE sess_vis');
  });
});

describe('prepared statements across schema changes', () => {
  test('a named statement is re-planned after DDL, and refuses a changed result type (0A000)', async () => {
    await using client = await connect(server);
    await client.query('DROP TABLE IF EXISTS sess_plan');
    await client.query('CREATE TABLE sess_plan (id int, v text)');
    await client.query("INSERT INTO sess_plan VALUES (1, 'a')");
    const byId = { name: 'sess-plan-by-id', text: 'SELECT v FROM sess_plan WHERE id = $1', values: [1] };
    const star = { name: 'sess-plan-star', text: 'SELECT * FROM sess_plan', values: [] };
    expect((await client.query(byId)).rows).toEqual([{ v: 'a' }]);
    expect((await client.query(star)).rows).toEqual([{ id: 1, v: 'a' }]);
    await client.query('CREATE INDEX sess_plan_id ON sess_plan (id)');
    await client.query("INSERT INTO sess_plan VALUES (2, 'b')");
    expect((await client.query({ ...byId, values: [2] })).rows).toEqual([{ v: 'b' }]);
    const unnamed = { text: 'SELECT * FROM sess_plan WHERE id = $1', values: [1] };
    expect((await client.query(unnamed)).rows).toEqual([{ id: 1, v: 'a' }]);
    await client.query('ALTER TABLE sess_plan ADD COLUMN extra int');
    // A new Parse of the same text (unnamed statement) simply sees the new column.
    expect((await client.query(unnamed)).rows).toEqual([{ id: 1, v: 'a', extra: null }]);
    const error = await failure(client.query(star));
    expect(error.code).toBe('0A000');
    expect(error.message).toBe('cached plan must not change result type');
    expect((await client.query({ ...byId, values: [1] })).rows).toEqual([{ v: 'a' }]);
    await client.query('DROP TABLE sess_plan');
  });
});
