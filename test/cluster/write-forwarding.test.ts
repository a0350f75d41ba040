/**
 * Write forwarding (engine/write-forwarding.ts, cluster/leader-link.ts): a client connected
 * to a standby with default settings reads the standby's replica and writes on the leader,
 * through real `quiver serve` processes, etcd and s3rver.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.ts';
import { type QuiverNode, startQuiverNode } from '../helpers/quiver-node.ts';
import { startS3rver, type TestS3Server } from '../helpers/s3rver.ts';

let etcd: TestEtcd | undefined;
let s3: TestS3Server | undefined;
const nodes: QuiverNode[] = [];
let leader: QuiverNode;
let standby: QuiverNode;

beforeAll(async () => {
  [etcd, s3] = await Promise.all([startEtcd(), startS3rver()]);
  const setup = {
    etcd: etcd.endpoints,
    s3,
    cluster: `w${randomUUID().slice(0, 8)}`,
    leaseTtlSeconds: 10,
    extraArgs: ['--write-forwarding', 'on'],
  };
  leader = await startQuiverNode(setup, 'n1');
  nodes.push(leader);
  await leader.leading();
  standby = await startQuiverNode(setup, 'n2');
  nodes.push(standby);
  const deadline = Date.now() + 60_000;
  while (!standby.log().includes('read replica ready')) {
    if (Date.now() > deadline) throw new Error('the standby has no read replica after 60 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const setupClient = await connect(leader);
  await setupClient.query('CREATE EXTENSION IF NOT EXISTS vector');
  await setupClient.query('CREATE TABLE items (id int PRIMARY KEY, note text, embedding vector(3))');
  await setupClient.query('CREATE SEQUENCE item_ids START 1000');
  await setupClient.end();
}, 120_000);

afterAll(async () => {
  for (const node of nodes) await node.kill('SIGKILL');
  await etcd?.close();
  await s3?.close();
});

async function connect(node: QuiverNode, options?: string): Promise<pg.Client> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port: node.port,
    user: 'quiver',
    database: 'quiver',
    options,
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/**
 * Whether a read runs on the standby's replica now: then pg_backend_pid() is the standby
 * session's own process id, the one the client got at startup; on the leader it is the
 * leader session's, which the standby's link opened.
 */
async function onReplica(client: pg.Client): Promise<boolean> {
  const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
  return pid === (client as unknown as { processID: number }).processID;
}

const ids = async (client: pg.Client, where = 'true'): Promise<number[]> =>
  (await client.query(`SELECT id FROM items WHERE ${where} ORDER BY id`)).rows.map((r) => r.id as number);

