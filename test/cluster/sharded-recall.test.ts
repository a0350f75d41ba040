/**
 * Recall on sharded data: the same 36k×48 clustered rows in a standalone server with one
 * HNSW graph and in a 3-node cluster (real processes, etcd, s3rver) with `WITH (shards = 3)`
 * — each shard on two nodes, so every query searches one shard on another node. Plain and
 * filtered kNN (10% and 1% WHERE, applied by the holders) through the leader and through a
 * standby's replica connection must return k matching rows with recall at least the
 * standalone graph's, less a small margin (a walk is approximate either way). Shards of 12k
 * rows are walked under the filter, not scanned.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { clusteredData } from '../../src/storage/vector/testing/clustered-data.ts';
import { startEtcd, type TestEtcd } from '../helpers/etcd.ts';
import { type QuiverNode, startThreeNodes } from '../helpers/quiver-node.ts';
import { startS3rver, type TestS3Server } from '../helpers/s3rver.ts';
import { type TestServer, withServer } from '../helpers/server.ts';

const ROWS = 36_000;
const DIMS = 48;
const K = 10;
const QUERIES = 40;
const MARGIN = 0.02;

const data = clusteredData({ count: ROWS, dimensions: DIMS, seed: 11 });
const queries = data.sample(QUERIES, 5);
/** Category per row: id % 100, so `cat < 10` keeps 10% and `cat = 3` keeps 1%. */
const category = (id: number) => id % 100;
const literal = (v: Float32Array) => `[${Array.from(v).join(',')}]`;

function exactTopK(q: Float32Array, keep: (id: number) => boolean): number[] {
  const found: { id: number; d: number }[] = [];
  data.vectors.forEach((v, id) => {
    if (!keep(id)) return;
    let d = 0;
    for (let i = 0; i < DIMS; i++) d += (v[i] - q[i]) ** 2;
    found.push({ id, d });
  });
  return found
    .sort((a, b) => a.d - b.d || a.id - b.id)
    .slice(0, K)
    .map((x) => x.id);
}

const FILTERS = [
  { label: 'unfiltered', where: '', keep: (_id: number) => true },
  { label: '10%', where: 'WHERE cat < 10', keep: (id: number) => category(id) < 10 },
  { label: '1%', where: 'WHERE cat = 3', keep: (id: number) => category(id) === 3 },
];
const truths = FILTERS.map((f) => queries.map((q) => exactTopK(q, f.keep)));

async function load(client: pg.Client, index: string): Promise<void> {
  await client.query('CREATE EXTENSION IF NOT EXISTS vector');
  await client.query(`CREATE TABLE items (id int PRIMARY KEY, cat int NOT NULL, v vector(${DIMS}))`);
  for (let start = 0; start < ROWS; start += 2000) {
    const values: string[] = [];
    for (let id = start; id < start + 2000; id++)
      values.push(`(${id}, ${category(id)}, '${literal(data.vectors[id])}')`);
    await client.query(`INSERT INTO items VALUES ${values.join(',')}`);
  }
  await client.query(`CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops)${index}`);
}

/** Recall@10 of `filter`'s queries through `client`; every answer must be k rows that pass it. */
async function recall(client: pg.Client, f: number): Promise<number> {
  const { where, keep } = FILTERS[f];
  // A narrow search, so that recall falls short of 1 and the comparison means something.
  await client.query('SET hnsw.ef_search = 10');
  let hits = 0;
  for (const [i, q] of queries.entries()) {
    const { rows } = await client.query({
      text: `SELECT id FROM items ${where} ORDER BY v <-> $1 LIMIT ${K}`,
      values: [literal(q)],
      rowMode: 'array',
    });
    const ids = rows.map((r) => Number(r[0]));
    expect(ids).toHaveLength(K);
    expect(ids.every(keep)).toBe(true);
    hits += ids.filter((id) => truths[f][i].includes(id)).length;
  }
  return hits / (QUERIES * K);
}

function connect(port: number, options?: string): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'quiver', database: 'quiver', options });
  client.on('error', () => {});
  return client.connect().then(() => client);
}

let etcd: TestEtcd;
let s3: TestS3Server;
let standalone: TestServer;
const nodes: QuiverNode[] = [];
const clients: pg.Client[] = [];
/** Standalone recall per filter (one graph). */
const baseline: number[] = [];

beforeAll(async () => {
  [etcd, s3, standalone] = await Promise.all([startEtcd(), startS3rver(), withServer()]);
  const alone = await connect(standalone.port);
  clients.push(alone);
  await load(alone, '');
  for (const f of FILTERS.keys()) baseline.push(await recall(alone, f));

  const setup = {
    etcd: etcd.endpoints,
    s3,
    cluster: `r${randomUUID().slice(0, 8)}`,
    leaseTtlSeconds: 4,
    extraArgs: [],
  };
  await startThreeNodes(setup, nodes);
  const leader = await connect(nodes[0].port);
  clients.push(leader);
  await load(leader, ' WITH (shards = 3)');
}, 180_000);

afterAll(async () => {
  for (const client of clients) await client.end().catch(() => {});
  for (const node of nodes) await node.kill('SIGKILL');
  await standalone?.close();
  await etcd?.close();
  await s3?.close();
});

/** A standby's replica connection once its copy holds two of the three shards, each placed on two nodes. */
async function placedView(port: number, options?: string): Promise<pg.Client> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const client = await connect(port, options);
    const replica =
      options === undefined || (await client.query('SELECT pg_is_in_recovery() AS r')).rows[0].r;
    const { rows } = replica
      ? await client.query('SELECT held_here, holders FROM quiver_index_shards')
      : { rows: [] };
    const placed =
      rows.length === 3 &&
      rows.every((r) => r.holders.length === 2) &&
      rows.filter((r) => r.held_here).length === 2;
    if (placed) {
      clients.push(client);
      return client;
    }
    await client.end();
    expect(Date.now(), 'the shards placed and built within 60 s').toBeLessThan(deadline);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.each([
  ['the leader', 0, undefined],
  ["a standby's replica", 1, '-c default_transaction_read_only=on'],
] as const)(
  'recall@10 on 36k×48 with 3 shards, through %s, at least standalone recall',
  (_, node, options) => {
    let client: pg.Client;
    beforeAll(async () => {
      client = await placedView(nodes[node].port, options);
    }, 90_000);

    // Measured: unfiltered 0.998 (standalone 0.953), 10% 0.998 (0.993), 1% 1.000 (0.973).
    test.each(FILTERS.map((f, i) => [f.label, i] as const))('%s', async (_label, f) => {
      const sharded = await recall(client, f);
      expect(sharded).toBeGreaterThanOrEqual(baseline[f] - MARGIN);
    });
  },
);
