/**
 * A shard's write-ahead log (DESIGN §3): an ordered sequence of opaque records, each with a
 * log sequence number (LSN). `append` resolves only when its record is durable; records that
 * arrive together share one fsync (group commit). Standalone it is a set of local files;
 * in a cluster, batches in object storage with the commit point in etcd.
 */

export interface WalRecord {
  /** Position of the record, strictly increasing (not necessarily dense). */
  readonly lsn: number;
  readonly payload: Uint8Array;
}

export interface Wal {
  /** Appends one record; resolves with its LSN once it is durable. */
  append(payload: Uint8Array): Promise<number>;
  /** Every durable record with lsn ≥ `fromLsn`, in order (recovery and replica catch-up). */
  replay(fromLsn: number): AsyncIterable<WalRecord>;
  /** Forgets records below `lsn` (their effects are checkpointed into segments). */
  truncateBefore(lsn: number): Promise<void>;
  /** LSN the next appended record will get. */
  readonly nextLsn: number;
  close(): Promise<void>;
}

/** A WAL file that is damaged somewhere other than a torn tail; names the file and offset. */
export class WalCorruptionError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    reason: string,
  ) {
    super(`WAL file "${file}" is corrupt at byte ${offset}: ${reason}`);
    this.name = 'WalCorruptionError';
  }
}
