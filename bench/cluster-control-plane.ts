/**
 * Cluster control-plane measurements (src/cluster): shard leadership takeover after a kill -9
 * on a real etcd, and object-WAL append throughput on a local directory and on s3rver.
 *
 *   npx tsx bench/cluster-control-plane.ts [--ttl 3] [--trials 3] [--records 3200] [--record-bytes 200]
 *
 * Starts its own etcd and s3rver (test/helpers). Prints a markdown table and JSON lines.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ClusterKeys } from '../src/cluster/keys.ts';
import { ObjectWal } from '../src/cluster/object-wal.ts';
import { campaignShard, tryAcquireShard } from '../src/cluster/shard-leadership.ts';
import { openEtcdMetaStore } from '../src/meta/etcd-meta-store.ts';
import { LocalObjectStore } from '../src/storage/object-store/local-object-store.ts';
import type { ObjectStore } from '../src/storage/object-store/object-store.ts';
import { S3ObjectStore } from '../src/storage/object-store/s3-object-store.ts';
import { startEtcd } from '../test/helpers/etcd.ts';
import { startS3rver } from '../test/helpers/s3rver.ts';

const { values } = parseArgs({
  options: {
    ttl: { type: 'string', default: '3' },
    trials: { type: 'string', default: '3' },
    records: { type: 'string', default: '3200' },
    'record-bytes': { type: 'string', default: '200' },
  },
});
const ttl = Number(values.ttl);
const trials = Number(values.trials);
const records = Number(values.records);
const recordBytes = Number(values['record-bytes']);
const CHILD = join(import.meta.dirname, '..', 'src', 'cluster', 'testing', 'member-child.ts');

await using etcd = await startEtcd();
await using s3 = await startS3rver();

// 1. Takeover: a child process leads shard t/0 with a lease of `ttl` s and is killed; we campaign.
const takeovers: number[] = [];
for (let trial = 0; trial < trials; trial++) {
  const keys = new ClusterKeys(`bench-${trial}`);
  const store = await openEtcdMetaStore({ endpoints: etcd.endpoints });
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, etcd.endpoints[0], keys.cluster, 'victim', String(ttl), 't/0'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('leading')) resolve();
    });
  });
  const lease = await store.grantLease(ttl);
  const won = campaignShard(store, keys, { table: 't', shard: 0 }, { nodeId: 'survivor', lease });
  // Let the campaign reach its watch, then kill.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const killed = performance.now();
  child.kill('SIGKILL');
  const leadership = await won;
  takeovers.push(performance.now() - killed);
  if (leadership.epoch !== 2) throw new Error(`expected epoch 2, got ${leadership.epoch}`);
  await store.close();
}

// 2. Object-WAL throughput with 1 and 64 appenders.
interface WalResult {
  store: string;
  appenders: number;
  records: number;
  seconds: number;
  recordsPerSecond: number;
  batchesPerSecond: number;
}
const walResults: WalResult[] = [];
const payload = new Uint8Array(recordBytes).fill(7);
for (const kind of ['local', 's3rver'] as const) {
  for (const appenders of [1, 64]) {
    const keys = new ClusterKeys(`wal-${kind}-${appenders}`);
    const meta = await openEtcdMetaStore({ endpoints: etcd.endpoints });
    const dir = kind === 'local' ? await mkdtemp(join(tmpdir(), 'quiver-wal-bench-')) : undefined;
    const objects: ObjectStore = dir
      ? await LocalObjectStore.open(dir)
      : new S3ObjectStore({
          bucket: s3.bucket,
          prefix: keys.cluster,
          endpoint: s3.endpoint,
          credentials: s3.credentials,
        });
    const lease = await meta.grantLease(10);
    const ref = { table: 't', shard: 0 };
    const leadership = (await tryAcquireShard(meta, keys, ref, { nodeId: 'n', lease }))!;
    const wal = await ObjectWal.open({ store: meta, objects, keys, ref, leadership });
    // A single appender waits for each record: fewer records keep the run short.
    const total = appenders === 1 ? Math.min(records, 300) : records;
    const per = Math.ceil(total / appenders);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: appenders }, async () => {
        for (let i = 0; i < per; i++) await wal.append(payload);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const batches = wal.commitPoint.seq + 1;
    walResults.push({
      store: kind,
      appenders,
      records: per * appenders,
      seconds,
      recordsPerSecond: (per * appenders) / seconds,
      batchesPerSecond: batches / seconds,
    });
    await wal.close();
    await lease.revoke();
    await objects.close();
    await meta.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

const fmt = (n: number) => n.toFixed(0);
console.log(`\n## Shard leadership takeover after kill -9 (etcd, lease TTL ${ttl} s)\n`);
console.log(`trials: ${takeovers.map((ms) => `${fmt(ms)} ms`).join(', ')}`);
console.log(`\n## Object WAL appends (${recordBytes}-byte records, commit point in etcd)\n`);
console.log('| store | appenders | records | records/s | batches/s | records/batch |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of walResults) {
  console.log(
    `| ${r.store} | ${r.appenders} | ${r.records} | ${fmt(r.recordsPerSecond)} | ${fmt(r.batchesPerSecond)} | ${(r.recordsPerSecond / r.batchesPerSecond).toFixed(1)} |`,
  );
}
console.log();
console.log(JSON.stringify({ takeoverMs: takeovers.map(Math.round), ttl }));
for (const r of walResults) console.log(JSON.stringify(r));
