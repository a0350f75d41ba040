/**
 * WAL-tail streaming (DESIGN §5 "replicas"): the write leader keeps its most recently
 * committed WAL records in memory and streams them to the standbys' replicas over TailWal,
 * so a replica applies a commit as soon as the leader has committed it instead of after an
 * etcd watch event and a GET of the batch from object storage (50–140 ms through s3rver).
 *
 * Only committed records enter the tail: the object WAL pushes a batch after its commit
 * point was advanced in etcd (object-wal.ts `tail`), so what a replica applies from
 * the stream is exactly what it would have read from object storage. The tail is bounded:
 * a replica that asks for records older than what it holds is told so (58P01) and reads
 * them from object storage, then asks again from where it got to.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { WalRecord } from '../storage/wal/wal.ts';
import type { TailRequest, WalBatch } from './rpc/messages.ts';
import type { NodePeer } from './rpc/node-peer.ts';
import type { CallContext } from './rpc/node-server.ts';

/** How many bytes of recent records the leader keeps for its replicas. */
const DEFAULT_KEPT_BYTES = 32 << 20;
/** A stream message carries at most this many payload bytes (gRPC's limit is far above). */
const MESSAGE_BYTES = 4 << 20;

export class WalTail {
  private records: WalRecord[] = [];
  /** Index of the first record still kept (records before it are dropped lazily). */
  private first = 0;
  private keptBytes = 0;
  private waiters: (() => void)[] = [];
  private ended: unknown = null;

  /** `nextLsn`: the LSN the leader's next commit starts at (the tail holds nothing before it). */
  constructor(
    private nextLsn: number,
    private readonly maxBytes = DEFAULT_KEPT_BYTES,
  ) {}

  /** The first LSN a replica can ask for. */
  get oldestLsn(): number {
    return this.first < this.records.length ? this.records[this.first].lsn : this.nextLsn;
  }

  /** A batch of records just committed, LSNs from `firstLsn` on. */
  push(firstLsn: number, payloads: readonly Uint8Array[]): void {
    if (this.ended !== null) return;
    if (firstLsn !== this.nextLsn) {
      // Not expected (the object WAL commits in order); a gap would make replicas apply out of order.
      this.records = [];
      this.first = 0;
      this.keptBytes = 0;
    }
    payloads.forEach((payload, i) => {
      this.records.push({ lsn: firstLsn + i, payload });
      this.keptBytes += payload.length;
    });
    this.nextLsn = firstLsn + payloads.length;
    while (this.keptBytes > this.maxBytes && this.first < this.records.length - 1) {
      this.keptBytes -= this.records[this.first].payload.length;
      this.first++;
    }
    if (this.first > 1024 && this.first * 2 > this.records.length) {
      this.records = this.records.slice(this.first);
      this.first = 0;
    }
    this.wake();
  }

  /** The leader stopped committing (lost the leadership, closed): streams end with `reason`. */
  end(reason: unknown): void {
    this.ended ??= reason;
    this.wake();
  }

  /**
   * Streams committed records from `request.fromPosition` on, now and as they commit, until
   * the caller cancels or the tail ends. The TailWal handler of the node that leads.
   */
  async *serve(request: TailRequest, ctx: CallContext): AsyncGenerator<WalBatch> {
    let next = Number(request.fromPosition);
    // The first message, even without records, tells the replica the stream is open there.
    let opened = false;
    for (;;) {
      ctx.signal.throwIfAborted();
      if (this.ended !== null) throw this.ended;
      if (next < this.oldestLsn)
        throw new SqlError(
          SqlState.UndefinedFile,
          `requested WAL position ${next} is no longer held by the leader (it holds ${this.oldestLsn} on)`,
        );
      const batch = this.since(next);
      if (batch.length > 0 || !opened) {
        opened = true;
        if (batch.length > 0) next = batch[batch.length - 1].lsn + 1;
        yield {
          records: batch.map((r) => ({ position: BigInt(r.lsn), data: r.payload })),
          durablePosition: BigInt(Math.max(0, this.nextLsn - 1)),
        };
        continue;
      }
      await this.nextCommit(ctx.signal);
    }
  }

  /** Kept records from `lsn` on, at most MESSAGE_BYTES of them (at least one). */
  private since(lsn: number): WalRecord[] {
    const start = this.first + (lsn - this.oldestLsn);
    const out: WalRecord[] = [];
    let bytes = 0;
    for (let i = Math.max(start, this.first); i < this.records.length; i++) {
      const record = this.records[i];
      if (out.length > 0 && bytes + record.payload.length > MESSAGE_BYTES) break;
      out.push(record);
      bytes += record.payload.length;
    }
    return out;
  }

  private nextCommit(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      this.waiters.push(done);
    });
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/** The database's one write shard as TailWal and CommitPosition name it, until tables get shards of their own. */
export const DATABASE_WAL = { tableId: 0n, shardId: 0 } as const;

/** 42704 unless `request` names the database's WAL. */
export function checkDatabaseWal(request: { readonly tableId: bigint; readonly shardId: number }): void {
  if (request.tableId !== DATABASE_WAL.tableId || request.shardId !== DATABASE_WAL.shardId)
    throw new SqlError(SqlState.UndefinedObject, `no WAL shard ${request.tableId}/${request.shardId}`);
}

/** What a replica asks the write leader for. */
export interface LeaderWalSource {
  /** Batches of committed records from `fromLsn` on, now and as the leader commits them. */
  tail(fromLsn: number, signal: AbortSignal): AsyncIterable<readonly WalRecord[]>;
  /** The first LSN not committed yet, as the leader confirms it under its lease (rejects when it cannot). */
  committed(signal: AbortSignal): Promise<number>;
}

/** Asks the node `leader()` names at each call (none: the call fails, and the replica tries again later). */
export function leaderWalSource(leader: () => NodePeer | null): LeaderWalSource {
  const peer = () => {
    const found = leader();
    if (!found) throw new SqlError(SqlState.CannotConnectNow, 'no write leader to ask for the WAL');
    return found;
  };
  return {
    async *tail(fromLsn, signal) {
      const request = { ...DATABASE_WAL, fromPosition: BigInt(fromLsn) };
      for await (const batch of peer().tailWal(request, { signal }))
        yield batch.records.map((r) => ({ lsn: Number(r.position), payload: r.data }));
    },
    async committed(signal) {
      return Number((await peer().commitPosition(DATABASE_WAL, { signal })).nextPosition);
    },
  };
}
