/**
 * Standalone durability (DESIGN §3): the catalog lives in the MetaStore, row changes go
 * through the WAL, checkpoints move them into segments in the object store, and a restart
 * rebuilds everything (recovery.ts).
 *
 * Commit protocol. A committing transaction's changes are encoded as one WAL record and
 * acknowledged only when the record is durable; it becomes visible to other sessions at
 * the same moment. When the catalog changed since it was last stored, the record is marked
 * and the new catalog is written to the MetaStore, together with that record's LSN, before
 * the commit is acknowledged. On recovery a marked record whose LSN is past the stored
 * catalog's is a commit that never finished: it is skipped, so DDL and the rows written with
 * it appear together or not at all.
 */
import { randomUUID } from 'node:crypto';
import type { Catalog } from '../catalog/catalog.ts';
import type { IndexDef, Table } from '../catalog/catalog-types.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { MetaOp, MetaStore } from '../meta/meta-store.ts';
import {
  type CommitRecord,
  encodeCommitRecord,
  type RecordOp,
  type TableChanges,
} from '../storage/commit-record.ts';
import { hasLocalFiles, type ObjectStore } from '../storage/object-store/object-store.ts';
import { sealedPart, storedAttnum } from '../storage/sealed-rows.ts';
import { openSegment } from '../storage/segment/segment-reader.ts';
import { writeSegment } from '../storage/segment/segment-writer.ts';
import { SegmentCache } from '../storage/segment-cache.ts';
import type { TableStore } from '../storage/table-store.ts';
import type { WriteOp } from '../storage/transactions.ts';
import type { Wal } from '../storage/wal/wal.ts';
import { catalogImage } from './catalog-image.ts';
import {
  primaryKeyPositions,
  referencedKeys,
  type SegmentOpener,
  type TableManifest,
  takeSnapshot,
  type WrittenSegment,
  writeCheckpoint,
  writeIndexFile,
} from './checkpoint.ts';
import { captureIndexFile } from './index-files.ts';
import { type OpsLog, STDERR_LOG } from './ops-log.ts';
import { CATALOG_LSN_KEY, type Recovered, type RecoveryStats, recover } from './recovery.ts';
import type { CommitLog } from './session-transaction.ts';

export interface PersistenceOptions {
  readonly meta: MetaStore;
  readonly wal: Wal;
  readonly objects: ObjectStore;
  readonly superuser: string;
  readonly serverVersion: string;
  /** A checkpoint starts once the WAL has grown this much since the last one. */
  readonly checkpointWalBytes?: number;
  /** Bytes of sealed segments kept loaded (segment-cache.ts). */
  readonly memoryBudgetBytes?: number;
  /** Checkpoints and their failures are reported here. */
  readonly log?: OpsLog;
}

export const DEFAULT_MEMORY_BUDGET_BYTES = 2 * 1024 * 1024 * 1024;

const DEFAULT_CHECKPOINT_WAL_BYTES = 256 * 1024 * 1024;

export class Persistence implements CommitLog {
  /** Catalog version last written to the MetaStore, and what was written. */
  private storedVersion: number;
  private stored: Map<string, string>;
  private catalogLsn: number;
  /** Catalog writes run one at a time, in the order of their WAL records. */
  private catalogWrites: Promise<void> = Promise.resolve();
  /** Commits between WAL append and visibility. */
  private inFlight = 0;
  private drainWaiters: (() => void)[] = [];
  /** Set while a checkpoint takes its snapshot: new commits wait for it. */
  private paused: Promise<void> | null = null;
  private manifests: Map<number, TableManifest>;
  private running: Promise<void> | null = null;
  private manifestsBusy: Promise<void> = Promise.resolve();
  private lastCheckpointLsn: number;
  private readonly checkpointWalBytes: number;
  /** Per open transaction and table (`top/oid`): how much of its write log `spill` has seen. */
  private readonly spilledUpTo = new Map<string, number>();
  private readonly opsLog: OpsLog;
  /** Checkpoints completed since the server started (quiver_checkpoints_total). */
  checkpoints = 0;

  private constructor(
    readonly catalog: Catalog,
    private readonly options: PersistenceOptions,
    recovered: Recovered,
    readonly recovery: RecoveryStats,
    readonly segments: SegmentCache,
    private readonly openSegmentHandle: SegmentOpener,
  ) {
    this.stored = recovered.fresh ? new Map() : recovered.catalogEntries;
    this.storedVersion = catalog.version;
    this.catalogLsn = recovered.catalogLsn;
    this.manifests = recovered.manifests;
    this.lastCheckpointLsn = recovered.checkpointLsn;
    this.checkpointWalBytes = options.checkpointWalBytes ?? DEFAULT_CHECKPOINT_WAL_BYTES;
    this.opsLog = options.log ?? STDERR_LOG;
  }

