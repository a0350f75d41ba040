import { randomInt } from 'node:crypto';
import type { ICompare, IKeyValue, IRequestOp } from 'etcd3';
import { CompareResult, CompareTarget, Etcd3, EtcdLeaseInvalidError } from 'etcd3';
import { ThreadLeaseKeeper } from './lease-keeper.ts';
import { type LeaseKeeper, LeaseRenewer } from './lease-renewer.ts';
import type {
  Compare,
  KeyValue,
  Lease,
  MetaOp,
  MetaStore,
  TxnRequest,
  TxnResult,
  WatchEvent,
  Watcher,
} from './meta-store.ts';
import { monotonicMs } from './monotonic-ms.ts';

/**
 * The cluster MetaStore (DESIGN §5) over etcd v3 through the etcd3 package's raw KV, Lease
 * and Watch clients. `prefix` (e.g. `/quiver/<cluster>/`) is prepended to every key and
 * stripped from results, so several clusters (or tests) can share one etcd.
 */
export interface EtcdMetaStoreOptions {
  readonly endpoints: readonly string[];
  readonly prefix?: string;
  /**
   * When set, leases are renewed from a worker thread (lease-keeper.ts) as long as the event
   * loop turned within this many ms, so a busy loop does not lose them. Unset: renewed from
   * the event loop, and a stall past the TTL loses them.
   */
  readonly stallToleranceMs?: number;
}

export async function openEtcdMetaStore(options: EtcdMetaStoreOptions): Promise<MetaStore> {
  const client = new Etcd3({ hosts: [...options.endpoints] });
  const tolerance = options.stallToleranceMs;
  const keeper = (): LeaseKeeper =>
    tolerance === undefined ? new LeaseRenewer(client) : new ThreadLeaseKeeper(options.endpoints, tolerance);
  const store = new EtcdMetaStore(client, options.prefix ?? '', keeper);
  try {
    await store.revision(); // fail at open, not at first use, when etcd is unreachable
  } catch (error) {
    client.close();
    throw error;
  }
  return store;
}

const COMPARE_TARGET = {
  value: CompareTarget.Value,
  version: CompareTarget.Version,
  createRevision: CompareTarget.Create,
  modRevision: CompareTarget.Mod,
} as const;

const COMPARE_RESULT = {
  '=': CompareResult.Equal,
  '!=': CompareResult.NotEqual,
  '<': CompareResult.Less,
  '>': CompareResult.Greater,
} as const;

const ALL_KEYS = Buffer.from([0]);

class EtcdMetaStore implements MetaStore {
  private readonly leases = new Set<EtcdLease>();
  private readonly watchers = new Set<Watcher>();
  /** What renews the leases, started with the first one. */
  private keeper: LeaseKeeper | null = null;

  constructor(
    private readonly client: Etcd3,
    private readonly prefix: string,
    private readonly startKeeper: () => LeaseKeeper,
  ) {}

  async get(key: string): Promise<KeyValue | null> {
    const res = await this.client.kv.range({ key: this.bytes(key) });
    return res.kvs.length > 0 ? this.keyValue(res.kvs[0]) : null;
  }

  async range(prefix: string): Promise<KeyValue[]> {
    // etcd returns a range in key (byte) order by default.
    const res = await this.client.kv.range(this.prefixRange(prefix));
    return res.kvs.map((kv) => this.keyValue(kv));
  }

  async put(key: string, value: string, options?: { lease?: number }): Promise<number> {
    const res = await leaseErrors(
      this.client.kv.put({ key: this.bytes(key), value: Buffer.from(value), lease: options?.lease ?? 0 }),
      options?.lease,
    );
    return Number(res.header.revision);
  }

  async delete(key: string): Promise<number> {
    const res = await this.client.kv.deleteRange({ key: this.bytes(key) });
    return Number(res.header.revision);
  }

  async txn(request: TxnRequest): Promise<TxnResult> {
    const leased = [...request.success, ...(request.failure ?? [])].find(
      (op) => op.type === 'put' && op.lease,
    );
    const res = await leaseErrors(
      this.client.kv.txn({
        compare: request.compare.map((c) => this.compare(c)),
        success: request.success.map((op) => this.requestOp(op)),
        failure: (request.failure ?? []).map((op) => this.requestOp(op)),
      }),
      leased?.type === 'put' ? leased.lease : undefined,
    );
    return { succeeded: res.succeeded, revision: Number(res.header.revision) };
  }

