/**
 * A read replica of the write leader's engine, kept by a standby (DESIGN §3 "consistency
 * levels", §5 "replicas"). It recovers the database as a new leader would — the catalog and
 * checkpoint manifests from etcd, segments and index files from object storage, the WAL after
 * the checkpoint — and then follows the WAL's commit point, applying each committed record
 * as one transaction (its rows become visible together, added to the table's indexes).
 *
 * A "copy" is one catalog with its tables. A DDL commit gives the next copy in place: the
 * catalog is loaded from the stored image and keeps the previous copy's rows and indexes
 * (copy-after-ddl.ts; it waits until the leader has stored that catalog), and it replaces the
 * old one (`onCopy`): sessions move to it (EngineSession.moveTo). A TRUNCATE empties the
 * table in place and rebuilds its indexes. One thing cannot be followed: a checkpoint that
 * cut the log past where the copy stands. Then the copy stops where it is, and a new copy is
 * recovered from the current state and replaces it.
 *
 * Recovery reads the engine's keys (catalog, checkpoint state and manifests) as one snapshot
 * (meta-snapshot.ts), so a checkpoint the leader writes meanwhile does not make the copy
 * inconsistent: the copy is that checkpoint's predecessor plus the WAL after it. What can
 * still go wrong fails the recovery, which is tried again shortly after: an object or WAL
 * batch deleted by a later checkpoint is missing, and a DDL commit whose catalog is newer
 * than the snapshot's is skipped (such a copy is not kept).
 *
 * Records arrive two ways. The leader streams each commit as it makes it (TailWal,
 * wal-tail.ts; `leader`), and the copy applies it at once; and the commit point's etcd watch
 * says how far the log is committed. What the stream has not delivered within
 * STREAM_GRACE_MS of the watch saying it is committed — or all of it while no stream is open
 * (no leader, a new one that does not hold the records asked for) — is read from the batches
 * in object storage. Both give the same records, so the copy does not care which it used.
 *
 * Freshness (`awaitFreshness`): strong asks the write leader how far its WAL is committed —
 * the leader answers only while its lease surely holds, so no later leader can have
 * committed more (a leader lease read) — or, when it cannot say or is not reached within
 * LEADER_READ_TIMEOUT_MS, reads the commit point from etcd (linearizable), and waits until
 * the copy has applied that far; bounded does the same with a commit point read at
 * most `stalenessMs` ago; session and eventual read what the copy has (a connection to a
 * replica writes nothing, so its own writes cannot be missing, and a copy only moves forward).
 */

import type { Catalog } from '../catalog/catalog.ts';
import type { Sequence, Table } from '../catalog/catalog-types.ts';
import { CATALOG_PREFIX } from '../engine/catalog-image.ts';
import { loadSegment, readManifests, type SegmentOpener } from '../engine/checkpoint.ts';
import { quietBuild, rebuildIndex } from '../engine/ddl-index.ts';
import type { OpsLog } from '../engine/ops-log.ts';
import { DEFAULT_MEMORY_BUDGET_BYTES, segmentOpener } from '../engine/persistence.ts';
import {
  advanceSequence,
  applyChanges,
  CATALOG_LSN_KEY,
  type Recovered,
  recover,
  YIELD_EVERY_ROWS,
  yieldToEventLoop,
} from '../engine/recovery.ts';
import type { DurableStorage, ReplicaReads } from '../engine/session.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { addToIndex } from '../exec/table-writer.ts';
import type { MetaStore, Watcher } from '../meta/meta-store.ts';
import { type CommitRecord, decodeCommitRecord } from '../storage/commit-record.ts';
import type { ObjectStore } from '../storage/object-store/object-store.ts';
import { SegmentCache } from '../storage/segment-cache.ts';
import type { Wal, WalRecord } from '../storage/wal/wal.ts';
import { copyAfterDdl } from './copy-after-ddl.ts';
import { FencedMetaStore } from './fenced-meta-store.ts';
import type { ClusterKeys, ShardRef } from './keys.ts';
import { MetaSnapshot } from './meta-snapshot.ts';
import type { ObjectWal } from './object-wal.ts';
import {
  type CommitPoint,
  checkNotTruncated,
  readCommitPoint,
  replayCommitted,
} from './object-wal-reader.ts';
import { sealFromCheckpoint } from './seal-from-checkpoint.ts';
import type { LeaderWalSource } from './wal-tail.ts';

