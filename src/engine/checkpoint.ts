/**
 * Checkpoints (DESIGN §3): what the WAL holds is moved into sealed segments in object
 * storage so the WAL can be cut and a restart reads segments instead of replaying history.
 *
 * Per table, row ids below `sealedBelow` are sealed: each checkpoint writes one new segment
 * with the committed rows written since the last one (rows still in progress are remembered
 * as `pending` and sealed by a later checkpoint), a tombstone file listing the sealed rows
 * deleted so far, and the table's vector index files (loaded, not rebuilt, on restart; an
 * index file covers every row id below its `coversBelow`). The manifests and the
 * checkpoint's LSN are written to the MetaStore in one transaction; only then is the WAL
 * cut below that LSN and the files no manifest names any more deleted.
 *
 * A TRUNCATE restarts a table's row ids (its store generation changes): the next checkpoint
 * starts its manifest over.
 */
import type { Catalog } from '../catalog/catalog.ts';
import type { IndexDef, Table } from '../catalog/catalog-types.ts';
import type { MetaOp, MetaStore } from '../meta/meta-store.ts';
import type { SequenceState } from '../storage/commit-record.ts';
import type { ObjectStore } from '../storage/object-store/object-store.ts';
import { decodeRowIds, encodeRowIds } from '../storage/row-id-file.ts';
import { sealedPart, storedAttnum } from '../storage/sealed-rows.ts';
import { openSegment } from '../storage/segment/segment-reader.ts';
import { writeSegmentInSlices } from '../storage/segment/segment-writer.ts';
import type { SegmentHandle } from '../storage/segment-cache.ts';
import { runInSlices } from '../storage/stepwise.ts';
import { encodeIndexFile, type IndexFileContent } from '../storage/vector/index-persistence.ts';
import type { SqlType, Value } from '../types/type.ts';

export const CHECKPOINT_PREFIX = 'checkpoint/';
const STATE_KEY = `${CHECKPOINT_PREFIX}state`;
const TABLE_PREFIX = `${CHECKPOINT_PREFIX}table/`;

export interface SegmentRef {
  readonly key: string;
  readonly rows: number;
  /** File size (absent in manifests written before it was recorded). */
  readonly bytes?: number;
  /** attnum of each stored column, in segment column order. */
  readonly attnums: readonly number[];
}

export interface IndexFileRef {
  readonly key: string;
  readonly coversBelow: number;
}

export interface TableManifest {
  readonly generation: number;
  readonly sealedBelow: number;
  readonly pending: readonly number[];
  readonly segments: readonly SegmentRef[];
  readonly tombstones: { readonly key: string; readonly count: number } | null;
  /** By index OID. */
  readonly indexes: Readonly<Record<string, IndexFileRef>>;
}

export interface CheckpointState {
  readonly lsn: number;
  readonly sequences: readonly SequenceState[];
}

/**
 * Takes a vector index's content as of one moment after the call (rows added meanwhile may be
 * in it: recovery adds everything from the file's coversBelow on again). Null: not a vector index.
 */
export type IndexSaver = (index: IndexDef) => Promise<IndexFileContent | null>;

/** What a checkpoint captured of one table at its snapshot moment. */
interface TableSnapshot {
  readonly table: Table;
  readonly base: TableManifest | null;
  readonly generation: number;
  readonly sealedBelow: number;
  readonly pending: number[];
  readonly columns: { readonly name: string; readonly type: SqlType; readonly attnum: number }[];
  readonly rowIds: number[];
  readonly rows: Value[][];
  readonly tombstones: number[] | null;
  /** Segments committed transactions wrote before their COMMIT, not yet in the manifest. */
  readonly spilled: readonly SegmentRef[];
  /** Vector indexes whose files this checkpoint writes. */
  readonly indexes: IndexDef[];
  readonly indexFiles: {
    readonly oid: number;
    readonly content: IndexFileContent;
    readonly coversBelow: number;
  }[];
}

export interface Snapshot {
  readonly lsn: number;
  readonly sequences: SequenceState[];
  readonly tables: TableSnapshot[];
  /** Tables (by OID) that exist and are stored; manifests of others are dropped. */
  readonly live: Set<number>;
}