  async watch(
    prefix: string,
    afterRevision: number,
    onEvents: (events: WatchEvent[]) => void,
  ): Promise<Watcher> {
    let builder = this.client.watch().prefix(this.prefix + prefix);
    if (afterRevision > 0) builder = builder.startRevision(String(afterRevision + 1));
    const watcher = await builder.create().catch((error: unknown) => {
      if (String(error).includes('compacted')) {
        throw new Error(`required revision has been compacted (etcd): ${String(error)}`);
      }
      throw error;
    });
    // A response may carry several revisions; callers get one callback per revision.
    watcher.on('data', (res) => {
      let batch: WatchEvent[] = [];
      for (const ev of res.events) {
        const event: WatchEvent = {
          type: ev.type === 'Put' ? 'put' : 'delete',
          key: this.unprefix(ev.kv.key),
          value: ev.type === 'Put' ? ev.kv.value.toString() : '',
          modRevision: Number(ev.kv.mod_revision),
        };
        if (batch.length > 0 && batch[0].modRevision !== event.modRevision) {
          onEvents(batch);
          batch = [];
        }
        batch.push(event);
      }
      if (batch.length > 0) onEvents(batch);
    });
    // The interface has no error channel; without a listener EventEmitter would throw.
    watcher.on('error', (error) =>
      process.emitWarning(`metadata watch on ${prefix} failed: ${error.message}`),
    );
    const handle: Watcher = {
      close: async () => {
        this.watchers.delete(handle);
        await watcher.cancel();
      },
    };
    this.watchers.add(handle);
    return handle;
  }

  async grantLease(ttlSeconds: number): Promise<Lease> {
    this.keeper ??= this.startKeeper();
    const lease = await EtcdLease.grant(this.client, ttlSeconds, this.keeper, (ended) =>
      this.leases.delete(ended),
    );
    this.leases.add(lease);
    return lease;
  }

  async revision(): Promise<number> {
    // Any read reports the store revision; this one reads nothing.
    const res = await this.client.kv.range({ key: ALL_KEYS, limit: 1, count_only: true });
    return Number(res.header.revision);
  }

  async close(): Promise<void> {
    // etcd3's close() does not stop lease keepalives: end them (and their keys) first.
    await Promise.allSettled([...this.leases].map((lease) => lease.revoke()));
    await Promise.allSettled([...this.watchers].map((watcher) => watcher.close()));
    await this.keeper?.close();
    this.client.close();
  }

  private compare(c: Compare): ICompare {
    const base = { key: this.bytes(c.key), target: COMPARE_TARGET[c.target], result: COMPARE_RESULT[c.op] };
    switch (c.target) {
      case 'value':
        return { ...base, value: Buffer.from(String(c.value)) };
      case 'version':
        return { ...base, version: Number(c.value) };
      case 'createRevision':
        return { ...base, create_revision: Number(c.value) };
      case 'modRevision':
        return { ...base, mod_revision: Number(c.value) };
    }
  }

  private requestOp(op: MetaOp): IRequestOp {
    switch (op.type) {
      case 'put':
        return {
          request_put: { key: this.bytes(op.key), value: Buffer.from(op.value), lease: op.lease ?? 0 },
        };
      case 'delete':
        return { request_delete_range: { key: this.bytes(op.key) } };
      case 'deletePrefix':
        return { request_delete_range: this.prefixRange(op.prefix) };
    }
  }

  private keyValue(kv: IKeyValue): KeyValue {
    return {
      key: this.unprefix(kv.key),
      value: kv.value.toString(),
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
      version: Number(kv.version),
      lease: Number(kv.lease),
    };
  }

  /** Every key starting with `prefix`; etcd spells "every key" as key = range_end = [0]. */
  private prefixRange(prefix: string): { key: Buffer; range_end: Buffer } {
    const key = this.bytes(prefix);
    return key.length === 0 ? { key: ALL_KEYS, range_end: ALL_KEYS } : { key, range_end: prefixEnd(key) };
  }

  private bytes(key: string): Buffer {
    return Buffer.from(this.prefix + key);
  }