export interface EngineReplicaOptions {
  /** The cluster's store. */
  readonly meta: MetaStore;
  readonly keys: ClusterKeys;
  /** The shard whose WAL holds every table's commits. */
  readonly ref: ShardRef;
  /** Where the WAL's batches are, and the engine's segments and index files. */
  readonly walObjects: ObjectStore;
  readonly engineObjects: ObjectStore;
  readonly superuser: string;
  readonly serverVersion: string;
  /**
   * Whether `engineObjects`' local files are this node's own (a disk cache, which no other
   * node deletes from): then a copy reads its sealed rows from them, keeping at most
   * `memoryBudgetBytes` loaded. Otherwise (say, a directory the leader also writes, whose
   * checkpoints delete segments the copy still reads) rows stay in memory.
   */
  readonly ownFiles?: boolean;
  readonly memoryBudgetBytes?: number;
  /**
   * The write leader's stream of commits and its confirmed commit position (absent: every
   * record is read from object storage, and strong reads read the commit point from etcd).
   */
  readonly leader?: LeaderWalSource;
  readonly log: OpsLog;
  /**
   * A new copy is ready: new read sessions use its catalog, open ones move to it; it was
   * recovered from `indexFiles` (object keys). (While a new copy is recovered, `catalog` is
   * null: take no new sessions meanwhile.)
   */
  readonly onCopy: (catalog: Catalog, indexFiles: ReadonlySet<string>) => void;
}

/** What the metrics report of a replica (quiver_replica_*). */
export interface ReplicaStats {
  /** Committed WAL records the replica has not applied yet (as far as its watch knows). */
  readonly lagRecords: number;
  /** Whether its copy follows the WAL now (false while a new copy is recovered). */
  readonly following: boolean;
  /** Copies recovered since the node started (one more after each DDL on the leader). */
  readonly copies: number;
  /** Whether the leader's stream of commits is open now. */
  readonly streaming: boolean;
  /** Records applied from that stream (the rest were read from object storage). */
  readonly streamedRecords: number;
  /** Commit positions strong and bounded reads waited for: confirmed by the leader, or read from etcd. */
  readonly pointReads: { readonly leader: number; readonly store: number };
}

/** How long a strong or bounded read waits for the copy to catch up before it fails. */
const CATCH_UP_WAIT_MS = 10_000;

/**
 * How long a replica waits for the leader to store the catalog of a DDL commit it has read
 * before it recovers a new copy instead (a leader that died between the two never will).
 */
const CATALOG_WAIT_MS = 5_000;

/**
 * How long the follower waits for the stream to deliver records the commit point's watch
 * says are committed before it reads them from object storage (the two arrive about
 * together; a batch from object storage costs a GET).
 */
const STREAM_GRACE_MS = 250;
/** Streamed records waiting to be applied, at most (then the stream pauses). */
const MAX_STREAMED_BYTES = 64 << 20;
/** The first and the longest pause before the stream is opened again. */
const STREAM_RETRY_MS = 100;
const STREAM_RETRY_MAX_MS = 2_000;

/**
 * How long a strong read waits for the leader to confirm its commit position before it
 * reads the commit point from etcd instead, and how long it then leaves the leader alone.
 */
const LEADER_READ_TIMEOUT_MS = 250;
const LEADER_READ_BACKOFF_MS = 1_000;

/** Why a copy must be replaced rather than followed further. */
class StartOver extends Error {}

/** What following ends with when the replica closes (the copy is still good). */
const CLOSING = 'closing';

interface Copy {
  readonly catalog: Catalog;
  readonly tables: ReadonlyMap<number, Table>;
  readonly sequences: ReadonlyMap<number, Sequence>;
  /** The stored catalog the copy was recovered from (MetaStore key → value). */
  readonly catalogEntries: ReadonlyMap<string, string>;
  /** The cache its sealed rows are read through, and how it opens segments (null: rows are in memory). */
  readonly segments: SegmentCache;
  readonly openSegmentHandle: SegmentOpener;
  /** LSN of the first record the copy has not applied. */
  readonly nextLsn: number;
  /** Object key of the file each vector index was loaded from, by index OID. */
  readonly indexFiles: ReadonlyMap<number, string>;
  /** LSN of each table's last TRUNCATE since the copy's checkpoint (Recovered.truncatedAt); grows as it follows. */
  readonly truncatedAt: Map<number, number>;
}

