/**
 * What write forwarding costs and gives on a 3-node loopback cluster: clients with default
 * settings connected to a standby, which either serves them itself — reads on its replica
 * (`quiver.consistency = strong`: the leader confirms its commit position per statement),
 * writes over its link to the leader — or (`--write-forwarding off`) passes each connection
 * whole to the leader. Real `quiver serve` processes, etcd and s3rver, all on this machine.
 *
 *   npx tsx bench/write-forwarding.ts [--rows 20000] [--ops 1000] [--seconds 5] [--modes on,off]
 *
 * Per mode, one connection at a time: single-row INSERTs (autocommit), kNN queries (ef 40,
 * LIMIT 10), and an INSERT followed by a SELECT of the row (read-your-writes), through the
 * leader and through a standby; then `--seconds` of kNN from 4 connections spread over the
 * two standbys (closed loop), the throughput an application behind a Service would see —
 * with default settings, and at `quiver.consistency = eventual` (what a strong read adds).
 */
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { startEtcd } from '../test/helpers/etcd.ts';
import { type QuiverNode, startThreeNodes } from '../test/helpers/quiver-node.ts';
import { startS3rver } from '../test/helpers/s3rver.ts';
import { connectNode, loadCheckpointedItems } from './lib/cluster-items.ts';
import { findDataset, generateDataset } from './lib/dataset.ts';
import { vectorParameter } from './lib/sql-target.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '20000' },
    ops: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '5' },
    modes: { type: 'string', default: 'on,off' },
  },
});
const rows = Number(values.rows);
const ops = Number(values.ops);
const seconds = Number(values.seconds);
const dataset = generateDataset(findDataset('clustered-100k-128', rows), 1, 200);

interface Line {
  readonly mode: string;
  readonly through: string;
  readonly insert: Latency;
  readonly knn: Latency;
  readonly readAfterWrite: Latency;
}
interface Latency {
  readonly p50: number;
  readonly p99: number;
}

const lines: Line[] = [];
const throughput: { mode: string; qps: number; eventualQps: number }[] = [];
for (const mode of values.modes.split(',')) await measure(mode);

console.log(`\n${rows} rows × 128 + HNSW (m 16, ef_construction 64); ${ops} operations each, one connection`);
console.log(
  '| write forwarding | connected to | INSERT p50 / p99 ms | kNN p50 / p99 ms | INSERT then SELECT p50 / p99 ms |',
);
console.log('|---|---|---|---|---|');
const ms = (l: Latency) => `${l.p50.toFixed(2)} / ${l.p99.toFixed(2)}`;
for (const l of lines)
  console.log(`| ${l.mode} | ${l.through} | ${ms(l.insert)} | ${ms(l.knn)} | ${ms(l.readAfterWrite)} |`);
console.log(`\nkNN from 4 connections over the two standbys, ${seconds} s`);
console.log(
  '| write forwarding | QPS, default settings | QPS, quiver.consistency = eventual (replica, both modes) |',
);
console.log('|---|---|---|');
for (const t of throughput) console.log(`| ${t.mode} | ${t.qps.toFixed(0)} | ${t.eventualQps.toFixed(0)} |`);

async function measure(mode: string): Promise<void> {
  const etcd = await startEtcd();
  const s3 = await startS3rver();
  const setup = {
    etcd: etcd.endpoints,
    s3,
    cluster: `forwarding-${mode}`,
    leaseTtlSeconds: 5,
    extraArgs: ['--write-forwarding', mode],
  };
  const nodes: QuiverNode[] = [];
  try {
    const [leader, second, third] = await startThreeNodes(setup, nodes);
    const admin = await loadCheckpointedItems(leader.port, dataset);
    await admin.end();
    for (const standby of [second, third]) await caughtUp(standby.port, rows);
    let nextId = 10_000_000;
    for (const [through, node] of [
      ['the leader', leader],
      ['a standby', second],
    ] as const) {
      const client = await connectNode(node.port);
      await client.query('SET hnsw.ef_search = 40');
      const insert = await timed(ops, () => {
        const id = nextId++;
        return client.query('INSERT INTO items VALUES ($1, 0, $2)', [
          id,
          vectorParameter(dataset.vectors[id % rows]),
        ]);
      });
      const knn = await timed(ops, (n) =>
        client.query('SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10', [
          vectorParameter(dataset.queries[n % dataset.queries.length]),
        ]),
      );
      const readAfterWrite = await timed(ops, async () => {
        const id = nextId++;
        await client.query('INSERT INTO items VALUES ($1, 0, $2)', [
          id,
          vectorParameter(dataset.vectors[id % rows]),
        ]);
        const { rows: found } = await client.query('SELECT id FROM items WHERE id = $1', [id]);
        if (found.length !== 1) throw new Error(`row ${id} not read back after its INSERT`);
      });
      await client.end();
      lines.push({ mode, through, insert, knn, readAfterWrite });
    }
    const spread = [second, third, second, third];
    throughput.push({
      mode,
      qps: await knnThroughput(spread),
      eventualQps: await knnThroughput(spread, '-c quiver.consistency=eventual'),
    });
  } finally {
    for (const node of nodes) await node.kill('SIGKILL');
    await etcd.close();
    await s3.close();
  }
}

async function timed(count: number, step: (n: number) => Promise<unknown>): Promise<Latency> {
  const times: number[] = [];
  for (let n = 0; n < count; n++) {
    const start = performance.now();
    await step(n);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(count * 0.5)], p99: times[Math.floor(count * 0.99)] };
}

/** kNN queries back to back from one connection per node listed, for `seconds`; queries per second. */
async function knnThroughput(through: readonly QuiverNode[], options?: string): Promise<number> {
  const clients: pg.Client[] = [];
  for (const node of through) {
    const client = await connectNode(node.port, options);
    await client.query('SET hnsw.ef_search = 40');
    clients.push(client);
  }
  const end = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    clients.map(async (client, c) => {
      for (let n = c; performance.now() < end; n += clients.length) {
        await client.query('SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10', [
          vectorParameter(dataset.queries[n % dataset.queries.length]),
        ]);
        done++;
      }
    }),
  );
  for (const client of clients) await client.end();
  return done / seconds;
}

/** Waits until a standby's replica has every row (a read-only connection is a replica session in both modes). */
async function caughtUp(port: number, count: number): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      const client = await connectNode(port, '-c default_transaction_read_only=on');
      const { rows: r } = await client.query(
        'SELECT pg_is_in_recovery() AS replica, count(*)::int AS n FROM items',
      );
      await client.end();
      if (r[0].replica && r[0].n === count) return;
    } catch {}
    if (Date.now() > deadline) throw new Error('the replica did not catch up');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