/**
 * Captures everything a checkpoint at `lsn` writes. Must run while no commit is in flight
 * (Persistence.quiesced), so the tables show exactly the records below `lsn`: the rows at
 * the call, then the vector indexes, copied off the event loop while commits still wait.
 */
export async function takeSnapshot(
  catalog: Catalog,
  lsn: number,
  manifests: ReadonlyMap<number, TableManifest>,
  saveIndex: IndexSaver,
  compactAll = false,
): Promise<Snapshot> {
  const sequences: SequenceState[] = [];
  const tables: TableSnapshot[] = [];
  const live = new Set<number>();
  for (const db of catalog.databases.values()) {
    for (const schema of db.schemas.values()) {
      for (const s of schema.sequences.values())
        sequences.push({ oid: s.oid, next: s.next, called: s.called });
      for (const table of schema.tables.values()) {
        if (table.temporary || table.view) continue;
        live.add(table.oid);
        const snap = snapshotTable(table, manifests.get(table.oid) ?? null, compactAll);
        if (snap) tables.push(snap);
      }
    }
  }
  for (const snap of tables) {
    for (const index of snap.indexes) {
      const content = await saveIndex(index);
      // Every row below sealedBelow was added to the index before the copy began.
      if (content) snap.indexFiles.push({ oid: index.oid, content, coversBelow: snap.sealedBelow });
    }
  }
  return { lsn, sequences, tables, live };
}

/** A table with this many segments is compacted into one by the next checkpoint. */
const MAX_SEGMENTS = 8;
/** …and so is one whose deleted sealed rows reach this share of its sealed rows. */
const MAX_DELETED_SHARE = 0.2;

function snapshotTable(table: Table, prev: TableManifest | null, compact: boolean): TableSnapshot | null {
  const store = table.store;
  if (store.truncatePending()) return null;
  // Compaction drops deleted rows, which a repeatable-read snapshot may still see: not then.
  const mayCompact = !store.hasOpenSnapshots();
  let base = prev && prev.generation === store.generation && !(compact && mayCompact) ? prev : null;
  if (base && mayCompact && needsCompaction(table, base)) base = null;
  const from = base?.sealedBelow ?? 0;
  const rowIds: number[] = [];
  const pending: number[] = [];
  const consider = (rowId: number) => {
    const status = store.creatorStatus(rowId);
    if (status === 'in-progress') pending.push(rowId);
    else if (status !== 'committed' || store.deletionCommitted(rowId)) return;
    // A committed transaction's spilled rows are in their own segment already (added below).
    else if (!(base && store.isSealed(rowId))) rowIds.push(rowId);
  };
  for (const rowId of base?.pending ?? []) consider(rowId);
  for (let rowId = from; rowId < store.capacity; rowId++) consider(rowId);
  const baseKeys = new Set(base?.segments.map((ref) => ref.key) ?? []);
  // A spilled segment the manifest does not name yet belongs to a transaction that had not
  // committed at the manifest's checkpoint: its rows are past `sealedBelow` or pending there.
  // Other segments' rows the manifest covers already — a promoted read replica's copy may
  // read rows from segments a compaction has since replaced (and deleted).
  const basePending = new Set(base?.pending);
  const spilled: SegmentRef[] = base
    ? store
        .sealedParts()
        .filter(
          (p) =>
            !baseKeys.has(p.handle.key) &&
            (p.firstRowId >= base.sealedBelow || basePending.has(p.firstRowId)) &&
            store.creatorStatus(p.firstRowId) === 'committed',
        )
        .map((p) => ({ key: p.handle.key, rows: p.rows, bytes: p.handle.bytes, attnums: p.attnums }))
    : [];
  // Deleted sealed rows (a rewrite from no manifest leaves them out instead).
  const tombstones: number[] = [];
  for (let rowId = 0; base && rowId < store.capacity; rowId++) {
    if (rowId >= from && !store.isSealed(rowId)) continue;
    if (store.creatorStatus(rowId) === 'committed' && store.deletionCommitted(rowId)) tombstones.push(rowId);
  }
  const tombstonesChanged = tombstones.length !== (base?.tombstones?.count ?? 0);
  const samePending =
    pending.length === (base?.pending.length ?? 0) && pending.every((p, i) => p === base!.pending[i]);
  const indexesStored = table.indexes.every((ix) => !ix.vector || base?.indexes[ix.oid] !== undefined);
  if (
    base &&
    rowIds.length === 0 &&
    spilled.length === 0 &&
    !tombstonesChanged &&
    samePending &&
    indexesStored
  ) {
    return null;
  }
  const indexes = table.indexes.filter(
    (index) => index.vector && !(rowIds.length === 0 && spilled.length === 0 && base?.indexes[index.oid]),
  );
  return {
    table,
    base,
    generation: store.generation,
    sealedBelow: store.capacity,
    pending,
    columns: table.columns.map((c) => ({ name: c.name, type: c.type, attnum: storedAttnum(c) })),
    rowIds,
    // Copies: ALTER TABLE edits stored rows in place while the files are being written.
    rows: rowIds.map((id) => store.row(id).slice()),
    tombstones: tombstonesChanged ? tombstones : null,
    spilled,
    indexes,
    indexFiles: [],
  };
}