describe('a standby session forwards its writes to the leader', () => {
  test('it says it can write, reads its replica and reads its own writes at once', async () => {
    const client = await connect(standby);
    try {
      expect((await client.query('SHOW in_hot_standby')).rows[0].in_hot_standby).toBe('off');
      expect((await client.query('SHOW transaction_read_only')).rows[0].transaction_read_only).toBe('off');
      expect(await onReplica(client)).toBe(true);
      // Read-your-writes: every row is there the moment its INSERT returned, with a
      // parameterized INSERT (extended protocol) and a literal one (simple protocol).
      for (let i = 1; i <= 20; i++) {
        if (i % 2 === 0)
          await client.query('INSERT INTO items VALUES ($1, $2, $3)', [i, `n${i}`, `[${i},0,0]`]);
        else await client.query(`INSERT INTO items VALUES (${i}, 'n${i}', '[${i},0,0]')`);
        expect((await client.query('SELECT note FROM items WHERE id = $1', [i])).rows).toEqual([
          { note: `n${i}` },
        ]);
      }
      // The reads ran on the replica; the leader has the rows.
      expect(await onReplica(client)).toBe(true);
      const onLeader = await connect(leader);
      expect(await ids(onLeader, 'id <= 20')).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      await onLeader.end();
      // kNN on the replica.
      const knn = await client.query('SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 3', [
        '[10.2,0,0]',
      ]);
      expect(knn.rows.map((r) => r.id)).toEqual([10, 11, 9]);
      const returning = await client.query('UPDATE items SET note = $1 WHERE id = 3 RETURNING id, note', [
        'three',
      ]);
      expect(returning.rows).toEqual([{ id: 3, note: 'three' }]);
      expect(returning.command).toBe('UPDATE');
      expect(returning.fields.map((f) => f.name)).toEqual(['id', 'note']);
    } finally {
      await client.end();
    }
  });

  test('a transaction that writes runs on the leader from its first write on, and rolls back there', async () => {
    const client = await connect(standby);
    try {
      await client.query('BEGIN');
      const before = await ids(client, 'id BETWEEN 100 AND 199');
      expect(await onReplica(client)).toBe(true);
      await client.query('INSERT INTO items (id, note) VALUES (100, $1)', ['in block']);
      // From here the block is the leader's: it sees its own uncommitted row.
      expect(await onReplica(client)).toBe(false);
      expect(await ids(client, 'id BETWEEN 100 AND 199')).toEqual([...before, 100]);
      await client.query('ROLLBACK');
      expect(await ids(client, 'id BETWEEN 100 AND 199')).toEqual([]);
      expect(await onReplica(client)).toBe(true);

      await client.query('BEGIN');
      await client.query('SAVEPOINT s1');
      await client.query('INSERT INTO items (id) VALUES (101)');
      await client.query('SAVEPOINT s2');
      await client.query('INSERT INTO items (id) VALUES (102)');
      // The savepoint made on the replica before the first write exists on the leader too.
      await client.query('ROLLBACK TO SAVEPOINT s1');
      await client.query('INSERT INTO items (id) VALUES (103)');
      await client.query('COMMIT');
      expect(await ids(client, 'id BETWEEN 100 AND 199')).toEqual([103]);
    } finally {
      await client.end();
    }
  });

  test('errors keep their SQLSTATE and fields, fail the block, and leave the connection usable', async () => {
    const client = await connect(standby);
    try {
      const duplicate = await client
        .query('INSERT INTO items (id) VALUES (1)')
        .catch((e: pg.DatabaseError) => e);
      expect(duplicate).toMatchObject({
        code: '23505',
        message: 'duplicate key value violates unique constraint "items_pkey"',
        detail: 'Key (id)=(1) already exists.',
        constraint: 'items_pkey',
      });
      // An error the leader finds: its position counts from the start of the Query the
      // client sent, as when the client sends it to the leader itself.
      const text = 'SELECT 1; INSERT INTO items (id, nosuch) VALUES (200, 2)';
      const forwarded = await client.query(text).catch((e: pg.DatabaseError) => e);
      const onLeader = await connect(leader);
      const direct = await onLeader.query(text).catch((e: pg.DatabaseError) => e);
      await onLeader.end();
      expect(direct).toMatchObject({ code: '42703', position: '34' });
      expect(forwarded).toMatchObject({ code: '42703', position: '34', message: (direct as Error).message });

      // A multi-statement Query is one transaction: its first INSERT is undone with it.
      const batch = await client
        .query('INSERT INTO items (id) VALUES (201); INSERT INTO items (id) VALUES (1)')
        .catch((e: pg.DatabaseError) => e);
      expect(batch).toMatchObject({ code: '23505' });
      expect(await ids(client, 'id = 201')).toEqual([]);

      await client.query('BEGIN');
      await client.query('INSERT INTO items (id) VALUES (202)');
      await expect(client.query('INSERT INTO items (id) VALUES (1)')).rejects.toMatchObject({
        code: '23505',
      });
      await expect(client.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
      // COMMIT of a failed block: ROLLBACK, as PostgreSQL answers.
      expect((await client.query('COMMIT')).command).toBe('ROLLBACK');
      expect(await ids(client, 'id = 202')).toEqual([]);

      // A SET that fails here fails the block the leader runs too: COMMIT rolls it back there.
      await client.query('BEGIN');
      await client.query('INSERT INTO items (id) VALUES (203)');
      await expect(client.query('SET work_mem = -1')).rejects.toMatchObject({ severity: 'ERROR' });
      expect((await client.query('COMMIT')).command).toBe('ROLLBACK');
      expect(await ids(client, 'id = 203')).toEqual([]);
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await client.end();
    }
  });

  test('sequences, settings, SQL-level PREPARE and temporary tables follow the session to the leader', async () => {
    const client = await connect(standby);
    try {
      // nextval() writes: the SELECT runs on the leader, and currval() finds its value there.
      const next = await client.query("SELECT nextval('item_ids') AS v");
      expect(next.rows[0].v).toBe('1000');
      expect((await client.query("SELECT currval('item_ids') AS v")).rows[0].v).toBe('1000');

      // The leader's session gets this session's settings before each statement.
      await client.query("SET search_path = 'nowhere', public");
      await client.query("SET TimeZone = 'Asia/Tokyo'");
      const at = await client.query(
        "INSERT INTO items (id, note) VALUES (300, now()::timestamptz(0)::text) RETURNING current_setting('TimeZone') AS tz",
      );
      expect(at.rows).toEqual([{ tz: 'Asia/Tokyo' }]);
      await client.query('RESET TimeZone');
      const reset = await client.query(
        "UPDATE items SET note = 'x' WHERE id = 300 RETURNING current_setting('TimeZone') AS tz",
      );
      expect(reset.rows[0].tz).not.toBe('Asia/Tokyo');

      await client.query(
        'PREPARE add_item (int, text) AS INSERT INTO items (id, note) VALUES ($1, $2) RETURNING id',
      );
      expect((await client.query("EXECUTE add_item(301, 'prepared')")).rows).toEqual([{ id: 301 }]);
      expect((await client.query("EXECUTE add_item(302, 'again')")).rows).toEqual([{ id: 302 }]);
      expect(await ids(client, 'id IN (301, 302)')).toEqual([301, 302]);

      // A temporary table lives on the leader: the session works there from then on, in
      // both protocols.
      await client.query('CREATE TEMP TABLE scratch (a int)');
      await client.query('INSERT INTO scratch VALUES ($1), ($2)', [1, 2]);
      expect((await client.query('SELECT sum(a)::int AS s FROM scratch WHERE a > $1', [0])).rows).toEqual([
        { s: 3 },
      ]);
      expect(await onReplica(client)).toBe(false);
    } finally {
      await client.end();
    }
  });

  test('a REPEATABLE READ transaction that may write runs on the leader from its start', async () => {
    const client = await connect(standby);
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      expect(await onReplica(client)).toBe(false);
      const before = await ids(client, 'id BETWEEN 400 AND 499');
      const other = await connect(leader);
      await other.query('INSERT INTO items (id) VALUES (400)');
      await other.end();
      // Its snapshot is the one it writes in: the other session's row stays out of sight.
      expect(await ids(client, 'id BETWEEN 400 AND 499')).toEqual(before);
      await client.query('INSERT INTO items (id) VALUES (401)');
      expect(await ids(client, 'id BETWEEN 400 AND 499')).toEqual([401]);
      await client.query('COMMIT');
      expect(await ids(client, 'id BETWEEN 400 AND 499')).toEqual([400, 401]);
      // A read-only one stays on the replica.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      expect(await onReplica(client)).toBe(true);
      await expect(client.query('INSERT INTO items (id) VALUES (402)')).rejects.toMatchObject({
        code: '25006',
      });
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
  });

  test('COPY FROM STDIN through the standby, and a read-only connection still refuses writes', async () => {
    const sql = postgres({
      host: '127.0.0.1',
      port: standby.port,
      user: 'quiver',
      database: 'quiver',
      max: 1,
    });
    try {
      const rows = Array.from({ length: 500 }, (_, i) => `${1000 + i}\tcopied\t[${i},1,1]\n`).join('');
      const writable = await sql`COPY items (id, note, embedding) FROM STDIN`.writable();
      await pipeline(Readable.from([rows]), writable);
      const [{ n }] = await sql`SELECT count(*)::int AS n FROM items WHERE note = 'copied'`;
      expect(n).toBe(500);
    } finally {
      await sql.end();
    }
    const readOnly = await connect(standby, '-c default_transaction_read_only=on');
    try {
      expect((await readOnly.query('SHOW in_hot_standby')).rows[0].in_hot_standby).toBe('on');
      await expect(readOnly.query('INSERT INTO items (id) VALUES (500)')).rejects.toMatchObject({
        code: '25006',
        message: 'cannot execute INSERT in a read-only transaction',
      });
    } finally {
      await readOnly.end();
    }
  });

  test('a cancel and statement_timeout stop a forwarded statement on the leader', async () => {
    const client = await connect(standby);
    const other = await connect(standby);
    try {
      const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      const slow = client
        .query('INSERT INTO items (id) SELECT 600 FROM (SELECT pg_sleep(30)) s')
        .catch((e: pg.DatabaseError) => e);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await other.query('SELECT pg_cancel_backend($1) AS ok', [pid])).rows[0].ok).toBe(true);
      const started = Date.now();
      expect(await slow).toMatchObject({ code: '57014' });
      expect(Date.now() - started).toBeLessThan(10_000);

      await client.query('SET statement_timeout = 300');
      await expect(
        client.query('INSERT INTO items (id) SELECT 601 FROM (SELECT pg_sleep(30)) s'),
      ).rejects.toMatchObject({
        code: '57014',
      });
      await client.query('RESET statement_timeout');
      expect(await ids(client, 'id IN (600, 601)')).toEqual([]);
    } finally {
      await client.end();
      await other.end();
    }
  });
});
