/**
 * Runs a cluster test suite against both MetaStores (embedded and a real etcd) and, where
 * objects are involved, both object stores (a local directory and s3rver). Each test gets its
 * own cluster name, so tests share one etcd / one s3rver per file without seeing each other.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe } from 'vitest';
import { ClusterKeys } from '../../src/cluster/keys.ts';
import { openEmbeddedMetaStore } from '../../src/meta/embedded-meta-store.ts';
import { openEtcdMetaStore } from '../../src/meta/etcd-meta-store.ts';
import type { MetaStore } from '../../src/meta/meta-store.ts';
import { LocalObjectStore } from '../../src/storage/object-store/local-object-store.ts';
import type { ObjectStore } from '../../src/storage/object-store/object-store.ts';
import { S3ObjectStore } from '../../src/storage/object-store/s3-object-store.ts';
import { startEtcd, type TestEtcd } from '../helpers/etcd.ts';
import { startS3rver, type TestS3Server } from '../helpers/s3rver.ts';

export type MetaKind = 'embedded' | 'etcd';
export type ObjectKind = 'local' | 's3rver';

export interface ClusterFixture {
  readonly kind: MetaKind;
  readonly keys: ClusterKeys;
  /** The first node's connection. */
  readonly store: MetaStore;
  /**
   * Another node's connection: a new etcd client, or (embedded, one process only) the same
   * store behind a close() that does nothing.
   */
  connect(): Promise<MetaStore>;
  /** etcd endpoints (for child processes); undefined for the embedded store. */
  readonly endpoints?: readonly string[];
  /** Set when the suite asked for an object store. */
  readonly objects: ObjectStore;
  readonly objectKind?: ObjectKind;
}

interface Internal extends ClusterFixture {
  cleanup(): Promise<void>;
}

export function describeCluster(
  title: string,
  body: (fixture: () => ClusterFixture) => void,
  options: {
    readonly objects?: readonly [MetaKind, ObjectKind][];
    readonly kinds?: readonly MetaKind[];
  } = {},
): void {
  const combos: [MetaKind, ObjectKind | undefined][] = options.objects
    ? options.objects.map(([m, o]) => [m, o])
    : (options.kinds ?? ['embedded', 'etcd']).map((m) => [m, undefined]);
  for (const [kind, objectKind] of combos) {
    describe(`${title} [${kind}${objectKind ? ` + ${objectKind}` : ''}]`, () => {
      let etcd: TestEtcd | undefined;
      let s3: TestS3Server | undefined;
      let fixture: Internal;
      beforeAll(async () => {
        if (kind === 'etcd') etcd = await startEtcd();
        if (objectKind === 's3rver') s3 = await startS3rver();
      });
      afterAll(async () => {
        await etcd?.close();
        await s3?.close();
      });
      beforeEach(async () => {
        fixture = await openFixture(kind, objectKind, etcd, s3);
      });
      afterEach(async () => {
        await fixture.cleanup();
      });
      body(() => fixture);
    });
  }
}

async function openFixture(
  kind: MetaKind,
  objectKind: ObjectKind | undefined,
  etcd: TestEtcd | undefined,
  s3: TestS3Server | undefined,
): Promise<Internal> {
  const keys = new ClusterKeys(`t-${randomUUID().slice(0, 8)}`);
  const cleanups: (() => Promise<unknown>)[] = [];
  let objects: ObjectStore | undefined;
  if (objectKind === 'local') {
    const dir = await mkdtemp(join(tmpdir(), 'quiver-cluster-objects-'));
    objects = await LocalObjectStore.open(dir);
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
  } else if (objectKind === 's3rver' && s3) {
    objects = new S3ObjectStore({
      bucket: s3.bucket,
      prefix: keys.cluster,
      endpoint: s3.endpoint,
      credentials: s3.credentials,
    });
  }
  if (objects) {
    const o = objects;
    cleanups.unshift(() => o.close());
  }
  if (kind === 'embedded') {
    const dir = await mkdtemp(join(tmpdir(), 'quiver-cluster-meta-'));
    const store = await openEmbeddedMetaStore(dir);
    const shared: MetaStore = {
      get: (k) => store.get(k),
      range: (p) => store.range(p),
      put: (k, v, o) => store.put(k, v, o),
      delete: (k) => store.delete(k),
      txn: (r) => store.txn(r),
      watch: (p, r, f) => store.watch(p, r, f),
      grantLease: (ttl) => store.grantLease(ttl),
      revision: () => store.revision(),
      close: async () => {},
    };
    return {
      kind,
      keys,
      store,
      objects: objects as ObjectStore,
      objectKind,
      connect: async () => shared,
      cleanup: async () => {
        await store.close();
        await rm(dir, { recursive: true, force: true });
        for (const c of cleanups) await c();
      },
    };
  }
  if (!etcd) throw new Error('etcd not started');
  const clients: MetaStore[] = [];
  const connect = async () => {
    const client = await openEtcdMetaStore({ endpoints: etcd.endpoints });
    clients.push(client);
    return client;
  };
  const store = await connect();
  return {
    kind,
    keys,
    store,
    endpoints: etcd.endpoints,
    objects: objects as ObjectStore,
    objectKind,
    connect,
    cleanup: async () => {
      await store
        .txn({ compare: [], success: [{ type: 'deletePrefix', prefix: keys.root }] })
        .catch(() => undefined);
      for (const client of clients) await client.close();
      for (const c of cleanups) await c();
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