export class EngineReplica implements ReplicaReads {
  private copy: Copy | null = null;
  private following = false;
  /** LSN of the first WAL record the current copy has not applied. */
  private applied = 0;
  private waiters: { lsn: number; wake: () => void }[] = [];
  private recentPoint: { nextLsn: number; readAt: number } | null = null;
  private pointRead: Promise<{ nextLsn: number; readAt: number }> | null = null;
  private nextPointRead: Promise<{ nextLsn: number; readAt: number }> | null = null;
  /** Strong reads skip the leader until then (Date.now()): it did not answer the last one. */
  private leaderReadsFrom = 0;
  /** Commit positions the leader confirmed, and those read from etcd instead. */
  private pointReads = { leader: 0, store: 0 };
  /** Where the last one came from (logged when it changes). */
  private pointSource: 'leader' | 'store' | null = null;
  /** The commit point as the watch last saw it, and who waits for it or the stream. */
  private latest: CommitPoint | null = null;
  /** Since when the copy is behind that point with nothing streamed to apply. */
  private behindSince: number | null = null;
  private onPoint: (() => void) | null = null;
  private watch: Watcher | null = null;
  private closed = false;
  private closing: Promise<void> | null = null;
  private copies = 0;
  /** The replay-from position of the last leader checkpoint the copy followed (sealed rows from). */
  private checkpointFollowed = 0;
  /** Vector indexes of the current copy still loading in the background (copy-after-ddl.ts). */
  private indexLoads: Promise<unknown> = Promise.resolve();
  private readonly running: Promise<void>;
  /** Records from the leader's stream not applied yet, consecutive LSNs. */
  private streamed: WalRecord[] = [];
  private streamedBytes = 0;
  /** The LSN after the last streamed record handed to the follower (it may still be applying it). */
  private takenEnd = 0;
  private streamedRecords = 0;
  private streaming = false;
  private readonly pumping: Promise<void>;
  /** Ends the stream's pause (close). */
  private stopPause = new AbortController();

  /** The write leader engine's keys (its catalog, checkpoint state and manifests), read only. */
  private readonly engineKeys: MetaStore;

  private constructor(private readonly options: EngineReplicaOptions) {
    this.engineKeys = new FencedMetaStore(options.meta, options.keys.engine, null);
    this.running = this.run();
    this.pumping = options.leader ? this.pump(options.leader) : Promise.resolve();
  }

  /** Starts recovering and following in the background. */
  static start(options: EngineReplicaOptions): EngineReplica {
    return new EngineReplica(options);
  }

  /** The current copy's catalog while it follows the WAL; null before the first copy and while it is replaced. */
  get catalog(): Catalog | null {
    return this.following ? (this.copy?.catalog ?? null) : null;
  }

  /** LSN of the first WAL record not applied yet. */
  get appliedLsn(): number {
    return this.applied;
  }

  /** For the metrics: how far behind the commit point it is, whether it follows, how many copies. */
  stats(): ReplicaStats {
    return {
      lagRecords: Math.max(0, (this.latest?.nextLsn ?? 0) - this.applied),
      following: this.following,
      copies: this.copies,
      streaming: this.streaming,
      streamedRecords: this.streamedRecords,
      pointReads: { ...this.pointReads },
    };
  }

  /** The leader's confirmed commit position, else the commit point in etcd. */
  private async readNextLsn(): Promise<number> {
    const { leader, meta, keys, ref } = this.options;
    let why = leader ? 'the leader did not answer within the last second' : 'no leader to ask';
    if (leader && Date.now() >= this.leaderReadsFrom) {
      try {
        const nextLsn = await leader.committed(AbortSignal.timeout(LEADER_READ_TIMEOUT_MS));
        this.pointReads.leader++;
        this.notePointSource('leader', 'the leader confirms its commit position');
        return nextLsn;
      } catch (error) {
        // No leader, a new one, one whose lease is in doubt, or a slow one: etcd decides.
        this.leaderReadsFrom = Date.now() + LEADER_READ_BACKOFF_MS;
        why = String(error);
      }
    }
    const { point } = await readCommitPoint(meta, keys, ref);
    this.pointReads.store++;
    this.notePointSource('store', why);
    return point.nextLsn;
  }

  private notePointSource(source: 'leader' | 'store', why: string): void {
    if (this.pointSource === source) return;
    this.pointSource = source;
    const msg =
      source === 'leader'
        ? 'strong reads wait for the commit position the leader confirms'
        : 'strong reads wait for the commit point read from etcd';
    this.options.log.info({ why }, msg);
  }

  async caughtUp(): Promise<boolean> {
    const target = await this.readCommitted();
    return this.applied >= target.nextLsn;
  }

  async awaitFreshness(consistency: string, stalenessMs: number): Promise<void> {
    if (consistency !== 'strong' && consistency !== 'bounded') return;
    const maxAge = consistency === 'strong' ? 0 : stalenessMs;
    let target = this.recentPoint;
    if (!target || maxAge === 0 || Date.now() - target.readAt > maxAge) target = await this.readCommitted();
    await this.awaitApplied(target.nextLsn, `quiver.consistency = ${consistency}`);
  }

