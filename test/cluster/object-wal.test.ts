import { expect, it } from 'vitest';
import type { ShardRef } from '../../src/cluster/keys.ts';
import type { Leadership } from '../../src/cluster/leadership.ts';
import { ObjectWal } from '../../src/cluster/object-wal.ts';
import {
  checkNotTruncated,
  followCommitted,
  listBatches,
  readCommitPoint,
  replayCommitted,
  WalTruncatedError,
} from '../../src/cluster/object-wal-reader.ts';
import { tryAcquireShard } from '../../src/cluster/shard-leadership.ts';
import { batchKey } from '../../src/cluster/wal-batch.ts';
import type { Lease, MetaStore } from '../../src/meta/meta-store.ts';
import type { ObjectStore } from '../../src/storage/object-store/object-store.ts';
import type { WalRecord } from '../../src/storage/wal/wal.ts';
import { type ClusterFixture, describeCluster, waitFor } from './fixtures.ts';

const SHARD: ShardRef = { table: '16400', shard: 0 };
const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

async function lead(
  fx: ClusterFixture,
  nodeId: string,
  ttlSeconds = 2,
): Promise<{ store: MetaStore; lease: Lease; leadership: Leadership }> {
  const store = await fx.connect();
  const lease = await store.grantLease(ttlSeconds);
  const leadership = await tryAcquireShard(store, fx.keys, SHARD, { nodeId, lease });
  if (!leadership) throw new Error(`${nodeId} could not lead`);
  return { store, lease, leadership };
}

async function openWal(
  fx: ClusterFixture,
  node: { store: MetaStore; leadership: Leadership },
  objects = fx.objects,
): Promise<ObjectWal> {
  return ObjectWal.open({
    store: node.store,
    objects,
    keys: fx.keys,
    ref: SHARD,
    leadership: node.leadership,
  });
}

async function collect(records: AsyncIterable<WalRecord>): Promise<[number, string][]> {
  const out: [number, string][] = [];
  for await (const r of records) out.push([r.lsn, str(r.payload)]);
  return out;
}

async function readAll(fx: ClusterFixture, fromLsn = 0): Promise<[number, string][]> {
  return collect(replayCommitted(fx.store, fx.objects, fx.keys, SHARD, fromLsn));
}