/**
 * Compaction rewrites a table's sealed rows as one segment without the deleted ones (the
 * checkpoint then starts the table from no manifest): when segments pile up, or deletions
 * make a large share of what the segments hold.
 */
function needsCompaction(table: Table, m: TableManifest): boolean {
  if (m.segments.length >= MAX_SEGMENTS) return true;
  const sealed = m.segments.reduce((n, s) => n + s.rows, 0);
  let deleted = 0;
  for (let rowId = 0; rowId < m.sealedBelow; rowId++) {
    if (table.store.creatorStatus(rowId) === 'committed' && table.store.deletionCommitted(rowId)) deleted++;
  }
  return deleted > 0 && deleted >= sealed * MAX_DELETED_SHARE;
}

/**
 * Writes a vector index's file between checkpoints — CREATE INDEX just built it — and puts it
 * in the table's manifest, so a read replica recovering the new catalog, or a restart, loads
 * the index instead of building it again. As a checkpoint's file, it covers the rows the
 * manifest has sealed (the index holds them all: it was built over every row); recovery adds
 * the rows after those again. Returns the new manifest. The caller keeps checkpoints out
 * meanwhile: both rewrite the manifest.
 */
export async function writeIndexFile(
  index: IndexDef,
  content: IndexFileContent,
  manifest: TableManifest,
  objects: ObjectStore,
  meta: MetaStore,
): Promise<TableManifest> {
  const table = index.table;
  const key = `tables/${table.oid}/g${manifest.generation}-built-i${index.oid}.idx`;
  await objects.put(key, await runInSlices(encodeIndexFile(content)));
  const indexes = { ...manifest.indexes, [index.oid]: { key, coversBelow: manifest.sealedBelow } };
  const next: TableManifest = { ...manifest, indexes };
  await meta.put(`${TABLE_PREFIX}${table.oid}`, JSON.stringify(next));
  return next;
}

/**
 * Writes the snapshot's files and then its manifests (one MetaStore transaction).
 * Returns the new manifests and the object keys that are no longer referenced.
 */
