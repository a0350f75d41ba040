/**
 * Reading a shard's object WAL: the commit point in the MetaStore says how far the log is
 * committed; the objects up to it are the log. Used by a new leader to replay after
 * failover and by replicas to tail the log.
 *
 * Which object is committed for a sequence number: sequence numbers continue across
 * leaders, and a leader starts after the commit point it read once it held the epoch — after
 * which no older leader can commit. So for each seq in [keptFrom.seq, commit.seq] the
 * committed batch is the one with the highest epoch not above the commit point's epoch;
 * other objects (batches of deposed leaders whose commit failed) are garbage.
 */
import { SqlError } from '../errors/sql-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import type { MetaStore, Watcher } from '../meta/meta-store.ts';
import type { ObjectStore } from '../storage/object-store/object-store.ts';
import type { WalRecord } from '../storage/wal/wal.ts';
import type { ClusterKeys, ShardRef } from './keys.ts';
import { type BatchRef, batchKey, decodeBatch, parseBatchKey, walPrefix } from './wal-batch.ts';

export interface CommitPoint {
  /** Epoch of the leader that committed the last batch (0 before any). */
  readonly epoch: number;
  /** Last committed batch (−1 before any). */
  readonly seq: number;
  /** LSN the next record will get: one past the last committed record. */
  readonly nextLsn: number;
  /** Where recovery replays from: records below are sealed in segments. */
  readonly replayFrom: { readonly seq: number; readonly lsn: number };
  /**
   * The first batch still kept (≤ replayFrom): the previous replay-from position. Batches
   * are kept one checkpoint longer than recovery needs them, so a replica a little behind a
   * checkpoint can still follow instead of starting over. Absent: replayFrom.
   */
  readonly keptFrom?: { readonly seq: number; readonly lsn: number };
}

/** The first batch and LSN still in the log. */
export function keptFrom(point: CommitPoint): { readonly seq: number; readonly lsn: number } {
  return point.keptFrom ?? point.replayFrom;
}

export const EMPTY_COMMIT_POINT: CommitPoint = {
  epoch: 0,
  seq: -1,
  nextLsn: 0,
  replayFrom: { seq: 0, lsn: 0 },
};

export async function readCommitPoint(
  store: MetaStore,
  keys: ClusterKeys,
  ref: ShardRef,
): Promise<{ point: CommitPoint; modRevision: number }> {
  const kv = await store.get(keys.shardWal(ref));
  return kv
    ? { point: JSON.parse(kv.value) as CommitPoint, modRevision: kv.modRevision }
    : { point: EMPTY_COMMIT_POINT, modRevision: 0 };
}

/** Every batch object of the shard, committed or not, by seq then epoch. */
export async function listBatches(objects: ObjectStore, ref: ShardRef): Promise<BatchRef[]> {
  const batches: BatchRef[] = [];
  for (const info of await objects.list(walPrefix(ref))) {
    const batch = parseBatchKey(ref, info.key);
    if (batch) batches.push(batch);
  }
  return batches.sort((a, b) => a.seq - b.seq || a.epoch - b.epoch);
}

/** The committed batches from `fromSeq` to the commit point, in order; XX001 when one is missing. */
export function committedBatches(
  all: readonly BatchRef[],
  point: CommitPoint,
  ref: ShardRef,
  location: string,
  fromSeq = keptFrom(point).seq,
): BatchRef[] {
  const winners = committedBySeq(all, point, fromSeq);
  const result: BatchRef[] = [];
  for (let seq = Math.max(fromSeq, keptFrom(point).seq); seq <= point.seq; seq++) {
    const batch = winners.get(seq);
    if (!batch) {
      throw new SqlError(
        SqlState.DataCorrupted,
        `WAL of shard ${ref.shard} of table ${ref.table} in ${location} is missing committed batch ${seq}`,
      );
    }
    const prev = result.at(-1);
    if (prev && batch.firstLsn < prev.firstLsn) {
      throw new SqlError(
        SqlState.DataCorrupted,
        `WAL batch ${seq} in ${location} starts before its predecessor`,
      );
    }
    result.push(batch);
  }
  return result;
}

/** The batch objects that are not part of the committed log and that no current writer can still commit. */
export function garbageBatches(
  all: readonly BatchRef[],
  point: CommitPoint,
  currentEpoch: number,
): BatchRef[] {
  const committed = new Set<string>();
  const first = keptFrom(point).seq;
  for (const b of committedBySeq(all, point, first).values()) committed.add(`${b.seq}-${b.epoch}`);
  return all.filter((b) => {
    if (b.seq < first) return true;
    if (b.seq <= point.seq) return !committed.has(`${b.seq}-${b.epoch}`);
    // Past the commit point: a deposed leader's failed batch, unless it is the current leader's in flight.
    return b.epoch < currentEpoch;
  });
}

