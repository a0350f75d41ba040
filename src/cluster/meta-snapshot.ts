/**
 * Every key under a MetaStore prefix as one range read saw them: a consistent state of the
 * keys (etcd and the embedded store answer a range at one revision), read as a MetaStore
 * that cannot change. A read replica recovers its copy from such a snapshot of the engine's
 * keys, so a checkpoint the leader writes meanwhile cannot pair one checkpoint's LSN with
 * another's manifests, and need not throw the copy away (engine-replica.ts).
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { KeyValue, Lease, MetaStore, TxnResult, Watcher } from '../meta/meta-store.ts';

export class MetaSnapshot implements MetaStore {
  private readonly byKey: Map<string, KeyValue>;

  private constructor(private readonly kvs: readonly KeyValue[]) {
    this.byKey = new Map(kvs.map((kv) => [kv.key, kv]));
  }

  /** Reads every key under `store` (one range over the empty prefix). */
  static async read(store: MetaStore): Promise<MetaSnapshot> {
    return new MetaSnapshot(await store.range(''));
  }

  get(key: string): Promise<KeyValue | null> {
    return Promise.resolve(this.byKey.get(key) ?? null);
  }

  range(prefix: string): Promise<KeyValue[]> {
    return Promise.resolve(this.kvs.filter((kv) => kv.key.startsWith(prefix)));
  }

  /** The revision of the last change the snapshot holds. */
  revision(): Promise<number> {
    return Promise.resolve(this.kvs.reduce((max, kv) => Math.max(max, kv.modRevision), 0));
  }

  put(): Promise<number> {
    return Promise.reject(readOnly());
  }

  delete(): Promise<number> {
    return Promise.reject(readOnly());
  }

  txn(): Promise<TxnResult> {
    return Promise.reject(readOnly());
  }

  watch(): Promise<Watcher> {
    return Promise.reject(readOnly());
  }

  grantLease(): Promise<Lease> {
    return Promise.reject(readOnly());
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function readOnly(): SqlError {
  return new SqlError(SqlState.ReadOnlySqlTransaction, 'a snapshot of the metadata cannot be changed');
}
