/**
 * Sharded vector indexes on a 3-node cluster on loopback (real `quiver serve` processes,
 * etcd, s3rver): how many rows of the graph each node holds, and what a kNN query costs
 * and finds, with one HNSW index and with `WITH (shards = 3)` (each shard on two nodes, so
 * each node searches one shard on another node per query).
 *
 *   npx tsx bench/index-shards.ts [--rows 50000] [--queries 300]
 *
 * Per index: latency (1 connection, closed loop, ef_search 40) and recall@10 against exact
 * search, through the leader and through a standby's replica connection; QPS with 4
 * connections to the leader; rows of the graph each node holds (quiver_index_shards) and
 * each node's RSS. Then filtered kNN through the leader (WHERE passing 10% and 1% of the
 * rows): with one graph, with shards whose holders apply the filter, and with shards whose
 * holders cannot (the same filter with `AND random() < 2`, which is never shipped: the
 * asking node asks for need/selectivity rows and filters them itself).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { startEtcd } from '../test/helpers/etcd.ts';
import { type QuiverNode, startThreeNodes } from '../test/helpers/quiver-node.ts';
import { startS3rver } from '../test/helpers/s3rver.ts';
import { connectNode } from './lib/cluster-items.ts';
import { findDataset, generateDataset } from './lib/dataset.ts';
import { vectorParameter } from './lib/sql-target.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '50000' },
    queries: { type: 'string', default: '300' },
  },
});
const rows = Number(values.rows);
const queryCount = Number(values.queries);
const dataset = generateDataset(findDataset('clustered-100k-128', rows), 1, queryCount);
const READ_ONLY = '-c default_transaction_read_only=on';

/** Exact top-10 ids (L2) of each query among the rows whose id passes `keep`. */
function filteredTruth(keep: (id: number) => boolean): number[][] {
  return dataset.queries.map((q) => {
    const best: [number, number][] = [];
    dataset.vectors.forEach((v, id) => {
      if (!keep(id)) return;
      let d = 0;
      for (let i = 0; i < v.length; i++) d += (v[i] - q[i]) ** 2;
      if (best.length < 10 || d < best[best.length - 1][0]) {
        best.push([d, id]);
        best.sort((a, b) => a[0] - b[0]);
        if (best.length > 10) best.pop();
      }
    });
    return best.map(([, id]) => id);
  });
}

/** The rows' `cat` column: id % 100, so `cat < 10` passes 10% and `cat = 7` 1%. */
const FILTERS = [
  { where: 'cat < 10', keep: (id: number) => id % 100 < 10, share: '10%' },
  { where: 'cat = 7', keep: (id: number) => id % 100 === 7, share: '1%' },
];