  /**
   * WAL bytes written since the last checkpoint: what a restart would replay, and how close
   * the next automatic checkpoint is (standalone's "WAL lag").
   */
  get walBytesSinceCheckpoint(): number {
    return this.options.wal.nextLsn - this.lastCheckpointLsn;
  }

  /** LSN the next WAL record gets. */
  get walNextLsn(): number {
    return this.options.wal.nextLsn;
  }

  /** Recovery replays the WAL from here: the last checkpoint's LSN. */
  get checkpointLsn(): number {
    return this.lastCheckpointLsn;
  }

  /**
   * Opens (or creates) the durable state and recovers the catalog and tables from it; or,
   * given `recovered`, takes over a database already in memory that reflects exactly the
   * WAL below the WAL's next LSN (a standby's read replica, EngineReplica.handOver).
   */
  static async open(options: PersistenceOptions, recovered?: Recovered): Promise<Persistence> {
    const segments =
      recovered?.segments ?? new SegmentCache(options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES);
    const openSegmentHandle = segmentOpener(options.objects, segments);
    recovered ??= await recover({ ...options, openSegmentHandle });
    const p = new Persistence(
      recovered.catalog,
      options,
      recovered,
      recovered.stats,
      segments,
      openSegmentHandle,
    );
    if (recovered.fresh) await p.storeCatalog(recovered.catalogLsn);
    // A skipped record (a DDL commit that never finished) lies below the next catalog's LSN
    // once another DDL commits, and a later recovery would then replay it: a checkpoint now
    // moves the replay start past it for good. (Replicas also wait for this.)
    if (recovered.stats.skippedRecords > 0) await p.checkpoint();
    await p.collectGarbage();
    return p;
  }

  async commit(top: number, writes: readonly WriteOp[]): Promise<void> {
    const catalog = this.catalog;
    while (this.paused) await this.paused;
    const catalogChanged = catalog.version !== this.storedVersion;
    if (writes.length === 0 && !catalogChanged && catalog.advancedSequences.size === 0) {
      catalog.txns.commit(top);
      return;
    }
    for (const mark of this.spilledUpTo.keys()) if (mark.startsWith(`${top}/`)) this.spilledUpTo.delete(mark);
    this.inFlight++;
    try {
      await this.log(writes, catalogChanged);
      catalog.txns.commit(top);
    } finally {
      if (--this.inFlight === 0) for (const wake of this.drainWaiters.splice(0)) wake();
    }
    if (this.options.wal.nextLsn - this.lastCheckpointLsn >= this.checkpointWalBytes && !this.running) {
      // No client waits for this one: its failure is only logged (the next commit retries).
      void this.checkpoint().catch((err) => this.opsLog.error({ err }, 'checkpoint failed'));
    }
  }

  private async log(writes: readonly WriteOp[], catalogChanged: boolean): Promise<void> {
    const catalog = this.catalog;
    const record: CommitRecord = {
      catalogChanged,
      sequences: [...catalog.advancedSequences].map((s) => ({ oid: s.oid, next: s.next, called: s.called })),
      tables: tableChanges(writes),
    };
    catalog.advancedSequences.clear();
    let lsn: number;
    try {
      lsn = await this.options.wal.append(encodeCommitRecord(record));
    } catch (err) {
      // A cluster WAL's own errors (a deposed leader's 40001, 40003 when the outcome is
      // unknown) tell the client what to do; they pass unchanged.
      if (err instanceof SqlError) throw err;
      throw new SqlError(
        SqlState.IoError,
        `could not write to the write-ahead log: ${(err as Error).message}`,
      );
    }
    if (catalogChanged) await this.storeCatalog(lsn);
  }

  /**
   * Runs `work` while no commit is between its WAL append and becoming visible: commits that
   * arrive meanwhile wait. What `work` sees of the tables is exactly the effect of every WAL
   * record below the WAL's next LSN (a checkpoint's snapshot).
   */
  private async quiesced<T>(work: () => T | Promise<T>): Promise<T> {
    while (this.paused) await this.paused;
    let resume = () => {};
    this.paused = new Promise<void>((r) => {
      resume = r;
    });
    try {
      if (this.inFlight > 0) await new Promise<void>((r) => this.drainWaiters.push(r));
      // Awaited here, so commits stay paused until asynchronous work is done too.
      return await work();
    } finally {
      this.paused = null;
      resume();
    }
  }

