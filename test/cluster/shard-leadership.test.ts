import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { ShardRef } from '../../src/cluster/keys.ts';
import { readEpoch } from '../../src/cluster/leadership.ts';
import {
  campaignShard,
  readShardLeader,
  shardLeadershipKeys,
  tryAcquireShard,
} from '../../src/cluster/shard-leadership.ts';
import { SqlError } from '../../src/errors/sql-error.ts';
import { describeCluster, waitFor } from './fixtures.ts';

const SHARD: ShardRef = { table: '16384', shard: 3 };
const REPO = join(import.meta.dirname, '..', '..');
const MEMBER_CHILD = join(REPO, 'src', 'cluster', 'testing', 'member-child.ts');

describeCluster('shard leadership', (fx) => {
  it('one of two contenders leads; after it expires the other takes over with epoch + 1 and the old leader is fenced', async () => {
    const { keys } = fx();
    const storeA = await fx().connect();
    const storeB = await fx().connect();
    const leaseA = await storeA.grantLease(1);
    const leaseB = await storeB.grantLease(1);
    const a = await tryAcquireShard(storeA, keys, SHARD, { nodeId: 'a', lease: leaseA });
    expect(a?.epoch).toBe(1);
    expect(await tryAcquireShard(storeB, keys, SHARD, { nodeId: 'b', lease: leaseB })).toBeNull();
    expect(await readShardLeader(storeB, keys, SHARD)).toMatchObject({
      nodeId: 'a',
      epoch: 1,
      lease: leaseA.id,
    });

    // The leader's guarded writes go through while it leads.
    const wal = keys.shardWal(SHARD);
    expect(await a!.commit([{ type: 'put', key: wal, value: 'from a' }])).toBeGreaterThan(0);

    const bWins = campaignShard(storeB, keys, SHARD, { nodeId: 'b', lease: leaseB });
    let aLost: string | undefined;
    a!.onLost((reason) => (aLost = reason));
    const killed = Date.now();
    leaseA.abandon(); // a "dies": no more keepalives
    const b = await bWins;
    const takeover = Date.now() - killed;
    expect(b.epoch).toBe(2);
    expect(await readEpoch(storeB, shardLeadershipKeys(keys, SHARD))).toBe(2);
    expect(await readShardLeader(storeB, keys, SHARD)).toMatchObject({ nodeId: 'b', epoch: 2 });
    expect(takeover).toBeLessThan(4000);
    await waitFor(() => aLost !== undefined, 3000, 'a to notice its loss');

    // The deposed leader's late write is rejected with 40001, and nothing is written.
    const late = await a!.commit([{ type: 'put', key: wal, value: 'late from a' }]).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(SqlError);
    expect(late).toMatchObject({
      code: '40001',
      message: `this node is no longer the leader of shard 3 of table 16384 (epoch 1)`,
    });
    expect((await storeB.get(wal))?.value).toBe('from a');
    expect(await b.commit([{ type: 'put', key: wal, value: 'from b' }])).toBeGreaterThan(0);
    await b.resign();
    await leaseB.revoke();
  });

  it('fences a leader that has not noticed it was deposed (its fence fails in the store)', async () => {
    const { keys } = fx();
    const storeA = await fx().connect();
    const storeB = await fx().connect();
    const leaseA = await storeA.grantLease(2);
    const leaseB = await storeB.grantLease(2);
    const a = (await tryAcquireShard(storeA, keys, SHARD, { nodeId: 'a', lease: leaseA }))!;
    await a.close(); // stop watching: a cannot learn of its loss except through the fence
    await leaseA.revoke();
    const b = (await tryAcquireShard(storeB, keys, SHARD, { nodeId: 'b', lease: leaseB }))!;
    expect(b.epoch).toBe(2);
    expect(a.lost).toBeUndefined();
    await expect(a.commit([{ type: 'put', key: keys.shardWal(SHARD), value: 'x' }])).rejects.toMatchObject({
      code: '40001',
    });
    expect(a.lost).toMatch(/another leader or epoch/);
    expect(await storeB.get(keys.shardWal(SHARD))).toBeNull();
    await leaseB.revoke();
  });

  it('many concurrent contenders: exactly one wins each epoch, epochs never repeat', async () => {
    const { keys } = fx();
    const epochs: number[] = [];
    for (let round = 0; round < 3; round++) {
      const leases = await Promise.all(Array.from({ length: 5 }, async () => fx().store.grantLease(5)));
      const won = await Promise.all(
        leases.map((lease, i) => tryAcquireShard(fx().store, keys, SHARD, { nodeId: `n${i}`, lease })),
      );
      const winners = won.filter((w) => w !== null);
      expect(winners).toHaveLength(1);
      epochs.push(winners[0]!.epoch);
      await winners[0]!.resign();
      await Promise.all(leases.map((l) => l.revoke()));
    }
    expect(epochs).toEqual([1, 2, 3]);
  });

  it('resign hands over at once', async () => {
    const { keys, store } = fx();
    const leaseA = await store.grantLease(5);
    const leaseB = await store.grantLease(5);
    const a = (await tryAcquireShard(store, keys, SHARD, { nodeId: 'a', lease: leaseA }))!;
    const bWins = campaignShard(store, keys, SHARD, { nodeId: 'b', lease: leaseB });
    const started = Date.now();
    await a.resign();
    const b = await bWins;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(b.epoch).toBe(a.epoch + 1);
    const aborted = new AbortController();
    const waiting = campaignShard(store, keys, SHARD, { nodeId: 'c', lease: leaseA }, aborted.signal);
    aborted.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    await leaseA.revoke();
    await leaseB.revoke();
  });
});

describeCluster(
  'shard leadership with a killed process',
  (fx) => {
    it('kill -9 of the leader: a waiting contender takes over after the TTL with the next epoch', async () => {
      const { keys, endpoints, store } = fx();
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          MEMBER_CHILD,
          endpoints![0],
          keys.cluster,
          'victim',
          '1',
          `${SHARD.table}/${SHARD.shard}`,
        ],
        { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      try {
        let stdout = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        await waitFor(() => stdout.includes('leading'), 15_000, 'child to lead');
        const lease = await store.grantLease(1);
        const won = campaignShard(store, keys, SHARD, { nodeId: 'survivor', lease });
        await new Promise((resolve) => setTimeout(resolve, 100));
        const killed = Date.now();
        child.kill('SIGKILL');
        const leadership = await won;
        expect(leadership.epoch).toBe(2);
        expect(Date.now() - killed).toBeLessThan(4000);
        await leadership.resign();
        await lease.revoke();
      } finally {
        child.kill('SIGKILL');
      }
    });
  },
  { kinds: ['etcd'] },
);
