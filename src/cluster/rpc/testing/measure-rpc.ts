/**
 * Measures the RPC layer alone: SearchSegments round trips against a trivial handler (k = 10
 * fixed hits, 128-dim query) at 1 and 8 calls in flight, with the caller's CPU per call, and
 * FetchRows throughput for rows
 * of an int8 id and a 128-dim float32 vector. The server is a separate process on loopback
 * (fake-node-main.ts), so client and server each have their own event loop.
 *
 *   npx tsx src/cluster/rpc/testing/measure-rpc.ts [calls=5000] [fetchRows=200000]
 */
import type { SearchRequest } from '../messages.ts';
import { NodeClient } from '../node-client.ts';
import { FAKE_DIMS, FAKE_TABLE, fakeVector } from './fake-node.ts';
import { spawnFakeNode } from './spawn-fake-node.ts';

const calls = Number(process.argv[2] ?? 5_000);
const fetchRowCount = Number(process.argv[3] ?? 200_000);

const request: SearchRequest = {
  tableId: FAKE_TABLE.trivial,
  segmentIds: [1n],
  shardIds: [],
  attnum: 2,
  metric: 'l2',
  query: { type: 'vector', dimensions: FAKE_DIMS, data: new Uint8Array(fakeVector(1n).buffer) },
  k: 10,
  snapshotTs: 1n,
  consistency: 'strong',
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function latency(client: NodeClient, concurrency: number): Promise<void> {
  const samples: number[] = [];
  let issued = 0;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < calls) {
        issued++;
        const t0 = performance.now();
        await client.searchSegments(request, { deadline: Date.now() + 10_000 });
        samples.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  // The caller's CPU (this process: user + system) per call: what a coordinator pays per hop.
  const cpu = process.cpuUsage(cpuBefore);
  samples.sort((a, b) => a - b);
  const ms = (v: number) => `${v.toFixed(3)} ms`;
  console.log(
    `SearchSegments, ${concurrency} in flight, ${calls} calls: p50 ${ms(percentile(samples, 50))}, ` +
      `p99 ${ms(percentile(samples, 99))}, max ${ms(samples.at(-1)!)}, ${Math.round(calls / seconds)} calls/s, ` +
      `caller CPU ${Math.round((cpu.user + cpu.system) / calls)} µs per call`,
  );
}

async function fetchThroughput(client: NodeClient): Promise<void> {
  const rowIds = Array.from({ length: fetchRowCount }, (_, i) => BigInt(i));
  const started = performance.now();
  let rows = 0;
  let bytes = 0;
  let batches = 0;
  for await (const batch of client.fetchRows({
    tableId: FAKE_TABLE.bulk,
    rowIds,
    attnums: [1, 2],
    snapshotTs: 1n,
    consistency: 'strong',
  })) {
    batches++;
    rows += batch.rowIds.length;
    for (const column of batch.columns) for (const v of column.values) bytes += v?.length ?? 0;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `FetchRows, ${rows} rows of int8 + vector(${FAKE_DIMS}) in ${batches} batches: ${seconds.toFixed(2)} s, ` +
      `${Math.round(rows / seconds)} rows/s, ${(bytes / seconds / 2 ** 20).toFixed(0)} MiB/s of values`,
  );
}

const peer = await spawnFakeNode('bench');
const client = new NodeClient(peer.address, 'bench');
try {
  for (let i = 0; i < 500; i++) await client.searchSegments(request);
  await latency(client, 1);
  await latency(client, 8);
  await fetchThroughput(client);
  await fetchThroughput(client);
} finally {
  client.close();
  await peer.kill('SIGTERM');
}
