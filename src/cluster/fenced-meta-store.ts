/**
 * The MetaStore a write leader's engine sees (catalog, checkpoint manifests): the cluster's
 * store under one key prefix, with every write guarded by the leader's fence. A deposed
 * leader that wakes up (paused, cut off from etcd) cannot overwrite what its successor
 * wrote: its checkpoint or DDL fails with 40001 instead (leadership.ts). Reads and watches
 * pass through; leases are the node's, not the engine's, so the engine may not grant them.
 * Without a leadership it is a replica's read-only view: every write fails (25006).
 */

import { SqlError, SqlState } from '../errors/sql-error.ts';
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
} from '../meta/meta-store.ts';
import type { Leadership } from './leadership.ts';

export class FencedMetaStore implements MetaStore {
  constructor(
    private readonly inner: MetaStore,
    /** Ends with '/': every key the engine uses lives under it. */
    private readonly prefix: string,
    private readonly leadership: Leadership | null,
  ) {
    if (!prefix.endsWith('/')) throw new Error(`key prefix "${prefix}" must end with /`);
  }

  async get(key: string): Promise<KeyValue | null> {
    const kv = await this.inner.get(this.prefix + key);
    return kv && this.unprefixed(kv);
  }

  async range(prefix: string): Promise<KeyValue[]> {
    return (await this.inner.range(this.prefix + prefix)).map((kv) => this.unprefixed(kv));
  }

  async put(key: string, value: string, options?: { lease?: number }): Promise<number> {
    if (options?.lease) throw new Error('the engine does not attach keys to leases');
    return (await this.fence().commit([{ type: 'put', key: this.prefix + key, value }]))!;
  }

  async delete(key: string): Promise<number> {
    return (await this.fence().commit([{ type: 'delete', key: this.prefix + key }]))!;
  }

  async txn(request: TxnRequest): Promise<TxnResult> {
    // A failure branch would run when the fence fails too, i.e. write for a deposed leader.
    if (request.failure && request.failure.length > 0)
      throw new Error('fenced transactions have no failure branch');
    const compare: Compare[] = request.compare.map((c) => ({ ...c, key: this.prefix + c.key }));
    const revision = await this.fence().commit(
      request.success.map((op) => this.prefixedOp(op)),
      compare,
    );
    if (revision !== null) return { succeeded: true, revision };
    return { succeeded: false, revision: await this.inner.revision() };
  }

  watch(prefix: string, afterRevision: number, onEvents: (events: WatchEvent[]) => void): Promise<Watcher> {
    return this.inner.watch(this.prefix + prefix, afterRevision, (events) =>
      onEvents(events.map((e) => ({ ...e, key: e.key.slice(this.prefix.length) }))),
    );
  }

  grantLease(): Promise<Lease> {
    return Promise.reject(new Error('the engine does not grant leases'));
  }

  revision(): Promise<number> {
    return this.inner.revision();
  }

  /** The node owns the connection to the cluster's store and closes it. */
  async close(): Promise<void> {}

  private fence(): Leadership {
    if (this.leadership) return this.leadership;
    throw new SqlError(SqlState.ReadOnlySqlTransaction, 'cannot write the catalog on a read replica');
  }

  private unprefixed(kv: KeyValue): KeyValue {
    return { ...kv, key: kv.key.slice(this.prefix.length) };
  }

  private prefixedOp(op: MetaOp): MetaOp {
    return op.type === 'deletePrefix'
      ? { type: 'deletePrefix', prefix: this.prefix + op.prefix }
      : { ...op, key: this.prefix + op.key };
  }
}
