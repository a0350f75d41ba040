import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEtcdMetaStore } from '../src/meta/etcd-meta-store.ts';
import type { MetaStore } from '../src/meta/meta-store.ts';
import {
  describeMetaStoreConformance,
  stallEventLoop,
  waitFor,
} from '../src/meta/testing/meta-store-conformance.ts';
import { startEtcd, type TestEtcd } from './helpers/etcd.ts';

let etcd: TestEtcd | undefined;
beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.close();
});

/**
 * Each test gets its own prefix on the shared etcd; cleanup deletes it. `stallToleranceMs`:
 * leases renewed from a thread (lease-keeper.ts).
 */
async function openFixture(stallToleranceMs?: number) {
  const prefix = `/quiver-test/${randomUUID()}/`;
  const open = () => openEtcdMetaStore({ endpoints: etcd!.endpoints, prefix, stallToleranceMs });
  let store = await open();
  return {
    store,
    reopen: async () => {
      await store.close();
      store = await open();
      return store;
    },
    cleanup: async () => {
      await store
        .txn({ compare: [], success: [{ type: 'deletePrefix', prefix: '' }] })
        .catch(() => undefined);
      await store.close();
    },
  };
}

describeMetaStoreConformance('etcd', () => openFixture());
// The same contract with leases renewed from a thread that stops once the event loop has
// not turned for 500 ms (so the suite's 2.5 s stall still loses the lease).
describeMetaStoreConformance('etcd, leases kept from a thread', () => openFixture(500));

describe('etcd leases kept from a thread', () => {
  it('survive an event-loop stall longer than their TTL within the tolerance, and not one past it', async () => {
    const tolerant = await openFixture(10_000);
    const strict = await openFixture(1000);
    try {
      // 2 s leases, not 1 s: the keeping thread and etcd share a loaded machine's cores with
      // other suites, and a renewal a second late lost a 1 s lease now and then.
      const kept = await tolerant.store.grantLease(2);
      const expiring = await strict.store.grantLease(2);
      const lost: string[] = [];
      kept.onLost(() => lost.push('kept'));
      expiring.onLost(() => lost.push('expiring'));
      await tolerant.store.put('a', '1', { lease: kept.id });
      await strict.store.put('b', '1', { lease: expiring.id });
      // 3.5 TTLs without a turn of the event loop.
      stallEventLoop(7000);
      await waitFor(() => lost.length > 0, 6000, 'onLost of the lease past its tolerance');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(lost).toEqual(['expiring']);
      expect((await tolerant.store.get('a'))?.lease).toBe(kept.id);
      expect(await strict.store.get('b')).toBeNull();
      await kept.revoke();
      expect(await tolerant.store.get('a')).toBeNull();
    } finally {
      await tolerant.cleanup();
      await strict.cleanup();
    }
  });
});

describe('etcd meta store', () => {
  it('keeps its keys under the prefix and strips it from results', async () => {
    const a = await openFixture();
    const b = await openFixture();
    let raw: MetaStore | undefined;
    try {
      await a.store.put('same', 'from a');
      await b.store.put('same', 'from b');
      expect((await a.store.get('same'))?.value).toBe('from a');
      expect((await b.store.range('')).map((kv) => [kv.key, kv.value])).toEqual([['same', 'from b']]);
      raw = await openEtcdMetaStore({ endpoints: etcd!.endpoints });
      const keys = (await raw.range('/quiver-test/')).map((kv) => kv.key);
      expect(keys.filter((key) => key.endsWith('/same'))).toHaveLength(2);
    } finally {
      await raw?.close();
      await a.cleanup();
      await b.cleanup();
    }
  });

  it('revokes its leases on close, so their keys go at once', async () => {
    const prefix = `/quiver-test/${randomUUID()}/`;
    const observer = await openEtcdMetaStore({ endpoints: etcd!.endpoints, prefix });
    try {
      const holder = await openEtcdMetaStore({ endpoints: etcd!.endpoints, prefix });
      const lease = await holder.grantLease(30);
      await holder.put('member', 'alive', { lease: lease.id });
      expect((await observer.get('member'))?.lease).toBe(lease.id);
      await holder.close();
      expect(await observer.get('member')).toBeNull();
    } finally {
      await observer.close();
    }
  });
});