  /**
   * Resolves once the copy has applied the WAL up to `lsn` (40001 after CATCH_UP_WAIT_MS);
   * `why` says in the error who asked.
   */
  async awaitApplied(lsn: number, why = 'a search of its index shards'): Promise<void> {
    if (this.applied >= lsn) return;
    let wake = () => {};
    const caughtUp = new Promise<void>((resolve) => {
      wake = resolve;
    });
    const waiter = { lsn, wake };
    this.waiters.push(waiter);
    const timer = setTimeout(wake, CATCH_UP_WAIT_MS);
    try {
      await caughtUp;
    } finally {
      clearTimeout(timer);
      this.waiters = this.waiters.filter((w) => w !== waiter);
    }
    if (this.applied < lsn) {
      throw new SqlError(
        SqlState.SerializationFailure,
        "this replica has not caught up with the leader's commits",
        {
          detail: `It has applied the WAL up to ${this.applied} of ${lsn} after ${CATCH_UP_WAIT_MS / 1000} s (${why}).`,
          hint: 'Retry, or read on the leader: connect without quiver.consistency or default_transaction_read_only.',
        },
      );
    }
  }

  /**
   * The commit position confirmed by the leader, or read from etcd, in a call that started
   * after this one did (every commit acknowledged before is below it). Concurrent
   * callers share reads (as Raft's read index batches them): one read is in flight at a
   * time, and whoever arrives meanwhile waits for the next one, which starts after them.
   */
  private readCommitted(): Promise<{ nextLsn: number; readAt: number }> {
    if (this.pointRead) {
      this.nextPointRead ??= this.pointRead
        .catch(() => undefined)
        .then(() => {
          this.nextPointRead = null;
          return this.readCommitted();
        });
      return this.nextPointRead;
    }
    const readAt = Date.now();
    this.pointRead = this.readNextLsn()
      .then((nextLsn) => {
        const read = { nextLsn, readAt };
        if (!this.recentPoint || read.nextLsn >= this.recentPoint.nextLsn) this.recentPoint = read;
        return read;
      })
      .finally(() => {
        this.pointRead = null;
      });
    return this.pointRead;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      this.wakeFollower();
      this.stopPause.abort();
      await this.pumping;
      await this.running;
      await this.watch?.close();
      for (const w of this.waiters.splice(0)) w.wake();
    })();
    return this.closing;
  }

  /**
   * Closes the replica and hands its copy to this node's new write leader, which then needs
   * no recovery from storage ("warm" promotion): `wal` is the leader's WAL, opened after it
   * won the leadership, so its commit point is final — no earlier leader can commit more.
   * The records the copy has not applied yet are applied here. Returns the database as
   * Persistence.open takes it, with the checkpoint manifests as the MetaStore holds them now;
   * or null when the copy cannot be continued (none follows the log now, or the log holds a
   * DDL commit, a TRUNCATE or a cut past the copy): then the leader recovers from storage.
   */
  async handOver(wal: ObjectWal): Promise<Recovered | null> {
    if (!this.following) {
      // A new copy is being recovered (after DDL, say): the leader recovers its own now
      // rather than wait for this one, which ends in the background.
      void this.close();
      return null;
    }
    await this.close();
    // The leader's indexes must be complete: one still loading finishes first.
    await this.indexLoads;
    const copy = this.copy;
    this.copy = null;
    if (!copy) return null;
    const started = performance.now();
    const from = this.applied;
    let walRecords = 0;
    let walRowsReplayed = 0;
    try {
      checkNotTruncated(wal.commitPoint, from);
      for await (const record of wal.replay(from)) {
        const commit = decodeCommitRecord(record.payload);
        // The catalog of a DDL commit in the tail may never have been stored (the leader
        // died between the two): recovery from storage decides what it was.
        if (commit.catalogChanged) throw new StartOver(`a DDL commit at ${record.lsn}`);
        walRowsReplayed += await this.apply(copy, commit, record.lsn);
        this.applied = record.lsn + 1;
        walRecords++;
      }
    } catch (error) {
      this.options.log.info({ reason: String(error), lsn: this.applied }, 'the replica cannot be taken over');
      return null;
    }
    // One read of the engine's keys: the catalog to compare, the checkpoint to continue from.
    const engine = await MetaSnapshot.read(this.engineKeys);
    const catalogEntries = new Map((await engine.range(CATALOG_PREFIX)).map((kv) => [kv.key, kv.value]));
    if (!sameEntries(catalogEntries, copy.catalogEntries)) {
      this.options.log.info(
        { lsn: this.applied },
        'the stored catalog changed: the replica cannot be taken over',
      );
      return null;
    }
    // A checkpoint of the old leader since the copy was recovered is the one to continue from.
    const { state, manifests } = await readManifests(copy.tables, engine);
    // A table truncated at or after that checkpoint no longer holds the rows its manifest
    // names: a generation no store has makes the leader write it anew.
    for (const [oid, lsn] of copy.truncatedAt) {
      const manifest = manifests.get(oid);
      if (manifest && lsn >= (state?.lsn ?? 0)) manifests.set(oid, { ...manifest, generation: -1 });
    }
    for (const s of state?.sequences ?? []) {
      const seq = copy.sequences.get(s.oid);
      if (seq) advanceSequence(seq, s);
    }
    copy.catalog.advancedSequences.clear();
    return {
      catalog: copy.catalog,
      fresh: false,
      catalogEntries,
      catalogLsn: Number(catalogEntries.get(CATALOG_LSN_KEY) ?? '-1'),
      manifests,
      tables: copy.tables,
      sequences: copy.sequences,
      checkpointLsn: state?.lsn ?? 0,
      truncatedAt: copy.truncatedAt,
      stats: {
        segmentRows: 0,
        walRecords,
        walRowsReplayed,
        skippedRecords: 0,
        indexesLoaded: 0,
        indexesRebuilt: 0,
        damagedTables: [...copy.tables.values()].filter((t) => t.store.damaged).map((t) => t.name),
        millis: performance.now() - started,
        fromReplica: true,
      },
      segments: copy.segments,
    };
  }

  private async run(): Promise<void> {
    const { meta, keys, ref } = this.options;
    // One watch for the replica's life (copies come and go); the point is read after it
    // starts, so no advance is missed.
    const shardWal = keys.shardWal(ref);
    const revision = await meta.revision();
    this.watch = await meta.watch(shardWal, revision, (events) => {
      for (const e of events)
        if (e.type === 'put' && e.key === shardWal) this.noteLatest(JSON.parse(e.value) as CommitPoint);
      this.wakeFollower();
    });
    this.noteLatest((await readCommitPoint(meta, keys, ref)).point);
    let delay = 50;
    while (!this.closed) {
      try {
        const copy = await this.recoverCopy();
        if (copy) {
          // Kept even when closing: a standby taking over the writes continues from it.
          this.copy = copy;
          this.applied = copy.nextLsn;
        }
        if (copy && !this.closed) {
          delay = 50;
          this.following = true;
          this.copies++;
          this.options.onCopy(copy.catalog, new Set(copy.indexFiles.values()));
          // Reads that waited for commits the old copy could not apply may go on, on this one.
          this.wakeWaiters();
          const reason = await this.follow(copy);
          this.following = false;
          if (reason !== CLOSING) {
            // The copy cannot go on: nobody may take it over.
            this.copy = null;
            this.options.log.info({ reason: String(reason), lsn: this.applied }, 'replica starts over');
          }
        }
      } catch (error) {
        this.following = false;
        if (!this.closed) this.options.log.warn({ err: error }, 'replica recovery failed; retrying');
      }
      if (this.closed) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 1000);
    }
  }

  /** Recovers a copy; null when what was read may not be one consistent state (read again). */
  private async recoverCopy(): Promise<Copy | null> {
    const { meta, keys, ref } = this.options;
    const wal = new CommittedWal(meta, this.options.walObjects, keys, ref);
    // Each copy has its own cache: the one it replaces may still serve sessions meanwhile.
    const segments = new SegmentCache(this.options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES);
    const openSegmentHandle = this.options.ownFiles
      ? segmentOpener(this.options.engineObjects, segments)
      : null;
    const snapshot = await MetaSnapshot.read(this.engineKeys);
    const recovered = await recover({
      meta: snapshot,
      wal,
      objects: this.options.engineObjects,
      superuser: this.options.superuser,
      serverVersion: this.options.serverVersion,
      openSegmentHandle,
    });
    // No leader has stored a catalog yet; or a DDL commit's catalog is not in the snapshot.
    if (recovered.fresh || recovered.stats.skippedRecords > 0) return null;
    // A table whose files could not be read is damaged — or its files were compacted away
    // by a checkpoint since the snapshot: then read again.
    if (recovered.stats.damagedTables.length > 0) {
      const read = await snapshot.revision();
      if ((await this.engineKeys.range('')).some((kv) => kv.modRevision > read)) return null;
    }
    const { catalog, tables, sequences, catalogEntries, stats, manifests } = recovered;
    this.options.log.info(
      {
        lsn: wal.replayedTo,
        segmentRows: stats.segmentRows,
        walRecords: stats.walRecords,
        indexesLoaded: stats.indexesLoaded,
        indexesRebuilt: stats.indexesRebuilt,
        ms: Math.round(stats.millis),
      },
      'replica copy recovered',
    );
    return {
      catalog,
      tables,
      sequences,
      catalogEntries,
      segments,
      openSegmentHandle,
      nextLsn: wal.replayedTo,
      truncatedAt: new Map(recovered.truncatedAt),
      indexFiles: new Map(
        [...manifests.values()].flatMap((m) =>
          Object.entries(m.indexes).map(([oid, f]) => [Number(oid), f.key]),
        ),
      ),
    };
  }

  /**
   * Applies committed records until the copy must be recovered anew; resolves with why. A
   * DDL commit makes the next copy in place (`this.copy` changes).
   */
  private async follow(copy: Copy): Promise<unknown> {
    const { meta, keys, ref, walObjects } = this.options;
    let current = copy;
    while (!this.closed) {
      // Nothing is awaited between reading `latest` or the stream and waiting: no advance slips through.
      const point = this.latest;
      const streamed = this.takeStreamed();
      const behind = point !== null && point.nextLsn > this.applied;
      const checkpointed =
        point !== null &&
        current.openSegmentHandle !== null &&
        point.replayFrom.lsn > this.checkpointFollowed;
      if (streamed.length > 0 || !behind) this.behindSince = null;
      else this.behindSince ??= Date.now();
      const grace = behind ? this.streamGrace() : 0;
      if (streamed.length > 0 || (behind && grace === 0) || (!behind && checkpointed)) {
        try {
          for (const record of streamed) {
            current = await this.applyRecord(current, record);
            this.streamedRecords++;
          }
          if (streamed.length === 0 && behind) {
            // A checkpoint cut the log past this copy: only a new copy can continue.
            checkNotTruncated(point, this.applied);
            for await (const record of replayCommitted(meta, walObjects, keys, ref, this.applied, point))
              current = await this.applyRecord(current, record);
            this.applied = Math.max(this.applied, point.nextLsn);
          }
          if (streamed.length === 0 && !behind && checkpointed)
            await this.followCheckpoint(current, point.replayFrom.lsn);
        } catch (error) {
          return error;
        } finally {
          this.wakeWaiters();
        }
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = grace > 0 ? setTimeout(resolve, grace) : undefined;
        this.onPoint = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return CLOSING;
  }

  /** Applies the committed record at `this.applied`; returns the copy that follows on (a new one after DDL). */
  private async applyRecord(current: Copy, record: WalRecord): Promise<Copy> {
    const commit = decodeCommitRecord(record.payload);
    const next = commit.catalogChanged ? await this.copyAfterDdl(current, record.lsn) : current;
    await this.apply(next, commit, record.lsn);
    this.applied = record.lsn + 1;
    if (next !== current) {
      // Published with the DDL commit's own rows (CREATE TABLE AS) in it.
      this.copy = next;
      this.copies++;
      this.options.onCopy(next.catalog, new Set(next.indexFiles.values()));
    }
    return next;
  }

  /**
   * How much longer the follower should wait for the stream to bring what the commit point
   * says is committed (0: read it from object storage now).
   */
  private streamGrace(): number {
    if (!this.streaming || this.streamed.length > 0 || this.behindSince === null) return 0;
    return Math.max(0, this.behindSince + STREAM_GRACE_MS - Date.now());
  }

  /** The streamed records from `this.applied` on (none when the stream has a gap there). */
  private takeStreamed(): WalRecord[] {
    let skip = 0;
    while (skip < this.streamed.length && this.streamed[skip].lsn < this.applied) skip++;
    const dropped = this.streamed.splice(0, skip);
    for (const record of dropped) this.streamedBytes -= record.payload.length;
    if (this.streamed.length === 0 || this.streamed[0].lsn !== this.applied) return [];
    const taken = this.streamed.splice(0);
    this.streamedBytes = 0;
    this.takenEnd = taken[taken.length - 1].lsn + 1;
    return taken;
  }

  /** The LSN the stream should deliver next (records being applied now are not wanted again). */
  private streamNext(): number {
    const last = this.streamed.at(-1);
    return last ? last.lsn + 1 : Math.max(this.applied, this.takenEnd);
  }

  /**
   * Keeps the leader's stream open while a copy follows the log, opening it again (after a
   * pause) when it ends: the leader died or resigned, or it no longer holds the records
   * asked for (then the follower reads them from object storage meanwhile).
   */
  private async pump(source: LeaderWalSource): Promise<void> {
    let pause = STREAM_RETRY_MS;
    while (!this.closed) {
      // While a copy is recovered, or the follower has plenty to apply, the stream waits.
      if (this.following && this.streamedBytes < MAX_STREAMED_BYTES / 2) {
        if (await this.stream(source)) pause = STREAM_RETRY_MS;
        else pause = Math.min(pause * 2, STREAM_RETRY_MAX_MS);
      }
      await pauseFor(this.following ? pause : STREAM_RETRY_MS, this.stopPause.signal);
    }
  }

  /** Applies one stream from the leader until it ends; true when it delivered anything (even only its opening). */
  private async stream(source: LeaderWalSource): Promise<boolean> {
    const abort = new AbortController();
    const stop = () => abort.abort();
    this.stopPause.signal.addEventListener('abort', stop, { once: true });
    let opened = false;
    let records = 0;
    try {
      // The leader's first message (maybe empty) says the stream is open at that position.
      for await (const batch of source.tail(this.streamNext(), abort.signal)) {
        if (!opened)
          this.options.log.info({ lsn: this.streamNext() }, 'replica streams the WAL from the leader');
        opened = true;
        this.streaming = true;
        records += batch.length;
        if (!this.buffer(batch)) break;
        this.wakeFollower();
      }
    } catch (error) {
      if (opened && !this.closed)
        this.options.log.info({ reason: String(error), records }, 'the WAL stream from the leader ended');
    } finally {
      this.streaming = false;
      abort.abort();
      this.stopPause.signal.removeEventListener('abort', stop);
      // The follower stops waiting for the stream.
      this.wakeFollower();
    }
    return opened;
  }

  /** Adds streamed records; false when they cannot be kept (a gap, or too many waiting): reopen the stream. */
  private buffer(records: readonly WalRecord[]): boolean {
    for (const record of records) {
      const expected = this.streamNext();
      if (record.lsn < expected) continue;
      if (record.lsn > expected) return false;
      this.streamed.push(record);
      this.streamedBytes += record.payload.length;
    }
    return this.streamedBytes < MAX_STREAMED_BYTES;
  }

  /**
   * The leader checkpointed (its WAL now replays from `replayFrom`): once the copy has
   * applied everything that checkpoint sealed, it attaches the new segments instead of
   * holding their rows in memory (seal-from-checkpoint.ts). A failure costs memory, not
   * correctness: it is logged and the rows stay in memory.
   */
  private async followCheckpoint(copy: Copy, replayFrom: number): Promise<void> {
    try {
      const engine = await MetaSnapshot.read(this.engineKeys);
      const { state, manifests } = await readManifests(copy.tables, engine);
      // A newer checkpoint than the copy has applied comes with a later commit point.
      if (state && state.lsn <= this.applied) {
        const sealed = await sealFromCheckpoint(
          copy.tables,
          manifests,
          state.lsn,
          copy.truncatedAt,
          this.options.engineObjects,
          copy.openSegmentHandle!,
        );
        if (sealed.segments > 0)
          this.options.log.info({ lsn: state.lsn, ...sealed }, 'replica sealed rows from a checkpoint');
      }
    } catch (error) {
      this.options.log.warn({ err: error, lsn: replayFrom }, 'replica could not follow a checkpoint');
    }
    this.checkpointFollowed = replayFrom;
  }

  /** Events and reads may arrive out of order: the latest point only moves forward. */
  private noteLatest(point: CommitPoint): void {
    if (!this.latest || point.nextLsn >= this.latest.nextLsn) this.latest = point;
  }

  private wakeFollower(): void {
    const wake = this.onPoint;
    this.onPoint = null;
    wake?.();
  }

  /**
   * The copy after the DDL commit at `lsn`, made in place (copy-after-ddl.ts) once the leader
   * has stored the catalog that commit wrote (it stores it after the WAL record).
   */
  private async copyAfterDdl(copy: Copy, lsn: number): Promise<Copy> {
    const deadline = Date.now() + CATALOG_WAIT_MS;
    let delay = 5;
    for (;;) {
      const stored = Number((await this.engineKeys.get(CATALOG_LSN_KEY))?.value ?? '-1');
      if (stored >= lsn) break;
      if (Date.now() > deadline || this.closed)
        throw new StartOver(`the catalog of the DDL commit at ${lsn} was not stored`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 200);
    }
    // One read of the engine's keys: the catalog (as of that commit or later) and the manifests.
    const started = performance.now();
    const engine = await MetaSnapshot.read(this.engineKeys);
    const catalogEntries = new Map((await engine.range(CATALOG_PREFIX)).map((kv) => [kv.key, kv.value]));
    const next = await copyAfterDdl(
      copy,
      catalogEntries,
      async (tables) => (await readManifests(tables, engine)).manifests,
      this.options.engineObjects,
      this.options,
    );
    this.options.log.info(
      { lsn, ...next.stats, ms: Math.round(next.stats.millis) },
      'replica applied DDL in place',
    );
    // Only the current copy's loads matter (a new leader takes it over with its indexes).
    this.indexLoads = next.loading;
    if (next.stats.indexesLoaded > 0)
      void next.loading.then((results) => {
        for (const r of results as PromiseSettledResult<void>[])
          if (r.status === 'rejected')
            this.options.log.warn({ err: r.reason, lsn }, 'replica could not load an index file; built it');
        this.options.log.info({ lsn, ms: Math.round(performance.now() - started) }, 'replica indexes ready');
      });
    return {
      ...copy,
      catalog: next.catalog,
      tables: next.tables,
      sequences: next.sequences,
      catalogEntries,
      indexFiles: next.indexFiles,
    };
  }

  /** Applies one commit record as one transaction of the copy; returns how many rows it inserted. */
  private async apply(copy: Copy, commit: CommitRecord, lsn: number): Promise<number> {
    const { catalog, tables } = copy;
    for (const s of commit.sequences) {
      const seq = copy.sequences.get(s.oid);
      if (seq) advanceSequence(seq, s);
    }
    const txn = catalog.txns.begin();
    const objects = this.options.engineObjects;
    let rows = 0;
    for (const change of commit.tables) {
      const table = tables.get(change.tableOid);
      if (!table || table.store.damaged) continue;
      const inserted = await applyChanges(table, change, txn, (t, key, attnums) =>
        loadSegment(t, { key, attnums }, txn, objects, copy.openSegmentHandle),
      );
      rows += inserted.length;
      if (change.ops.some((op) => op.kind === 'truncate')) {
        // Row ids started again: the indexes are built anew over what the table holds now.
        copy.truncatedAt.set(table.oid, lsn);
        for (const index of table.indexes) await rebuildIndex(index, quietBuild(catalog));
        continue;
      }
      // The transaction is not visible until its commit below, so the loop may yield.
      for (let i = 0; i < inserted.length; i++) {
        const row = table.store.row(inserted[i]);
        for (const index of table.indexes) addToIndex(index, row, inserted[i]);
        if (i % YIELD_EVERY_ROWS === YIELD_EVERY_ROWS - 1) await yieldToEventLoop();
      }
    }
    catalog.txns.commit(txn);
    return rows;
  }

  private wakeWaiters(): void {
    for (const w of this.waiters) if (this.applied >= w.lsn) w.wake();
  }
}

/** Resolves after `ms`, or at once when `signal` fires. */
function pauseFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    if (signal.aborted) done();
  });
}