function rssMb(node: QuiverNode): number {
  const status = readFileSync(`/proc/${node.process.pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
}

async function replicaConnection(node: QuiverNode): Promise<pg.Client> {
  for (;;) {
    const client = await connectNode(node.port, READ_ONLY);
    if ((await client.query('SELECT pg_is_in_recovery() AS r')).rows[0].r) return client;
    await client.end();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Queries per second with `count` connections to `port` (`options` for each), closed loops, after one warm-up pass each. */
async function throughput(port: number, count: number, options?: string): Promise<number> {
  const clients = await Promise.all(Array.from({ length: count }, () => connectNode(port, options)));
  const run = async (client: pg.Client, from: number) => {
    for (let i = 0; i < dataset.queries.length; i++) {
      const query = dataset.queries[(from + i) % dataset.queries.length];
      await client.query('SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10', [vectorParameter(query)]);
    }
  };
  await Promise.all(clients.map((c, i) => run(c, i * 17)));
  const started = performance.now();
  await Promise.all(clients.map((c, i) => run(c, i * 31)));
  const qps = (count * dataset.queries.length) / ((performance.now() - started) / 1000);
  await Promise.all(clients.map((c) => c.end()));
  return qps;
}

async function measure(client: pg.Client, truth: number[][], where = '') {
  await client.query('SET hnsw.ef_search = 40');
  const sql = `SELECT id FROM items ${where ? `WHERE ${where} ` : ''}ORDER BY embedding <-> $1 LIMIT 10`;
  const times: number[] = [];
  let hits = 0;
  const started = performance.now();
  for (let round = 0; round < 2; round++) {
    for (const [q, query] of dataset.queries.entries()) {
      const t = performance.now();
      const { rows: found } = await client.query(sql, [vectorParameter(query)]);
      // The first round warms up (connections between nodes, caches).
      if (round === 0) continue;
      times.push(performance.now() - t);
      hits += found.filter((r) => truth[q].includes(r.id)).length;
    }
  }
  const ms = performance.now() - started;
  times.sort((a, b) => a - b);
  return {
    recall: hits / (10 * dataset.queries.length),
    p50: times[Math.floor(times.length / 2)],
    p99: times[Math.floor(times.length * 0.99)],
    qps: (2 * dataset.queries.length) / (ms / 1000),
  };
}

const etcd = await startEtcd();
const s3 = await startS3rver();
const setup = { etcd: etcd.endpoints, s3, cluster: 'index-shards', leaseTtlSeconds: 5, extraArgs: [] };
const nodes: QuiverNode[] = [];
const table: string[] = [];
const filtered: string[] = [];
try {
  const [leader, second] = await startThreeNodes(setup, nodes);
  const admin = await connectNode(leader.port);
  await admin.query('CREATE EXTENSION vector');
  await admin.query(
    `CREATE TABLE items (id int PRIMARY KEY, cat int, embedding vector(${dataset.spec.dimensions}))`,
  );
  for (let i = 0; i < rows; i += 500) {
    const batch = dataset.vectors
      .slice(i, i + 500)
      .map((v, j) => `(${i + j}, ${(i + j) % 100}, '${vectorParameter(v)}')`);
    await admin.query(`INSERT INTO items VALUES ${batch.join(',')}`);
  }
  await admin.query('CHECKPOINT');
  const truth = filteredTruth(() => true);
  const truths = FILTERS.map((f) => filteredTruth(f.keep));
  const views = [admin, await replicaConnection(nodes[1]), await replicaConnection(nodes[2])];
  for (const variant of ['one graph', 'shards = 3']) {
    const options = variant === 'one graph' ? '' : ` WITH (${variant})`;
    await admin.query(`CREATE INDEX items_idx ON items USING hnsw (embedding vector_l2_ops)${options}`);
    // Every node: the index in place and, sharded, placed (two shards each).
    for (const view of views) {
      for (;;) {
        const explain = await view.query("EXPLAIN SELECT id FROM items ORDER BY embedding <-> '[0]' LIMIT 1");
        const indexed = explain.rows.some((r) => String(r['QUERY PLAN']).includes('Index Scan'));
        const shards = (await view.query('SELECT held_here, holders FROM quiver_index_shards')).rows;
        const placed =
          shards.every((s) => s.holders.length === 2) && shards.filter((s) => s.held_here).length === 2;
        if (indexed && (variant === 'one graph' || placed)) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    const held: number[] = [];
    for (const view of views) {
      const { rows: shards } = await view.query(
        'SELECT coalesce(sum(rows), 0)::int8 AS n FROM quiver_index_shards',
      );
      held.push(variant === 'one graph' ? rows : Number(shards[0].n));
    }
    const viaLeader = await measure(admin, truth);
    const standby = await replicaConnection(second);
    const viaStandby = await measure(standby, truth);
    await standby.end();
    const leaderQps4 = await throughput(leader.port, 4);
    table.push(
      `| ${variant} | ${held.join(' / ')} | ${nodes.map(rssMb).join(' / ')} | ${viaLeader.recall.toFixed(3)} | ${viaLeader.p50.toFixed(2)} / ${viaLeader.p99.toFixed(2)} | ${viaLeader.qps.toFixed(0)} | ${viaStandby.recall.toFixed(3)} | ${viaStandby.p50.toFixed(2)} / ${viaStandby.p99.toFixed(2)} | ${viaStandby.qps.toFixed(0)} | ${leaderQps4.toFixed(0)} |`,
    );
    const ways = variant === 'one graph' ? [''] : ['', ' AND random() < 2'];
    for (const way of ways) {
      const cells: string[] = [];
      for (const [i, f] of FILTERS.entries()) {
        const m = await measure(admin, truths[i], f.where + way);
        cells.push(
          `${m.recall.toFixed(3)} | ${m.p50.toFixed(2)} / ${m.p99.toFixed(2)} | ${m.qps.toFixed(0)}`,
        );
      }
      const how =
        variant === 'one graph'
          ? 'one graph'
          : way
            ? 'shards = 3, filter applied on the asking node'
            : 'shards = 3, filter applied by the holders';
      filtered.push(`| ${how} | ${cells.join(' | ')} |`);
    }
    await admin.query('DROP INDEX items_idx');
  }
  for (const view of views) await view.end();
} finally {
  for (const node of nodes) await node.kill('SIGKILL');
  await etcd.close();
  await s3.close();
}
console.log(
  `\n${rows} rows × 128 (clustered), 3 nodes on loopback, ef_search 40, 1 connection, ${queryCount} queries`,
);
console.log(
  '| index | graph rows held n1 / n2 / n3 | RSS MB n1 / n2 / n3 | leader recall@10 | leader p50 / p99 ms | leader QPS | standby recall@10 | standby p50 / p99 ms | standby QPS | leader QPS, 4 connections |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const line of table) console.log(line);
console.log('\nfiltered kNN through the leader (LIMIT 10, ef_search 40, 1 connection)');
console.log(
  `| index | ${FILTERS.map((f) => `${f.share} recall@10 | ${f.share} p50 / p99 ms | ${f.share} QPS`).join(' | ')} |`,
);
console.log(`|---|${FILTERS.map(() => '---|---|---|').join('')}`);
for (const line of filtered) console.log(line);