/** For each seq from `fromSeq` to the commit point, the object with the highest epoch not above the commit's. */
function committedBySeq(
  all: readonly BatchRef[],
  point: CommitPoint,
  fromSeq: number,
): Map<number, BatchRef> {
  const winners = new Map<number, BatchRef>();
  for (const b of all) {
    if (b.seq < fromSeq || b.seq > point.seq || b.epoch > point.epoch) continue;
    const current = winners.get(b.seq);
    if (!current || b.epoch > current.epoch) winners.set(b.seq, b);
  }
  return winners;
}

/** Reads and verifies one batch's records. */
export async function readBatch(objects: ObjectStore, ref: ShardRef, batch: BatchRef): Promise<WalRecord[]> {
  const key = batchKey(ref, batch);
  const decoded = decodeBatch(await objects.get(key), batch, key, objects.location);
  return decoded.payloads.map((payload, i) => ({ lsn: batch.firstLsn + i, payload }));
}

/**
 * Every committed record with lsn ≥ `fromLsn` that the log still keeps (from the kept-from
 * LSN on), in order, up to `point` (read now when not given). Recovery asks from its
 * checkpoint's LSN, which is the replay-from LSN or later.
 */
export async function* replayCommitted(
  store: MetaStore,
  objects: ObjectStore,
  keys: ClusterKeys,
  ref: ShardRef,
  fromLsn: number,
  point?: CommitPoint,
): AsyncGenerator<WalRecord> {
  const commit = point ?? (await readCommitPoint(store, keys, ref)).point;
  const from = Math.max(fromLsn, keptFrom(commit).lsn);
  const batches = committedBatches(await listBatches(objects, ref), commit, ref, objects.location);
  for (let i = 0; i < batches.length; i++) {
    // A batch ends where the next begins: skip whole batches below `from` unread.
    const end = i + 1 < batches.length ? batches[i + 1].firstLsn : commit.nextLsn;
    if (end <= from) continue;
    for (const record of await readBatch(objects, ref, batches[i])) {
      if (record.lsn >= from) yield record;
    }
  }
}

/**
 * Tails the log for a replica: delivers committed records with lsn ≥ `fromLsn` in order, now
 * and whenever the commit point advances. Errors (a damaged batch, records truncated before
 * they were read) go to `onError` and stop it.
 */
export async function followCommitted(
  store: MetaStore,
  objects: ObjectStore,
  keys: ClusterKeys,
  ref: ShardRef,
  fromLsn: number,
  onRecords: (records: WalRecord[]) => void,
  onError: (error: unknown) => void = () => {},
): Promise<Watcher> {
  let next = fromLsn;
  let latest: CommitPoint | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const catchUp = async () => {
    while (latest && latest.nextLsn > next && !stopped) {
      const point = latest;
      checkNotTruncated(point, next);
      const records: WalRecord[] = [];
      for await (const record of replayCommitted(store, objects, keys, ref, next, point))
        records.push(record);
      if (records.length > 0) {
        next = records[records.length - 1].lsn + 1;
        onRecords(records);
      } else {
        next = Math.max(next, point.nextLsn);
      }
    }
  };
  const kick = () => {
    running ??= catchUp()
      .catch((error) => {
        stopped = true;
        onError(error);
      })
      .finally(() => {
        running = undefined;
        if (!stopped && latest && latest.nextLsn > next) kick();
      });
  };
  // Watch from a revision read first, so no advance between the read and the watch is missed.
  const revision = await store.revision();
  latest = (await readCommitPoint(store, keys, ref)).point;
  const watcher = await store.watch(keys.shardWal(ref), revision, (events) => {
    for (const e of events) {
      const point =
        e.type === 'put' && e.key === keys.shardWal(ref) ? (JSON.parse(e.value) as CommitPoint) : null;
      if (point && (!latest || point.nextLsn >= latest.nextLsn)) latest = point;
    }
    kick();
  });
  kick();
  return {
    close: async () => {
      stopped = true;
      await watcher.close();
      await running;
    },
  };
}

/**
 * Throws when a follower standing at `fromLsn` asks for records a checkpoint has cut from the
 * log (replayCommitted would start at the replay-from LSN and skip them): it must start over.
 */
export function checkNotTruncated(point: CommitPoint, fromLsn: number): void {
  const first = keptFrom(point).lsn;
  if (first > fromLsn) throw new WalTruncatedError(fromLsn, first);
}

/** A follower asked for records that a checkpoint has already cut from the log. */
export class WalTruncatedError extends Error {
  constructor(wanted: number, replayFrom: number) {
    super(`the WAL now starts at ${replayFrom}, past ${wanted} where this follower stands`);
    this.name = 'WalTruncatedError';
  }
}