  private unprefix(key: Buffer): string {
    return key.toString().slice(this.prefix.length);
  }
}

/**
 * etcd's range end for "every key starting with `key`": the key with its last byte below
 * 0xff incremented (and the rest dropped); [0] (no end) when there is none.
 */
function prefixEnd(key: Buffer): Buffer {
  for (let i = key.length - 1; i >= 0; i--) {
    if (key[i] < 0xff) {
      const end = Buffer.from(key.subarray(0, i + 1));
      end[i]++;
      return end;
    }
  }
  return Buffer.from([0]);
}

/** etcd3 turns "requested lease not found" into an error naming no lease; say which. */
async function leaseErrors<T>(request: Promise<T>, lease: number | undefined): Promise<T> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof EtcdLeaseInvalidError) {
      throw new Error(`requested lease not found${lease ? `: ${lease}` : ''}`, { cause: error });
    }
    throw error;
  }
}

/**
 * A lease with an ID we choose: etcd picks random 63-bit IDs, which a JavaScript number
 * cannot hold exactly, and the interface's lease IDs are numbers. The store's LeaseKeeper
 * renews it and says when it is gone.
 */
class EtcdLease implements Lease {
  private readonly listeners: (() => void)[] = [];
  private ended = false;
  /** When the newest renewal etcd answered was sent (monotonicMs()): etcd's TTL runs from a later moment. */
  private renewalSent: number;

  private constructor(
    private readonly client: Etcd3,
    readonly id: number,
    private readonly ttlMs: number,
    private readonly keeper: LeaseKeeper,
    private readonly onEnd: (lease: EtcdLease) => void,
    askedAt: number,
  ) {
    this.renewalSent = askedAt;
  }

  static async grant(
    client: Etcd3,
    ttlSeconds: number,
    keeper: LeaseKeeper,
    onEnd: (lease: EtcdLease) => void,
  ): Promise<EtcdLease> {
    for (let attempt = 0; ; attempt++) {
      // Below 2^48: exact as a number, and collisions (retried) are vanishingly rare.
      const id = randomInt(1, 2 ** 48);
      try {
        const askedAt = monotonicMs();
        const res = await client.leaseClient.leaseGrant({ ID: id, TTL: ttlSeconds });
        const lease = new EtcdLease(client, id, Number(res.TTL) * 1000, keeper, onEnd, askedAt);
        await keeper
          .keep(
            id,
            lease.ttlMs,
            () => lease.lose(),
            (sentAt) => lease.renewed(sentAt),
          )
          .catch(async (error: unknown) => {
            await lease.revoke().catch(() => undefined);
            throw error;
          });
        return lease;
      } catch (error) {
        if (attempt >= 3 || !String(error).includes('lease already exists')) throw error;
      }
    }
  }

  onLost(listener: () => void): void {
    this.listeners.push(listener);
  }

  heldUntil(): number {
    return this.ended ? 0 : this.renewalSent + this.ttlMs;
  }

  private renewed(sentAt: number): void {
    this.renewalSent = Math.max(this.renewalSent, sentAt);
  }

  abandon(): void {
    if (this.ended) return;
    const lastRenewal = this.stop();
    // etcd expires it at most a TTL after the last renewal; tell listeners no earlier.
    void lastRenewal.then((last) => {
      const timer = setTimeout(
        () => {
          for (const listener of this.listeners) listener();
        },
        Math.max(0, last + this.ttlMs - Date.now()),
      );
      timer.unref();
    });
  }

  async revoke(): Promise<void> {
    if (this.ended) return;
    await this.stop();
    try {
      await this.client.leaseClient.leaseRevoke({ ID: this.id });
    } catch (error) {
      // Already expired: its keys are gone, which is what revoking wants.
      if (!(error instanceof EtcdLeaseInvalidError)) throw error;
    }
  }

  /** The keeper found it gone (it renews it no more). */
  private lose(): void {
    if (this.ended) return;
    this.end();
    for (const listener of this.listeners) queueMicrotask(listener);
  }

  /** Stops renewing; resolves with when the lease was last renewed. */
  private stop(): Promise<number> {
    this.end();
    return this.keeper.release(this.id);
  }

  private end(): void {
    this.ended = true;
    this.onEnd(this);
  }
}