  /** Writes the catalog's changed descriptors and the LSN they go with, in one MetaStore txn. */
  private storeCatalog(lsn: number): Promise<void> {
    const write = async () => {
      const version = this.catalog.version;
      const image = catalogImage(this.catalog);
      const ops: MetaOp[] = [];
      for (const [key, value] of image)
        if (this.stored.get(key) !== value) ops.push({ type: 'put', key, value });
      for (const key of this.stored.keys()) {
        if (!image.has(key) && key !== CATALOG_LSN_KEY) ops.push({ type: 'delete', key });
      }
      this.catalogLsn = Math.max(this.catalogLsn, lsn);
      image.set(CATALOG_LSN_KEY, String(this.catalogLsn));
      ops.push({ type: 'put', key: CATALOG_LSN_KEY, value: String(this.catalogLsn) });
      await this.options.meta.txn({ compare: [], success: ops });
      this.stored = image;
      this.storedVersion = version;
    };
    this.catalogWrites = this.catalogWrites.then(write, write);
    return this.catalogWrites;
  }

  /**
   * Seals what the WAL holds into segments and index files, then cuts the WAL; with
   * `compact`, every table's sealed rows are rewritten without the deleted ones (VACUUM).
   */
  checkpoint(options: { compact?: boolean } = {}): Promise<void> {
    if (this.running) {
      // One at a time; a compaction asked for during another checkpoint runs after it.
      return options.compact ? this.running.then(() => this.checkpoint(options)) : this.running;
    }
    const run = () =>
      this.rewritingManifests(async () => {
        const started = performance.now();
        const wal = this.options.wal;
        const walBytes = this.walBytesSinceCheckpoint;
        const snapshot = await this.quiesced(() =>
          takeSnapshot(this.catalog, wal.nextLsn, this.manifests, captureIndexFile, options.compact),
        );
        const { manifests, unreferenced, written } = await writeCheckpoint(
          snapshot,
          this.manifests,
          this.options.objects,
          this.options.meta,
        );
        this.manifests = manifests;
        this.lastCheckpointLsn = snapshot.lsn;
        this.sealWritten(written);
        await wal.truncateBefore(snapshot.lsn);
        for (const key of unreferenced) await this.options.objects.delete(key);
        this.checkpoints++;
        this.opsLog.info(
          {
            lsn: snapshot.lsn,
            walBytes,
            segmentsWritten: written.length,
            filesDeleted: unreferenced.length,
            compact: options.compact === true,
            ms: Math.round(performance.now() - started),
          },
          'checkpoint complete',
        );
      });
    this.running = run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /**
   * Writes the file of a vector index CREATE INDEX has just built, before its statement
   * commits, so the read replicas that recover the new catalog (and a restart) load the index
   * instead of building it again (checkpoint.ts writeIndexFile). The file covers the rows the
   * table's manifest has sealed, and recovery adds the others to the index again: when most
   * rows are not sealed yet (no checkpoint since a COPY, say), a checkpoint seals them and
   * stores the file with the rest. Should the CREATE INDEX roll back, the manifest names a
   * file of no index until the table's next checkpoint drops it.
   */
  async saveIndexFile(index: IndexDef): Promise<void> {
    const table = index.table;
    // Temporary tables are not stored.
    if (table.temporary) return;
    const sealed = this.currentManifest(table)?.sealedBelow ?? 0;
    if (table.store.capacity - sealed > sealed) {
      // A checkpoint already running may have looked at the table before the index existed.
      await this.running?.catch(() => undefined);
      return this.checkpoint();
    }
    return this.rewritingManifests(async () => {
      const manifest = this.currentManifest(table);
      if (!manifest || manifest.indexes[index.oid]) return;
      const content = await captureIndexFile(index);
      if (!content) return;
      this.manifests.set(
        table.oid,
        await writeIndexFile(index, content, manifest, this.options.objects, this.options.meta),
      );
    });
  }

  /** The table's manifest, unless a TRUNCATE since made it describe rows the table no longer has. */
  private currentManifest(table: Table): TableManifest | null {
    const manifest = this.manifests.get(table.oid);
    return manifest && manifest.generation === table.store.generation ? manifest : null;
  }

  /** Checkpoints and index files rewrite the tables' manifests: one at a time. */
  private rewritingManifests(work: () => Promise<void>): Promise<void> {
    const done = this.manifestsBusy.then(work);
    this.manifestsBusy = done.catch(() => undefined);
    return done;
  }

  /**
   * Writes an open transaction's in-memory new rows of `table` to a segment, so a long COPY
   * keeps its memory bounded: the rows are read back through the segment cache from then on,
   * and the transaction's WAL record will name the segment instead of listing them. A
   * segment of a transaction that never commits is named by nothing and deleted at start.
   * The rows are chosen and encoded before the first await; the transaction may write
   * more rows while the segment is stored (they stay in memory for the next spill), but
   * must wait for the returned promise before it ends or spills again.
   */
  async spill(top: number, table: Table): Promise<void> {
    const opener = this.openSegmentHandle;
    if (!opener || table.temporary || table.view) return;
    const store = table.store;
    // Only the log written since the last spill of this transaction is looked at.
    const mark = `${top}/${table.oid}`;
    const from = this.spilledUpTo.get(mark) ?? 0;
    const { writes, end } = this.catalog.txns.writesSince(top, from);
    this.spilledUpTo.set(mark, end);
    const rowIds: number[] = [];
    for (const w of writes) {
      if (w.kind !== 'insert' || w.store !== store) continue;
      for (let rowId = w.rowId, last = rowId + (w.count ?? 1); rowId < last; rowId++) {
        if (!store.isSealed(rowId)) rowIds.push(rowId);
      }
    }
    if (rowIds.length === 0) return;
    const generation = store.generation;
    const columns = table.columns.map((c) => ({ name: c.name, type: c.type, attnum: storedAttnum(c) }));
    const bytes = writeSegment({
      columns,
      rows: rowIds.map((id) => store.row(id)),
      rowIds,
      insertTs: rowIds.map(() => 0),
      primaryKey: primaryKeyPositions(table),
    });
    const key = `tables/${table.oid}/spill-${randomUUID()}.seg`;
    await this.options.objects.put(key, bytes);
    if (store.generation !== generation) return;
    const attnums = columns.map((c) => c.attnum);
    const length = store.spill(
      sealedPart(opener(key, bytes.length), attnums, rowIds),
      rowIds,
      top,
      from,
      end,
    );
    // Entries after `from` moved: every table of this transaction looks again from there.
    for (const m of this.spilledUpTo.keys()) {
      if (m.startsWith(`${top}/`)) this.spilledUpTo.set(m, Math.min(this.spilledUpTo.get(m)!, from));
    }
    this.spilledUpTo.set(mark, length);
  }

  /** Rows just written to segments leave memory; they are read through the segment cache. */
  private sealWritten(written: readonly WrittenSegment[]): void {
    if (!this.openSegmentHandle) return;
    for (const w of written) {
      const store = w.table.store;
      if (store.generation !== w.generation) continue;
      const part = sealedPart(this.openSegmentHandle(w.key, w.bytes), w.attnums, w.rowIds);
      for (const dropped of store.seal(part, w.rowIds, w.compacted)) this.segments.drop(dropped.handle);
    }
  }

  /**
   * Deletes table files nothing names: left by a crash during a checkpoint, or spilled by a
   * transaction that never committed. Segments of committed transactions not yet in a
   * manifest are named by the rows recovery attached from them.
   */
  private async collectGarbage(): Promise<void> {
    const keep = referencedKeys(this.manifests);
    for (const table of this.catalog.tables()) {
      for (const part of table.store.sealedParts()) keep.add(part.handle.key);
    }
    for (const info of await this.options.objects.list('tables/')) {
      if (!keep.has(info.key)) await this.options.objects.delete(info.key);
    }
  }

  /** A clean shutdown: a last checkpoint (so the next start reads segments), then close. */
  async close(): Promise<void> {
    await this.running?.catch(() => undefined);
    try {
      await this.checkpoint();
    } finally {
      await this.catalogWrites.catch(() => undefined);
      await this.options.wal.close();
      await this.options.meta.close();
      await this.options.objects.close();
    }
  }
}

/**
 * Sealed rows are read on demand through `segments` only where objects are local files (a
 * directory, or S3 behind a disk cache); elsewhere (null) they stay in memory.
 */
export function segmentOpener(objects: ObjectStore, segments: SegmentCache): SegmentOpener {
  if (!hasLocalFiles(objects)) return null;
  return (key, bytes) =>
    segments.handle(
      key,
      bytes,
      () => openSegment(objects.getSync(key), key),
      () => objects.openSync(key),
    );
}

/** Groups a transaction's writes by table, with each row's values as they are at commit. */
function tableChanges(writes: readonly WriteOp[]): TableChanges[] {
  const byStore = new Map<TableStore, RecordOp[]>();
  for (const w of writes) {
    if (!w.store.durable) continue;
    let ops = byStore.get(w.store);
    if (!ops) byStore.set(w.store, (ops = []));
    if (w.kind === 'truncate') ops.push({ kind: 'truncate' });
    else if (w.kind === 'delete') ops.push({ kind: 'delete', rowId: w.rowId });
    else if (w.kind === 'segment') {
      const { key, bytes } = w.part!.handle;
      ops.push({ kind: 'segment', key, bytes, attnums: w.part!.attnums });
    } else {
      for (let rowId = w.rowId, last = rowId + (w.count ?? 1); rowId < last; rowId++) {
        // A sealed insert was spilled: its segment's entry names it.
        if (!w.store.isSealed(rowId)) ops.push({ kind: 'insert', rowId, values: w.store.row(rowId) });
      }
    }
  }
  return [...byStore].map(([store, ops]) => ({
    tableOid: store.tableOid,
    columns: store.columns().map((c) => ({ attnum: storedAttnum(c), type: c.type })),
    ops,
  }));
}
