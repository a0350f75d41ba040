/**
 * Where the work of a write goes in a cluster, against a standalone server: CPU the write
 * leader spends per row it commits against CPU each standby spends per row it applies from
 * the WAL, on a 3-node loopback cluster (real `quiver serve` processes, etcd and s3rver),
 * measured from /proc/<pid>/stat (every thread of the process), with etcd's and this
 * process's (the clients, and s3rver, which runs in it) beside them, and the leader's group
 * commit from its /metrics: records per WAL batch, mean time per PUT and per commit-point
 * write. This is the number the decision on sharded writes rests on (docs/decisions.md):
 * every node keeps every row, so however the leadership is split, each node still spends
 * the apply cost for every row; splitting it can only spread the part of the leader's cost
 * above that.
 *
 *   npx tsx bench/cluster-ingest.ts [--rows 100000] [--batch 10000] [--inserts-seconds 5]
 *                                   [--connections 8] [--indexes none,hnsw,hnsw-shards]
 *
 * Per index variant (none; one HNSW graph; HNSW `WITH (shards = 3)`), on a fresh table
 * `(id int PRIMARY KEY, embedding vector(128))`: binary COPYs of `--batch` rows through the
 * leader, one after another, until `--rows`; then `--connections` connections run
 * single-row INSERTs on the leader for `--inserts-seconds`. After each phase the bench waits
 * until both standbys show the phase's last row (an eventual read of its key), so the
 * standbys' CPU covers applying all of it. The same phases run first on a standalone
 * `quiver serve` (durable, local WAL), alone on the machine, for the cost of the cluster's
 * write path against one node's.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { idVectorCopyBinary } from '../src/engine/testing/id-vector-copy.ts';
import { clusteredData } from '../src/storage/vector/testing/clustered-data.ts';
import { startEtcd } from '../test/helpers/etcd.ts';
import { scrape, total } from '../test/helpers/prometheus.ts';
import { type QuiverNode, startThreeNodes } from '../test/helpers/quiver-node.ts';
import { startS3rver } from '../test/helpers/s3rver.ts';
import { startQuiver } from './lib/quiver-server.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '10000' },
    'inserts-seconds': { type: 'string', default: '5' },
    connections: { type: 'string', default: '8' },
    indexes: { type: 'string', default: 'none,hnsw,hnsw-shards' },
  },
});
const ROWS = Number(values.rows);
const BATCH = Number(values.batch);
const INSERT_SECONDS = Number(values['inserts-seconds']);
const CONNECTIONS = Number(values.connections);
const DIMS = 128;
const INDEXES: Record<string, string | null> = {
  none: null,
  hnsw: 'CREATE INDEX ON ingest USING hnsw (embedding vector_l2_ops)',
  'hnsw-shards': 'CREATE INDEX ON ingest USING hnsw (embedding vector_l2_ops) WITH (shards = 3)',
};
const variants = values.indexes!.split(',');
for (const v of variants) if (!(v in INDEXES)) throw new Error(`unknown index variant ${v}`);

const vectors = clusteredData({ count: ROWS, dimensions: DIMS, seed: 42 }).vectors;

/** CPU seconds a process (all its threads) has used so far. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks
}

function connect(port: number, options?: Record<string, string>) {
  return postgres({
    host: '127.0.0.1',
    port,
    user: 'quiver',
    database: 'quiver',
    max: 1,
    onnotice: () => {},
    connection: options,
  });
}

/** Waits until each standby's replica has the row with key `id` (all of its commit). */
async function untilApplied(standbys: postgres.Sql[], id: number): Promise<void> {
  const deadline = Date.now() + 600_000;
  for (const sql of standbys) {
    while ((await sql`SELECT 1 FROM ingest WHERE id = ${id}`).length === 0) {
      if (Date.now() > deadline) throw new Error(`a standby did not apply row ${id}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

interface Phase {
  readonly target: string;
  readonly variant: string;
  readonly phase: string;
  readonly rows: number;
  readonly ackedPerSecond: number;
  readonly appliedPerSecond: number;
  readonly leaderMicros: number;
  readonly standbyMicros: number | null;
  readonly etcdMicros: number | null;
  /** The leader's group commit over the phase (its /metrics); null standalone. */
  readonly groupCommit: { recordsPerBatch: number; putMs: number; commitMs: number } | null;
  /** This process: the clients, and in the cluster s3rver too. */
  readonly harnessMicros: number;
}

interface Target {
  readonly name: string;
  /** The node that takes the writes, and its process. */
  readonly port: number;
  readonly pid: number;
  readonly standbys: readonly { readonly port: number; readonly pid: number }[];
  readonly etcdPid?: number;
  /** The leader's operations port, for its WAL group-commit counters. */
  readonly metricsPort?: number;
}

const WAL_COUNTERS = [
  'quiver_wal_records_total',
  'quiver_wal_batches_total',
  'quiver_wal_commits_total',
  'quiver_wal_put_seconds_total',
  'quiver_wal_commit_seconds_total',
] as const;

async function walCounters(port: number | undefined): Promise<number[] | null> {
  if (port === undefined) return null;
  const { samples } = await scrape(port);
  return WAL_COUNTERS.map((name) => total(samples, name));
}

/** Every index variant's COPY and INSERT phases against one target. */
async function ingest(target: Target): Promise<Phase[]> {
  const phases: Phase[] = [];
  const sql = connect(target.port);
  const standbys = target.standbys.map((s) => connect(s.port, { 'quiver.consistency': 'eventual' }));
  const pids = [target.pid, ...target.standbys.map((s) => s.pid)];
  const measure = async (
    variant: string,
    phase: string,
    run: () => Promise<{ rows: number; lastId: number }>,
  ) => {
    const cpuBefore = pids.map(cpuSeconds);
    const etcdBefore = target.etcdPid === undefined ? 0 : cpuSeconds(target.etcdPid);
    const harnessBefore = process.cpuUsage();
    const walBefore = await walCounters(target.metricsPort);
    const start = performance.now();
    const { rows, lastId } = await run();
    const acked = performance.now();
    await untilApplied(standbys, lastId);
    const applied = performance.now();
    const cpu = pids.map((pid, i) => cpuSeconds(pid) - cpuBefore[i]);
    const harness = process.cpuUsage(harnessBefore);
    const walAfter = await walCounters(target.metricsPort);
    const wal = walBefore && walAfter ? walAfter.map((v, i) => v - walBefore[i]) : null;
    const standbyCpu = cpu.slice(1);
    const result: Phase = {
      target: target.name,
      variant,
      phase,
      rows,
      ackedPerSecond: rows / ((acked - start) / 1000),
      appliedPerSecond: rows / ((applied - start) / 1000),
      leaderMicros: (cpu[0] / rows) * 1e6,
      standbyMicros:
        standbyCpu.length === 0
          ? null
          : (standbyCpu.reduce((a, b) => a + b, 0) / standbyCpu.length / rows) * 1e6,
      etcdMicros:
        target.etcdPid === undefined ? null : ((cpuSeconds(target.etcdPid) - etcdBefore) / rows) * 1e6,
      harnessMicros: (harness.user + harness.system) / rows,
      groupCommit: wal && {
        recordsPerBatch: wal[0] / wal[1],
        putMs: (wal[3] / wal[1]) * 1000,
        commitMs: (wal[4] / wal[2]) * 1000,
      },
    };
    phases.push(result);
    console.log(JSON.stringify(result));
  };

  await sql`CREATE EXTENSION IF NOT EXISTS vector`;
  for (const variant of variants) {
    await sql`DROP TABLE IF EXISTS ingest`;
    await sql`CREATE TABLE ingest (id int PRIMARY KEY, embedding vector(${sql.unsafe(String(DIMS))}))`;
    const index = INDEXES[variant];
    if (index) await sql.unsafe(index);
    await measure(variant, `COPY ${BATCH}-row batches`, async () => {
      for (let start = 0; start < ROWS; start += BATCH) {
        const rows = vectors.slice(start, start + BATCH);
        // idVectorCopyBinary numbers rows from 0: shift the keys by writing each batch's ids.
        const writable = await sql`COPY ingest FROM STDIN (FORMAT binary)`.writable();
        await pipeline(Readable.from(shiftedIds(idVectorCopyBinary(rows, 2000), start)), writable);
      }
      return { rows: ROWS, lastId: ROWS - 1 };
    });
    await measure(variant, `INSERT, ${CONNECTIONS} connections`, async () => {
      let next = ROWS;
      let lastId = -1;
      const until = Date.now() + INSERT_SECONDS * 1000;
      const writers = Array.from({ length: CONNECTIONS }, () => connect(target.port));
      await Promise.all(
        writers.map(async (writer) => {
          while (Date.now() < until) {
            const id = next++;
            await writer`INSERT INTO ingest VALUES (${id}, ${`[${vectors[id % ROWS].join(',')}]`}::vector)`;
            lastId = Math.max(lastId, id);
          }
          await writer.end();
        }),
      );
      // Every INSERT up to the last id was acknowledged before the writers ended.
      return { rows: next - ROWS, lastId };
    });
  }
  await sql.end();
  for (const standby of standbys) await standby.end();
  return phases;
}

const phases: Phase[] = [];
// Standalone first, alone on the machine: the same phases on one durable `quiver serve`.
const standalone = await startQuiver();
try {
  const port = Number(standalone.hostPort.split(':')[1]);
  phases.push(...(await ingest({ name: 'standalone', port, pid: standalone.pid, standbys: [] })));
} finally {
  await standalone.close();
}

const etcd = await startEtcd();
const s3 = await startS3rver();
const nodes: QuiverNode[] = [];
try {
  const [leader, ...others] = await startThreeNodes(
    { etcd: etcd.endpoints, s3, cluster: 'ingest', leaseTtlSeconds: 5, extraArgs: ['--http-port', '0'] },
    nodes,
  );
  const node = (n: QuiverNode) => ({ port: n.port, pid: n.process.pid! });
  phases.push(
    ...(await ingest({
      name: '3 nodes',
      ...node(leader),
      standbys: others.map(node),
      etcdPid: etcd.pid,
      metricsPort: Number(/"httpPort":(\d+)/.exec(leader.log())![1]),
    })),
  );
} finally {
  for (const node of nodes) await node.kill('SIGKILL');
  await etcd.close();
  await s3.close();
}

console.log(`\n${ROWS} rows × ${DIMS} dims; 3 nodes, etcd and s3rver on one machine`);
console.log(
  '| target | index | phase | rows | acknowledged rows/s | applied on both standbys rows/s | leader CPU µs/row | standby CPU µs/row | leader / standby | etcd CPU µs/row | harness CPU µs/row | records / WAL batch | ms / PUT | ms / commit point |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const p of phases) {
  const standby = p.standbyMicros === null ? '–' : p.standbyMicros.toFixed(1);
  const ratio = p.standbyMicros === null ? '–' : (p.leaderMicros / p.standbyMicros).toFixed(2);
  const applied = p.standbyMicros === null ? '–' : Math.round(p.appliedPerSecond);
  const gc = p.groupCommit;
  console.log(
    `| ${p.target} | ${p.variant} | ${p.phase} | ${p.rows} | ${Math.round(p.ackedPerSecond)} | ${applied} | ${p.leaderMicros.toFixed(1)} | ${standby} | ${ratio} | ${p.etcdMicros === null ? '–' : p.etcdMicros.toFixed(1)} | ${p.harnessMicros.toFixed(1)} | ${gc ? gc.recordsPerBatch.toFixed(1) : '–'} | ${gc ? gc.putMs.toFixed(1) : '–'} | ${gc ? gc.commitMs.toFixed(1) : '–'} |`,
  );
}

/**
 * Rewrites the int4 keys of binary COPY rows (each row: field count, then the 4-byte key
 * field) by adding `offset`, so batches after the first do not start again at 0.
 */
function* shiftedIds(chunks: Generator<Buffer>, offset: number): Generator<Buffer> {
  let first = true;
  for (const chunk of chunks) {
    // The header (19 bytes) and the trailer (2 bytes) come as chunks of their own.
    if (first || chunk.length === 2) {
      first = false;
      yield chunk;
      continue;
    }
    let at = 0;
    while (at < chunk.length) {
      const fields = chunk.readInt16BE(at);
      at += 2;
      for (let f = 0; f < fields; f++) {
        const length = chunk.readInt32BE(at);
        at += 4;
        if (f === 0) chunk.writeInt32BE(chunk.readInt32BE(at) + offset, at);
        at += Math.max(length, 0);
      }
    }
    yield chunk;
  }
}