/** The object store, with `before` run ahead of every PUT (it may throw to fail the PUT). */
function onPut(objects: ObjectStore, before: () => Promise<void>): ObjectStore {
  return new Proxy(objects, {
    get(target, prop) {
      if (prop === 'put')
        return async (key: string, data: Uint8Array) => {
          await before();
          await target.put(key, data);
        };
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Holds the leadership's first fenced commit until `release()`; counts the commits. */
function holdFirstCommit(leadership: Leadership) {
  const commit = leadership.commit.bind(leadership);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const state = { started: false, commits: 0, release };
  leadership.commit = async (ops, compare) => {
    state.commits++;
    if (!state.started) {
      state.started = true;
      await gate;
    }
    return commit(ops, compare);
  };
  return state;
}

describeCluster(
  'object WAL',
  (fx) => {
    it('group-commits concurrent appends into few batches with dense LSNs, all replayed in order', async () => {
      const node = await lead(fx(), 'a');
      const wal = await openWal(fx(), node);
      const appenders = 64;
      const perAppender = 8;
      const acked = new Map<number, string>();
      await Promise.all(
        Array.from({ length: appenders }, async (_, w) => {
          for (let i = 0; i < perAppender; i++) {
            const payload = `w${w}-r${i}`;
            acked.set(await wal.append(text(payload)), payload);
          }
        }),
      );
      const n = appenders * perAppender;
      expect([...acked.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(wal.nextLsn).toBe(n);
      const batches = await listBatches(fx().objects, SHARD);
      expect(batches.length).toBeLessThan(n / 4); // grouped
      expect(batches.length).toBe(wal.commitPoint.seq + 1);
      expect(wal.stats).toMatchObject({ batches: batches.length, records: n });
      expect(wal.stats.commits).toBeLessThanOrEqual(batches.length);
      const replayed = await readAll(fx());
      expect(replayed).toEqual([...acked].sort((a, b) => a[0] - b[0]));
      expect(await collect(wal.replay(n - 3))).toEqual(replayed.slice(n - 3));
      await wal.close();
      await node.lease.revoke();
    });

    it('stores the next batches while a commit point is written, and one commit covers all of them', async () => {
      const node = await lead(fx(), 'a');
      const held = holdFirstCommit(node.leadership);
      let puts = 0;
      const wal = await openWal(
        fx(),
        node,
        onPut(fx().objects, async () => void puts++),
      );
      const acked: number[] = [];
      const append = (payload: string) => wal.append(text(payload)).then((lsn) => (acked.push(lsn), lsn));
      const a = append('a');
      await waitFor(() => held.started, 3000, 'the first commit to start');
      const b = append('b');
      await waitFor(() => puts === 2, 3000, 'the second batch to be stored');
      const c = append('c');
      await waitFor(() => puts === 3, 3000, 'the third batch to be stored');
      expect(acked).toEqual([]); // stored is not committed
      held.release();
      expect(await Promise.all([a, b, c])).toEqual([0, 1, 2]);
      expect(held.commits).toBe(2); // batch 0, then batches 1 and 2 together
      expect(wal.stats).toMatchObject({ batches: 3, commits: 2, records: 3 });
      expect(wal.stats.commitSeconds).toBeGreaterThan(0);
      expect(wal.commitPoint).toMatchObject({ seq: 2, nextLsn: 3 });
      expect(await readAll(fx())).toEqual([
        [0, 'a'],
        [1, 'b'],
        [2, 'c'],
      ]);
      await wal.close();
      await node.lease.revoke();
    });

    it('a failed PUT fails its batch only; the next batch reuses its seq while an earlier one commits', async () => {
      const node = await lead(fx(), 'a');
      const held = holdFirstCommit(node.leadership);
      let puts = 0;
      const wal = await openWal(
        fx(),
        node,
        onPut(fx().objects, async () => {
          if (++puts === 2) throw new Error('injected PUT failure');
        }),
      );
      const a = wal.append(text('a'));
      await waitFor(() => held.started, 3000, 'the first commit to start');
      await expect(wal.append(text('b'))).rejects.toMatchObject({
        code: '58030',
        message: `could not write WAL batch to ${fx().objects.location}: injected PUT failure`,
      });
      const c = wal.append(text('c'));
      await waitFor(() => puts === 3, 3000, 'the retried batch to be stored');
      held.release();
      expect(await Promise.all([a, c])).toEqual([0, 1]);
      expect((await listBatches(fx().objects, SHARD)).map((o) => [o.seq, o.firstLsn])).toEqual([
        [0, 0],
        [1, 1],
      ]);
      expect(await readAll(fx())).toEqual([
        [0, 'a'],
        [1, 'c'],
      ]);
      await wal.close();
      await node.lease.revoke();
    });

    it('a new leader replays exactly the committed records and continues the LSNs', async () => {
      const a = await lead(fx(), 'a', 1);
      const walA = await openWal(fx(), a);
      for (let i = 0; i < 5; i++) await walA.append(text(`a${i}`));
      a.lease.abandon(); // a crashes
      await waitFor(
        async () => (await fx().store.get(fx().keys.shardLeader(SHARD))) === null,
        4000,
        'a to expire',
      );
      const b = await lead(fx(), 'b');
      expect(b.leadership.epoch).toBe(2);
      const walB = await openWal(fx(), b);
      expect(await collect(walB.replay(0))).toEqual([0, 1, 2, 3, 4].map((i) => [i, `a${i}`]));
      expect(await walB.append(text('b0'))).toBe(5);
      await expect(walA.append(text('a-late'))).rejects.toMatchObject({ code: '40001' });
      expect((await readAll(fx())).map(([, p]) => p)).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'b0']);
      await walB.close();
      await b.lease.revoke();
    });

    it("a deposed leader's batch is written but never visible, and is collected as garbage", async () => {
      const a = await lead(fx(), 'a');
      const walA = await openWal(fx(), a);
      await walA.append(text('a0'));
      // a is deposed without noticing (no watch events reach it): only the fence can stop it.
      await a.leadership.close();
      await a.lease.revoke();
      const b = await lead(fx(), 'b');
      const late = walA.append(text('a-late'));
      await expect(late).rejects.toMatchObject({ code: '40001' });
      // Its object landed (the store has no conditional PUT) …
      const objects = await listBatches(fx().objects, SHARD);
      expect(objects.map((o) => [o.seq, o.epoch])).toEqual([
        [0, 1],
        [1, 1],
      ]);
      // … but it is past the commit point, so no reader sees it.
      expect(await readAll(fx())).toEqual([[0, 'a0']]);
      const walB = await openWal(fx(), b);
      expect(await walB.append(text('b1'))).toBe(1);
      expect(await readAll(fx())).toEqual([
        [0, 'a0'],
        [1, 'b1'],
      ]);
      // Same seq, higher epoch: b's batch wins; a's is garbage.
      expect(await walB.collectGarbage()).toBe(1);
      expect((await listBatches(fx().objects, SHARD)).map((o) => [o.seq, o.epoch])).toEqual([
        [0, 1],
        [1, 2],
      ]);
      await b.lease.revoke();
    });

    it('detects a flipped byte in a committed batch with an error naming the object', async () => {
      const node = await lead(fx(), 'a');
      const wal = await openWal(fx(), node);
      await wal.append(text('first'));
      await wal.append(text('second'));
      const [, second] = await listBatches(fx().objects, SHARD);
      const key = batchKey(SHARD, second);
      const bytes = Buffer.from(await fx().objects.get(key));
      bytes[bytes.length - 2] ^= 0x01;
      await fx().objects.put(key, bytes);
      const error = await readAll(fx()).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'XX001',
        message: `WAL batch "${key}" in ${fx().objects.location} is corrupt: checksum mismatch`,
      });
      // Reading from after the damaged batch does not need it.
      expect(await readAll(fx(), 2)).toEqual([]);
      await node.lease.revoke();
    });

    it('truncates below a sealed LSN: replay starts there, older batches are kept one more checkpoint for followers', async () => {
      const node = await lead(fx(), 'a');
      const wal = await openWal(fx(), node);
      // Three batches of two records each.
      for (let b = 0; b < 3; b++) await Promise.all([wal.append(text(`${b}a`)), wal.append(text(`${b}b`))]);
      expect((await listBatches(fx().objects, SHARD)).length).toBe(3);
      const point = async () => (await readCommitPoint(fx().store, fx().keys, SHARD)).point;
      await wal.truncateBefore(3); // mid second batch
      expect(await point()).toMatchObject({ replayFrom: { seq: 1, lsn: 3 }, keptFrom: { seq: 0, lsn: 0 } });
      // Recovery replays from 3; a follower still at 0 can go on.
      expect(await readAll(fx(), 3)).toEqual([
        [3, '1b'],
        [4, '2a'],
        [5, '2b'],
      ]);
      expect((await readAll(fx(), 0)).length).toBe(6);
      expect(() => checkNotTruncated(wal.commitPoint, 0)).not.toThrow();
      await wal.truncateBefore(6); // everything sealed: the batch below LSN 3 goes
      expect((await listBatches(fx().objects, SHARD)).map((b) => b.seq)).toEqual([1, 2]);
      expect(await point()).toMatchObject({ replayFrom: { seq: 3, lsn: 6 }, keptFrom: { seq: 1, lsn: 3 } });
      expect(await readAll(fx(), 6)).toEqual([]);
      expect(await readAll(fx(), 0)).toEqual([
        [3, '1b'],
        [4, '2a'],
        [5, '2b'],
      ]);
      expect(() => checkNotTruncated(wal.commitPoint, 2)).toThrow(WalTruncatedError);
      expect(() => checkNotTruncated(wal.commitPoint, 3)).not.toThrow();
      expect(await wal.append(text('after'))).toBe(6);
      await wal.truncateBefore(7);
      expect((await listBatches(fx().objects, SHARD)).map((b) => b.seq)).toEqual([3]);
      expect(await readAll(fx())).toEqual([[6, 'after']]);
      await node.lease.revoke();
    });

    it('a replica tails the log as the commit point advances', async () => {
      const node = await lead(fx(), 'a');
      const wal = await openWal(fx(), node);
      await wal.append(text('before'));
      const seen: [number, string][] = [];
      const tail = await followCommitted(fx().store, fx().objects, fx().keys, SHARD, 0, (records) => {
        seen.push(...records.map((r): [number, string] => [r.lsn, str(r.payload)]));
      });
      await waitFor(() => seen.length === 1, 3000, 'the existing record');
      for (let i = 0; i < 20; i++) void wal.append(text(`r${i}`));
      await waitFor(() => seen.length === 21, 5000, `all records (saw ${seen.length})`);
      expect(seen.map(([lsn]) => lsn)).toEqual(Array.from({ length: 21 }, (_, i) => i));
      await tail.close();
      await node.lease.revoke();
    });
  },
  {
    objects: [
      ['embedded', 'local'],
      ['etcd', 's3rver'],
      ['etcd', 'local'],
      ['embedded', 's3rver'],
    ],
  },
);
