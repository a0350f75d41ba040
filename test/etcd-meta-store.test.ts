import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEtcdMetaStore } from '../src/meta/etcd-meta-store.ts';
import type { MetaStore } from '../src/meta/meta-store.ts';
import { describeMetaStoreConformance } from '../src/meta/testing/meta-store-conformance.ts';
import { startEtcd, type TestEtcd } from './helpers/etcd.ts';

let etcd: TestEtcd | undefined;
beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.close();
});

/** Each test gets its own prefix on the shared etcd; cleanup deletes it. */
async function openFixture() {
  const prefix = `/quiver-test/${randomUUID()}/`;
  const open = () => openEtcdMetaStore({ endpoints: etcd!.endpoints, prefix });
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

describeMetaStoreConformance('etcd', openFixture);

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