function sameEntries(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}

/** The committed WAL as recovery reads it (read only); remembers where its replay ended. */
class CommittedWal implements Wal {
  replayedTo = 0;

  constructor(
    private readonly meta: MetaStore,
    private readonly objects: ObjectStore,
    private readonly keys: ClusterKeys,
    private readonly ref: ShardRef,
  ) {}

  get nextLsn(): number {
    return this.replayedTo;
  }

  async *replay(fromLsn: number): AsyncIterable<WalRecord> {
    const { point } = await readCommitPoint(this.meta, this.keys, this.ref);
    checkNotTruncated(point, fromLsn);
    this.replayedTo = Math.max(fromLsn, point.nextLsn);
    yield* replayCommitted(this.meta, this.objects, this.keys, this.ref, fromLsn, point);
  }

  append(): Promise<number> {
    return Promise.reject(
      new SqlError(SqlState.ReadOnlySqlTransaction, 'a read replica does not write the WAL'),
    );
  }

  truncateBefore(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {}
}

/**
 * The commit log of a replica's sessions: a transaction that wrote anything (a write the
 * statement check let through, such as nextval() in a SELECT) is refused and rolled back.
 */
export function readOnlyStorage(catalog: Catalog): DurableStorage {
  const refuse = (what: string) =>
    new SqlError(SqlState.ReadOnlySqlTransaction, `cannot execute ${what} in a read-only transaction`);
  return {
    async commit(top, writes) {
      const sequences = catalog.advancedSequences.size > 0;
      catalog.advancedSequences.clear();
      if (writes.length > 0) throw refuse('INSERT');
      if (sequences) throw refuse('nextval()');
      catalog.txns.commit(top);
    },
    spill: () => Promise.reject(refuse('COPY FROM')),
    // PostgreSQL runs CHECKPOINT on a standby too (a restartpoint); a replica has nothing to seal.
    checkpoint: () => Promise.resolve(),
    // A replica builds no index (CREATE INDEX is refused before it runs).
    saveIndexFile: () => Promise.resolve(),
  };
}