export async function writeCheckpoint(
  snapshot: Snapshot,
  manifests: ReadonlyMap<number, TableManifest>,
  objects: ObjectStore,
  meta: MetaStore,
): Promise<{ manifests: Map<number, TableManifest>; unreferenced: string[]; written: WrittenSegment[] }> {
  const written: WrittenSegment[] = [];
  const next = new Map<number, TableManifest>();
  for (const [oid, m] of manifests) if (snapshot.live.has(oid)) next.set(oid, m);
  const ops: MetaOp[] = [];
  const tag = `${snapshot.lsn.toString(16).padStart(12, '0')}`;
  for (const t of snapshot.tables) {
    const prefix = `tables/${t.table.oid}/g${t.generation}-${tag}`;
    const segments = [...(t.base?.segments ?? []), ...t.spilled];
    if (t.rowIds.length > 0) {
      const key = `${prefix}.seg`;
      const bytes = await writeSegmentInSlices({
        columns: t.columns,
        rows: t.rows,
        rowIds: t.rowIds,
        insertTs: t.rowIds.map(() => snapshot.lsn),
        primaryKey: primaryKeyPositions(t.table),
      });
      await objects.put(key, bytes);
      const attnums = t.columns.map((c) => c.attnum);
      segments.push({ key, rows: t.rowIds.length, bytes: bytes.length, attnums });
      written.push({
        table: t.table,
        generation: t.generation,
        rowIds: t.rowIds,
        key,
        bytes: bytes.length,
        attnums,
        compacted: t.base === null,
      });
    }
    let tombstones = t.base?.tombstones ?? null;
    if (t.tombstones) {
      const key = `${prefix}.del`;
      await objects.put(key, encodeRowIds(t.tombstones));
      tombstones = { key, count: t.tombstones.length };
    }
    const indexes: Record<string, IndexFileRef> = {};
    for (const index of t.table.indexes) {
      const kept = t.base?.indexes[index.oid];
      if (kept) indexes[index.oid] = kept;
    }
    for (const file of t.indexFiles) {
      const key = `${prefix}-i${file.oid}.idx`;
      await objects.put(key, await runInSlices(encodeIndexFile(file.content)));
      indexes[file.oid] = { key, coversBelow: file.coversBelow };
    }
    const manifest: TableManifest = {
      generation: t.generation,
      sealedBelow: t.sealedBelow,
      pending: t.pending,
      segments,
      tombstones,
      indexes,
    };
    next.set(t.table.oid, manifest);
    ops.push({ type: 'put', key: `${TABLE_PREFIX}${t.table.oid}`, value: JSON.stringify(manifest) });
  }
  for (const oid of manifests.keys()) {
    if (!snapshot.live.has(oid)) ops.push({ type: 'delete', key: `${TABLE_PREFIX}${oid}` });
  }
  const state: CheckpointState = { lsn: snapshot.lsn, sequences: snapshot.sequences };
  ops.push({ type: 'put', key: STATE_KEY, value: JSON.stringify(state) });
  await meta.txn({ compare: [], success: ops });
  const now = referencedKeys(next);
  const unreferenced = [...referencedKeys(manifests)].filter((k) => !now.has(k));
  return { manifests: next, unreferenced, written };
}

/** A segment a checkpoint wrote: its rows can now be read from it instead of memory. */
export interface WrittenSegment {
  readonly table: Table;
  readonly generation: number;
  readonly rowIds: readonly number[];
  readonly key: string;
  readonly bytes: number;
  readonly attnums: readonly number[];
  /** It holds every live sealed row of the table (compaction, or the first segment). */
  readonly compacted: boolean;
}

export function referencedKeys(manifests: ReadonlyMap<number, TableManifest>): Set<string> {
  const keys = new Set<string>();
  for (const m of manifests.values()) {
    for (const s of m.segments) keys.add(s.key);
    if (m.tombstones) keys.add(m.tombstones.key);
    for (const f of Object.values(m.indexes)) keys.add(f.key);
  }
  return keys;
}

/** Column positions of the table's primary key (what a segment's Bloom filter keys on). */
export function primaryKeyPositions(table: Table): number[] {
  const pk = table.indexes.find((ix) => ix.primary);
  return pk ? [...pk.columns] : [];
}

export interface LoadedCheckpoint {
  readonly state: CheckpointState | null;
  readonly manifests: Map<number, TableManifest>;
  /** Index files to load instead of rebuilding, by index. */
  readonly indexFiles: Map<IndexDef, { readonly bytes: Uint8Array; readonly coversBelow: number }>;
  /** Tables whose files could not be read, with the error (they answer with it). */
  readonly damaged: Map<Table, Error>;
  readonly rows: number;
}

/** Makes a sealed segment readable through the segment cache; null keeps rows in memory. */
export type SegmentOpener = ((key: string, bytes: number) => SegmentHandle) | null;

/**
 * The last checkpoint's state and the manifests of the tables in `tables`, as the MetaStore
 * holds them; each manifest gets its table store's generation (0 after a restart).
 */
