import { expect, it } from 'vitest';
import { FencedMetaStore } from '../../src/cluster/fenced-meta-store.ts';
import type { ShardRef } from '../../src/cluster/keys.ts';
import { campaignShard, tryAcquireShard } from '../../src/cluster/shard-leadership.ts';
import { describeCluster } from './fixtures.ts';

const SHARD: ShardRef = { table: 'db', shard: 0 };

describeCluster('the write leader engine metadata store', (fx) => {
  it('keeps the engine keys under its prefix and refuses a deposed leader every write (40001)', async () => {
    const { keys } = fx();
    const storeA = await fx().connect();
    const storeB = await fx().connect();
    const leaseA = await storeA.grantLease(1);
    const leaseB = await storeB.grantLease(1);
    const a = (await tryAcquireShard(storeA, keys, SHARD, { nodeId: 'a', lease: leaseA }))!;
    const engineA = new FencedMetaStore(storeA, keys.engine, a);

    await engineA.put('catalog/1', 'one');
    expect(
      await engineA.txn({ compare: [], success: [{ type: 'put', key: 'catalog/2', value: 'two' }] }),
    ).toMatchObject({
      succeeded: true,
    });
    // Stored under the prefix; read back without it.
    expect((await storeB.get(`${keys.engine}catalog/1`))?.value).toBe('one');
    expect((await engineA.range('catalog/')).map((kv) => [kv.key, kv.value])).toEqual([
      ['catalog/1', 'one'],
      ['catalog/2', 'two'],
    ]);
    // The caller's own compare failing is an ordinary failed transaction while it leads.
    const missed = await engineA.txn({
      compare: [{ key: 'catalog/1', target: 'value', op: '=', value: 'other' }],
      success: [{ type: 'delete', key: 'catalog/1' }],
    });
    expect(missed.succeeded).toBe(false);
    expect((await engineA.get('catalog/1'))?.value).toBe('one');

    const bWins = campaignShard(storeB, keys, SHARD, { nodeId: 'b', lease: leaseB });
    leaseA.abandon();
    const b = await bWins;
    const engineB = new FencedMetaStore(storeB, keys.engine, b);
    await engineB.put('catalog/1', 'from b');

    for (const write of [
      () => engineA.put('catalog/1', 'late'),
      () => engineA.delete('catalog/2'),
      () => engineA.txn({ compare: [], success: [{ type: 'deletePrefix', prefix: 'catalog/' }] }),
    ]) {
      await expect(write()).rejects.toMatchObject({ code: '40001' });
    }
    expect((await engineB.range('catalog/')).map((kv) => [kv.key, kv.value])).toEqual([
      ['catalog/1', 'from b'],
      ['catalog/2', 'two'],
    ]);
    await leaseB.revoke();
    await storeA.close();
    await storeB.close();
  });
});
