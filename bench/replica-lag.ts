/**
 * How soon a standby's read replica has a commit, on a 3-node loopback cluster (real
 * `quiver serve` processes, etcd and s3rver on this machine): single-row INSERTs on the
 * leader, one at a time; after every other one is acknowledged, a standby session at
 * `quiver.consistency = eventual` polls for the row (lag: acknowledgment → visible there),
 * and after the rest a `strong` session on the other standby reads it (its latency includes the
 * linearizable etcd read and the wait for the replica to apply the commit).
 *
 *   npx tsx bench/replica-lag.ts [--rows 10000] [--ops 300]
 *
 * The rows and their HNSW index make the replica apply what a real one does (index
 * entries); the INSERTs write 128-dim vectors.
 */
import { parseArgs } from 'node:util';
import { startEtcd } from '../test/helpers/etcd.ts';
import { type QuiverNode, startThreeNodes } from '../test/helpers/quiver-node.ts';
import { startS3rver } from '../test/helpers/s3rver.ts';
import { connectNode, loadCheckpointedItems } from './lib/cluster-items.ts';
import { findDataset, generateDataset } from './lib/dataset.ts';
import { vectorParameter } from './lib/sql-target.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000' },
    ops: { type: 'string', default: '300' },
  },
});
const rows = Number(values.rows);
const ops = Number(values.ops);
const dataset = generateDataset(findDataset('clustered-100k-128', rows), 1, 10);

const etcd = await startEtcd();
const s3 = await startS3rver();
const setup = { etcd: etcd.endpoints, s3, cluster: 'replica-lag', leaseTtlSeconds: 5 };
const nodes: QuiverNode[] = [];
try {
  const [leader, second, third] = await startThreeNodes(setup, nodes);
  const admin = await loadCheckpointedItems(leader.port, dataset);
  await admin.end();
  const writer = await connectNode(leader.port);
  const eventual = await connectNode(second.port, '-c quiver.consistency=eventual');
  const strong = await connectNode(third.port, '-c default_transaction_read_only=on');
  for (const client of [eventual, strong]) {
    const deadline = Date.now() + 300_000;
    while ((await client.query('SELECT count(*)::int AS n FROM items')).rows[0].n < rows) {
      if (Date.now() > deadline) throw new Error('a replica did not catch up');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const insert: number[] = [];
  const lag: number[] = [];
  const strongRead: number[] = [];
  let polls = 0;
  for (let n = 0; n < ops; n++) {
    const id = 10_000_000 + n;
    let start = performance.now();
    await writer.query('INSERT INTO items VALUES ($1, 0, $2)', [
      id,
      vectorParameter(dataset.vectors[n % rows]),
    ]);
    const acked = performance.now();
    insert.push(acked - start);
    // Alternate the two measurements so that neither waits behind the other.
    start = performance.now();
    if (n % 2 === 1) {
      const seen = await strong.query('SELECT 1 FROM items WHERE id = $1', [id]);
      strongRead.push(performance.now() - start);
      if (seen.rows.length !== 1) throw new Error(`a strong read on a standby missed row ${id}`);
      continue;
    }
    while ((await eventual.query('SELECT 1 FROM items WHERE id = $1', [id])).rows.length !== 1) {
      polls++;
    }
    lag.push(performance.now() - acked);
  }
  for (const client of [writer, eventual, strong]) await client.end();
  const pct = (values: number[], p: number) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length * p)];
  const ms = (values: number[]) =>
    `${pct(values, 0.5).toFixed(2)} / ${pct(values, 0.9).toFixed(2)} / ${pct(values, 0.99).toFixed(2)}`;
  console.log(`\n${rows} rows × 128 + HNSW; ${ops} single-row INSERTs on the leader, one at a time`);
  console.log('| measured | p50 / p90 / p99 ms |');
  console.log('|---|---|');
  console.log(`| INSERT on the leader (acknowledged) | ${ms(insert)} |`);
  console.log(`| acknowledged → visible to an eventual read on a standby | ${ms(lag)} |`);
  console.log(`| strong read of the row on the other standby, right after | ${ms(strongRead)} |`);
  console.log(`(${polls} extra polls of the eventual session)`);
} finally {
  for (const node of nodes) await node.kill('SIGKILL');
  await etcd.close();
  await s3.close();
}
