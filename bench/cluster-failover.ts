/**
 * Failover time of a 3-node cluster on loopback: how long after `kill -9` of the write
 * leader writes and kNN reads are answered again, with the standbys' read replicas on
 * (the promoted standby takes over from its replica's copy) and off (it recovers the whole
 * database from object storage). Real `quiver serve` processes, etcd and s3rver.
 *
 *   npx tsx bench/cluster-failover.ts [--rows 100000] [--tail 2000] [--ttl 3] [--modes on,off]
 *
 * Per mode: load `--rows` rows of clustered-100k-128 with COPY, build an HNSW index,
 * CHECKPOINT (rows and index file in object storage), insert `--tail` more rows (the WAL
 * tail), then run one writer (single-row INSERTs) and one kNN reader through two standbys
 * while the leader is killed. Prints a table; "recovery" is what the new leader's log says
 * taking over took, after it won the leadership.
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
    rows: { type: 'string', default: '100000' },
    tail: { type: 'string', default: '2000' },
    ttl: { type: 'string', default: '3' },
    modes: { type: 'string', default: 'on,off' },
  },
});
const rows = Number(values.rows);
const tail = Number(values.tail);
const ttl = Number(values.ttl);
const dataset = generateDataset(findDataset('clustered-100k-128', rows), 1, 20);

interface Outcome {
  readonly replica: string;
  readonly writesMs: number;
  readonly readsMs: number;
  readonly recoveryMs: number;
  readonly warm: boolean;
  readonly acked: number;
  readonly missing: number;
  /** The longest event-loop block any node logged (load, checkpoint, failover), in ms. */
  readonly longestBlockMs: number;
}

const outcomes: Outcome[] = [];
for (const mode of values.modes.split(',')) outcomes.push(await measure(mode));

console.log(
  `\n${rows} rows × 128 + HNSW (m 16, ef_construction 64), ${tail} rows after the checkpoint, lease TTL ${ttl} s`,
);
console.log(
  '| read replicas | writes answered again | kNN answered again | new leader took over in | from its replica | acknowledged inserts | missing after | longest event-loop block |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const o of outcomes) {
  console.log(
    `| ${o.replica} | ${o.writesMs.toFixed(0)} ms | ${o.readsMs.toFixed(0)} ms | ${o.recoveryMs.toFixed(0)} ms | ${o.warm ? 'yes' : 'no'} | ${o.acked} | ${o.missing} | ${o.longestBlockMs > 0 ? `${o.longestBlockMs} ms` : 'under 1 s'} |`,
  );
}

async function measure(replica: string): Promise<Outcome> {
  const etcd = await startEtcd();
  const s3 = await startS3rver();
  const setup = {
    etcd: etcd.endpoints,
    s3,
    cluster: `failover-${replica}`,
    leaseTtlSeconds: ttl,
    extraArgs: ['--read-replica', replica],
  };
  const nodes: QuiverNode[] = [];
  try {
    const [leader, second, third] = await startThreeNodes(setup, nodes);
    const admin = await loadCheckpointedItems(leader.port, dataset);
    for (let i = 0; i < tail; i += 500) {
      const values = [];
      for (let j = i; j < Math.min(tail, i + 500); j++)
        values.push(`(${rows + j}, 0, '${vectorParameter(dataset.vectors[j % rows])}')`);
      await admin.query(`INSERT INTO items VALUES ${values.join(',')}`);
    }
    await admin.end();
    if (replica === 'on') for (const standby of [second, third]) await caughtUp(standby.port, rows + tail);

    const writer = loop(second.port, async (client, n) => {
      await client.query('INSERT INTO items VALUES ($1, 0, $2)', [
        10_000_000 + n,
        vectorParameter(dataset.vectors[n % rows]),
      ]);
      return 10_000_000 + n;
    });
    const reader = loop(third.port, async (client, n) => {
      const { rows: found } = await client.query('SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10', [
        vectorParameter(dataset.queries[n % dataset.queries.length]),
      ]);
      if (found.length !== 10) throw new Error(`${found.length} rows`);
      return -1;
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const killedAt = performance.now();
    await leader.kill('SIGKILL');
    await Promise.race([second.leading(120_000), third.leading(120_000)]);
    const [writesMs, readsMs] = await Promise.all([
      writer.resumedAfter(killedAt),
      reader.resumedAfter(killedAt),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await Promise.all([writer.stop(), reader.stop()]);

    const promoted = second.log().includes('"leading the writes"') ? second : third;
    const line = promoted
      .log()
      .split('\n')
      .find((l) => l.includes('"leading the writes"'))!;
    const taken = JSON.parse(line) as { millis: number; fromReplica: boolean };
    if (process.env.FAILOVER_LOG) console.log(promoted.log());
    const check = await connectNode(promoted.port);
    const { rows: present } = await check.query('SELECT id FROM items WHERE id >= 10000000');
    await check.end();
    const ids = new Set(present.map((r) => r.id as number));
    const missing = [...writer.acked].filter((id) => !ids.has(id)).length;
    return {
      replica,
      writesMs,
      readsMs,
      recoveryMs: taken.millis,
      warm: taken.fromReplica,
      acked: writer.acked.size,
      missing,
      longestBlockMs: Math.max(0, ...nodes.flatMap((node) => blockedMs(node.log()))),
    };
  } catch (error) {
    // What the nodes said is the only clue to a node that stopped.
    for (const node of nodes)
      console.error(`--- ${node.id}\n${node.log().split('\n').slice(-15).join('\n')}`);
    throw error;
  } finally {
    for (const node of nodes) await node.kill('SIGKILL');
    await etcd.close();
    await s3.close();
  }
}

/** The event-loop blocks a node logged ("the event loop was blocked", over 1 s each). */
function blockedMs(log: string): number[] {
  return log
    .split('\n')
    .filter((line) => line.includes('"the event loop was blocked"'))
    .map((line) => (JSON.parse(line) as { blockedMs: number }).blockedMs);
}

/**
 * Waits until a standby's replica has every row. (Until its copy follows the WAL, a replica
 * connection goes to the leader: pg_is_in_recovery() tells them apart.)
 */
async function caughtUp(port: number, count: number): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      const client = await connectNode(port, '-c quiver.consistency=eventual');
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

/** One client running `step` back to back, reconnecting after errors; records when steps succeed. */
function loop(port: number, step: (client: pg.Client, n: number) => Promise<number>) {
  const acked = new Set<number>();
  const okAt: number[] = [];
  let stopped = false;
  const running = (async () => {
    let client: pg.Client | null = null;
    for (let n = 0; !stopped; n++) {
      try {
        client ??= await connectNode(port);
        const id = await step(client, n);
        if (id >= 0) acked.add(id);
        okAt.push(performance.now());
      } catch {
        await client?.end().catch(() => {});
        client = null;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    await client?.end().catch(() => {});
  })();
  return {
    acked,
    async resumedAfter(killedAt: number): Promise<number> {
      const deadline = performance.now() + 120_000;
      for (;;) {
        // The first success after the outage: one that follows a pause of over 100 ms.
        const gapEnd = okAt.findIndex((t, i) => i > 0 && t > killedAt && t - okAt[i - 1] > 100);
        if (gapEnd >= 0) return okAt[gapEnd] - killedAt;
        if (performance.now() > deadline) throw new Error('not answered again within 120 s');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop() {
      stopped = true;
      await running;
    },
  };
}