export async function readManifests(
  tables: ReadonlyMap<number, Table>,
  meta: MetaStore,
): Promise<{ state: CheckpointState | null; manifests: Map<number, TableManifest> }> {
  const stateKv = await meta.get(STATE_KEY);
  const state = stateKv ? (JSON.parse(stateKv.value) as CheckpointState) : null;
  const manifests = new Map<number, TableManifest>();
  for (const kv of await meta.range(TABLE_PREFIX)) {
    const oid = Number(kv.key.slice(TABLE_PREFIX.length));
    const table = tables.get(oid);
    if (table)
      manifests.set(oid, { ...(JSON.parse(kv.value) as TableManifest), generation: table.store.generation });
  }
  return { state, manifests };
}

/** Reads the last checkpoint back into the (empty) tables of a freshly loaded catalog. */
export async function loadCheckpoint(
  tables: ReadonlyMap<number, Table>,
  txn: number,
  objects: ObjectStore,
  meta: MetaStore,
  openSegmentHandle: SegmentOpener,
): Promise<LoadedCheckpoint> {
  const { state, manifests } = await readManifests(tables, meta);
  const indexFiles: LoadedCheckpoint['indexFiles'] = new Map();
  const damaged = new Map<Table, Error>();
  let rows = 0;
  for (const [oid, manifest] of manifests) {
    const table = tables.get(oid)!;
    try {
      rows += await loadTable(table, manifest, txn, objects, openSegmentHandle);
      for (const index of table.indexes) {
        const file = manifest.indexes[index.oid];
        if (file)
          indexFiles.set(index, { bytes: await objects.get(file.key), coversBelow: file.coversBelow });
      }
    } catch (err) {
      damaged.set(table, err as Error);
    }
  }
  return { state, manifests, indexFiles, damaged, rows };
}

async function loadTable(
  table: Table,
  manifest: TableManifest,
  txn: number,
  objects: ObjectStore,
  openSegmentHandle: SegmentOpener,
): Promise<number> {
  const store = table.store;
  let loaded = 0;
  for (const ref of manifest.segments)
    loaded += (await loadSegment(table, ref, txn, objects, openSegmentHandle)).length;
  if (manifest.tombstones) {
    const key = manifest.tombstones.key;
    for (const rowId of decodeRowIds(await objects.get(key), key)) {
      if (rowId < store.capacity) store.markDeleted(rowId, txn);
    }
  }
  return loaded;
}

/**
 * Puts a segment's rows back into `table` as transaction `txn`'s: sealed (read on demand)
 * where segments can be read synchronously, else as rows in memory. Every block is checked
 * now, so a damaged file is found at start, not in the middle of a query.
 */
export async function loadSegment(
  table: Table,
  ref: Pick<SegmentRef, 'key' | 'attnums'>,
  txn: number,
  objects: ObjectStore,
  openSegmentHandle: SegmentOpener,
): Promise<Float64Array> {
  const store = table.store;
  const bytes = await objects.get(ref.key);
  const segment = openSegment(bytes, ref.key);
  segment.verify();
  if (openSegmentHandle) {
    const part = sealedPart(openSegmentHandle(ref.key, bytes.length), ref.attnums, segment.rowIds);
    store.attachSealed(part, segment.rowIds, txn);
    return segment.rowIds;
  }
  const fill: Value[] = table.columns.map((c) => c.missing ?? null);
  const targets = ref.attnums.map((a) => table.columns.findIndex((c) => storedAttnum(c) === a));
  // Vector columns stay views over the segment's bytes; others are decoded column by column.
  const columns = segment.columns.map((c, i) => {
    if (targets[i] < 0) return null;
    if (c.encoding === 'float32') {
      const v = segment.vectorColumn(i);
      return (r: number) => (v.isNull(r) ? null : v.vector(r));
    }
    const values = segment.column(i);
    return (r: number) => values[r];
  });
  const ids = segment.rowIds;
  for (let r = 0; r < segment.rowCount; r++) {
    const row = fill.slice();
    for (let i = 0; i < columns.length; i++) {
      const get = columns[i];
      if (get) row[targets[i]] = get(r);
    }
    store.restoreVersion(ids[r], row, txn);
  }
  return ids;
}
