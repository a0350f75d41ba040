/**
 * A shard leader's WAL in object storage (DESIGN §3, cluster mode); implements the same
 * `Wal` interface as the standalone local WAL, so the engine's persistence code can use
 * either.
 *
 * Group commit: appends that arrive while a batch is being stored form the next batch.
 * Each batch is one object (wal-batch.ts). After its PUT succeeds, the commit point in the
 * MetaStore is advanced by a transaction guarded by the leader's fence (leadership.ts);
 * only then are the batch's appenders acknowledged. The next batch's PUT overlaps that
 * transaction (see startPut). A deposed leader's PUT may still land, but its commit
 * transaction fails (40001), so readers — which read only up to the commit point — never
 * see that batch. Fencing cannot come from the object store: s3rver (and
 * older S3) ignore conditional PUTs.
 *
 * LSNs count records from 0 and continue across leaders (the commit point carries the
 * next LSN).
 */
import { SqlError } from '../errors/sql-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import type { MetaStore } from '../meta/meta-store.ts';
import { monotonicMs } from '../meta/monotonic-ms.ts';
import type { ObjectStore } from '../storage/object-store/object-store.ts';
import type { Wal, WalRecord } from '../storage/wal/wal.ts';
import type { ClusterKeys, ShardRef } from './keys.ts';
import { type Leadership, leadershipLostError } from './leadership.ts';
import {
  type CommitPoint,
  committedBatches,
  garbageBatches,
  listBatches,
  readCommitPoint,
  replayCommitted,
} from './object-wal-reader.ts';
import { type BatchRef, batchKey, encodeBatch } from './wal-batch.ts';
import { WalTail } from './wal-tail.ts';

/**
 * How long before its lease could run out a leader stops confirming its commit position:
 * room for the store's clock running faster than this node's. Renewals every TTL/3 keep
 * the lease held for two thirds of the TTL or more, far above this.
 */
const LEASE_READ_MARGIN_MS = 500;

export interface ObjectWalOptions {
  readonly store: MetaStore;
  readonly objects: ObjectStore;
  readonly keys: ClusterKeys;
  readonly ref: ShardRef;
  /** This node's leadership of the shard: every commit-point write is fenced by it. */
  readonly leadership: Leadership;
  /** A batch closes at this many bytes of payload (default 8 MiB) … */
  readonly maxBatchBytes?: number;
  /** … or this many records (default 10,000). */
  readonly maxBatchRecords?: number;
}

interface Pending {
  readonly payload: Uint8Array;
  readonly resolve: (lsn: number) => void;
  readonly reject: (error: unknown) => void;
}

/** What the group commit did so far (metrics.ts: records per batch, time per PUT and per commit). */
export interface WalCommitStats {
  /** Batch objects stored (one PUT each). */
  batches: number;
  /** Commit-point writes (each commits one or more stored batches). */
  commits: number;
  /** Records committed. */
  records: number;
  putSeconds: number;
  commitSeconds: number;
}

/** A batch whose object is stored, waiting for a commit point that covers it. */
interface Written {
  readonly batch: BatchRef;
  readonly appends: readonly Pending[];
}

export class ObjectWal implements Wal {
  /** Appends not in a batch yet. */
  private pending: Pending[] = [];
  /** Batches stored in log order, not committed yet. */
  private written: Written[] = [];
  /** The PUT in flight (one at a time: a failed PUT's seq is reused, so nothing may follow it). */
  private putting: Promise<void> | undefined;
  /** The commit-point write in flight. */
  private committing: Promise<void> | undefined;
  /** Where the next batch goes: past the commit point and every written batch. */
  private nextBatch: { seq: number; firstLsn: number };
  private failure: unknown;
  private closed = false;
  /** Serializes the writes of the commit point (batch commits and truncation). */
  private metaLock: Promise<unknown> = Promise.resolve();
  private readonly maxBatchBytes: number;
  private readonly maxBatchRecords: number;
  /** The records this writer committed, streamed to replicas (wal-tail.ts); ends when the WAL fails or closes. */
  readonly tail: WalTail;
  readonly stats: WalCommitStats = { batches: 0, commits: 0, records: 0, putSeconds: 0, commitSeconds: 0 };

  private constructor(
    private readonly options: ObjectWalOptions,
    private point: CommitPoint,
    private pointRevision: number,
  ) {
    this.maxBatchBytes = options.maxBatchBytes ?? 8 << 20;
    this.maxBatchRecords = options.maxBatchRecords ?? 10_000;
    this.tail = new WalTail(point.nextLsn);
    this.nextBatch = { seq: point.seq + 1, firstLsn: point.nextLsn };
    options.leadership.onLost((reason) => this.fail(this.lostError(reason)));
  }

  /**
   * Opens the log for writing as the shard's leader. Reads the commit point after the
   * leadership was acquired, so nothing an earlier leader can still commit is missed.
   */
  static async open(options: ObjectWalOptions): Promise<ObjectWal> {
    const { point, modRevision } = await readCommitPoint(options.store, options.keys, options.ref);
    return new ObjectWal(options, point, modRevision);
  }

  get nextLsn(): number {
    return this.point.nextLsn;
  }

  get commitPoint(): CommitPoint {
    return this.point;
  }

  get epoch(): number {
    return this.options.leadership.epoch;
  }

  append(payload: Uint8Array): Promise<number> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new SqlError(SqlState.AdminShutdown, 'the WAL is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ payload, resolve, reject });
      this.startPut();
    });
  }

  replay(fromLsn: number): AsyncIterable<WalRecord> {
    const { store, objects, keys, ref } = this.options;
    return replayCommitted(store, objects, keys, ref, fromLsn, this.point);
  }

  /**
   * Records below `lsn` are sealed into segments: moves the replay-from position (fenced)
   * and deletes the batches wholly below it, along with garbage from deposed leaders.
   */
  async truncateBefore(lsn: number): Promise<void> {
    const { objects, ref } = this.options;
    await this.withMetaLock(async () => {
      const target = Math.min(lsn, this.point.nextLsn);
      if (target <= this.point.replayFrom.lsn) return;
      const batches = committedBatches(await listBatches(objects, ref), this.point, ref, objects.location);
      // First batch that still holds a record ≥ target (or past the end when none does).
      let seq = this.point.seq + 1;
      for (let i = 0; i < batches.length; i++) {
        const end = i + 1 < batches.length ? batches[i + 1].firstLsn : this.point.nextLsn;
        if (end > target) {
          seq = batches[i].seq;
          break;
        }
      }
      // The batches up to the old replay-from position stay one more checkpoint (keptFrom).
      await this.writePoint({
        ...this.point,
        replayFrom: { seq, lsn: target },
        keptFrom: this.point.replayFrom,
      });
    });
    await this.collectGarbage();
  }

  /** Deletes batch objects outside the committed log (truncated, or written by deposed leaders). */
  async collectGarbage(): Promise<number> {
    const { objects, ref } = this.options;
    const garbage = garbageBatches(await listBatches(objects, ref), this.point, this.epoch);
    for (const batch of garbage) await objects.delete(batchKey(ref, batch));
    return garbage.length;
  }

  /**
   * The first LSN not committed yet, when no other writer can have committed past it: this
   * writer has not failed and its leadership surely holds a while longer (a leader lease
   * read). Every commit this writer acknowledged is below it. Null when it cannot say.
   */
  confirmedNextLsn(): number | null {
    if (this.failure !== undefined || this.closed) return null;
    if (monotonicMs() + LEASE_READ_MARGIN_MS >= this.options.leadership.surelyLeadsUntil()) return null;
    return this.point.nextLsn;
  }

  /** Waits for the batches in flight; later appends fail. Leadership is left to the caller. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.putting || this.committing) await Promise.allSettled([this.putting, this.committing]);
    this.tail.end(new SqlError(SqlState.AdminShutdown, 'the WAL is closed'));
  }

  /*
   * Group commit, pipelined: appends that arrive while a batch is being stored form the next
   * batch, which is stored while the commit point for the ones before it is being written;
   * one commit-point write covers every batch stored by the time it starts. Commit points
   * advance in log order, and appenders are acknowledged only once one covers their batch.
   * One PUT at a time: a failed PUT's seq is reused, so no batch may have been stored past it.
   */

  private startPut(): void {
    if (this.putting || this.pending.length === 0 || this.failure !== undefined) return;
    this.putting = this.putNext();
  }

  private startCommit(): void {
    if (this.committing || this.written.length === 0) return;
    if (this.failure !== undefined) {
      for (const { appends } of this.written.splice(0)) for (const p of appends) p.reject(this.failure);
      return;
    }
    this.committing = this.commitWritten();
  }

  private async putNext(): Promise<void> {
    // Appends made in the same tick (Promise.all over a transaction's shards) share a batch.
    await null;
    const appends = this.takeBatch();
    const batch: BatchRef = { ...this.nextBatch, epoch: this.epoch };
    try {
      if (appends.length > 0) {
        const started = performance.now();
        await this.putBatch(
          batch,
          appends.map((p) => p.payload),
        );
        this.stats.batches++;
        this.stats.putSeconds += (performance.now() - started) / 1000;
        this.nextBatch = { seq: batch.seq + 1, firstLsn: batch.firstLsn + appends.length };
        this.written.push({ batch, appends });
      }
    } catch (error) {
      // Nothing was committed: the batch fails, the log goes on (the seq is reused).
      for (const p of appends) p.reject(error);
    }
    this.putting = undefined;
    this.startCommit();
    this.startPut();
  }

  /** The oldest pending appends, up to the batch limits. */
  private takeBatch(): Pending[] {
    let bytes = 0;
    let count = 0;
    while (
      count < this.pending.length &&
      count < this.maxBatchRecords &&
      (count === 0 || bytes + this.pending[count].payload.length <= this.maxBatchBytes)
    ) {
      bytes += this.pending[count].payload.length;
      count++;
    }
    return this.pending.splice(0, count);
  }

  private async putBatch(batch: BatchRef, payloads: readonly Uint8Array[]): Promise<void> {
    const { objects, ref, leadership } = this.options;
    if (leadership.lost !== undefined) throw this.lostError(leadership.lost);
    try {
      await objects.put(batchKey(ref, batch), encodeBatch(batch, payloads));
    } catch (error) {
      throw new SqlError(
        SqlState.IoError,
        `could not write WAL batch to ${objects.location}: ${(error as Error).message}`,
      );
    }
  }

  /** Advances the commit point over every written batch, then acknowledges their appenders. */
  private async commitWritten(): Promise<void> {
    const done = this.written.splice(0);
    const last = done[done.length - 1];
    const started = performance.now();
    try {
      await this.withMetaLock(() =>
        this.writePoint({
          ...this.point,
          epoch: last.batch.epoch,
          seq: last.batch.seq,
          nextLsn: last.batch.firstLsn + last.appends.length,
        }),
      );
      this.stats.commits++;
      this.stats.commitSeconds += (performance.now() - started) / 1000;
      for (const { batch, appends } of done) {
        this.stats.records += appends.length;
        this.tail.push(
          batch.firstLsn,
          appends.map((p) => p.payload),
        );
        appends.forEach((p, i) => p.resolve(batch.firstLsn + i));
      }
    } catch (error) {
      // writePoint failed the WAL: this writer commits nothing more.
      for (const { appends } of done) for (const p of appends) p.reject(error);
    }
    this.committing = undefined;
    this.startCommit();
  }

  /** Writes a new commit point, fenced and compared with the last one this writer wrote. */
  private async writePoint(next: CommitPoint): Promise<void> {
    const { keys, ref, leadership } = this.options;
    let revision: number | null;
    try {
      revision = await leadership.commit(
        [{ type: 'put', key: keys.shardWal(ref), value: JSON.stringify(next) }],
        [{ key: keys.shardWal(ref), target: 'modRevision', op: '=', value: this.pointRevision }],
      );
    } catch (error) {
      // Fenced (40001) or unknown outcome (40003): this writer's view of the log is no longer trustworthy.
      this.fail(error);
      throw error;
    }
    if (revision === null) {
      const error = new SqlError(
        SqlState.SerializationFailure,
        `the WAL commit point of shard ${ref.shard} of table ${ref.table} was changed by another writer`,
      );
      this.fail(error);
      throw error;
    }
    this.point = next;
    this.pointRevision = revision;
  }

  private withMetaLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.metaLock.then(fn, fn);
    this.metaLock = run.catch(() => undefined);
    return run;
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.tail.end(this.failure);
    for (const p of this.pending.splice(0)) p.reject(this.failure);
    // Rejects the stored batches now, or, while a commit is in flight, once it ends (it may have won the fence).
    this.startCommit();
  }

  private lostError(reason: string): SqlError {
    const { leadership } = this.options;
    return leadershipLostError(leadership.keys.what, leadership.epoch, reason);
  }
}
