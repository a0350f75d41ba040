/**
 * Startup of a data directory: the catalog from the MetaStore, the rows of the last
 * checkpoint from its segments, then the WAL records after it; vector indexes are loaded
 * from their files (only rows after the file's coverage are added) or rebuilt when there is
 * no usable file. A table whose files cannot be read is marked damaged and keeps its error;
 * the rest of the database opens normally.
 */
import { Catalog } from '../catalog/catalog.ts';
import type { IndexDef, Sequence, Table } from '../catalog/catalog-types.ts';
import { addToColumnIndex } from '../exec/table-writer.ts';
import type { MetaStore } from '../meta/meta-store.ts';
import { decodeCommitRecord, type SequenceState, type TableChanges } from '../storage/commit-record.ts';
import type { ObjectStore } from '../storage/object-store/object-store.ts';
import { storedAttnum } from '../storage/sealed-rows.ts';
import type { SegmentCache } from '../storage/segment-cache.ts';
import type { TransactionManager } from '../storage/transactions.ts';
import type { ColumnIndex } from '../storage/vector/column-index.ts';
import type { Wal } from '../storage/wal/wal.ts';
import type { Value } from '../types/type.ts';
import { CATALOG_PREFIX, loadCatalog, type StoreAdopter } from './catalog-image.ts';
import { loadCheckpoint, loadSegment, type SegmentOpener, type TableManifest } from './checkpoint.ts';
import { quietBuild, rebuildIndex } from './ddl-index.ts';
import { loadIndexFile } from './index-files.ts';
import { EngineSession } from './session.ts';

/** MetaStore key of the LSN of the last WAL record whose catalog is stored. */
export const CATALOG_LSN_KEY = `${CATALOG_PREFIX}wal-lsn`;

export interface RecoveryStats {
  readonly segmentRows: number;
  readonly walRecords: number;
  readonly walRowsReplayed: number;
  /** WAL records of commits that never finished (their catalog was not stored). */
  readonly skippedRecords: number;
  /** Vector indexes loaded from their files, and those rebuilt from the rows. */
  readonly indexesLoaded: number;
  readonly indexesRebuilt: number;
  readonly damagedTables: readonly string[];
  readonly millis: number;
  /**
   * Whether this was a standby taking over from its read replica's copy (only the WAL after
   * what the replica had applied was read) rather than a recovery from storage.
   */
  readonly fromReplica: boolean;
}

export interface Recovered {
  readonly catalog: Catalog;
  readonly fresh: boolean;
  readonly catalogEntries: Map<string, string>;
  readonly catalogLsn: number;
  readonly manifests: Map<number, TableManifest>;
  /** Every table and sequence of the catalog by OID (what WAL records name them by). */
  readonly tables: ReadonlyMap<number, Table>;
  readonly sequences: ReadonlyMap<number, Sequence>;
  /** LSN of the last checkpoint (0 when there was none): the WAL since then is unsealed. */
  readonly checkpointLsn: number;
  /**
   * LSN of the last TRUNCATE of each table replayed or applied after the checkpoint: a
   * table truncated at or after the checkpoint's LSN no longer has the rows its manifest
   * names (row ids restarted).
   */
  readonly truncatedAt: ReadonlyMap<number, number>;
  readonly stats: RecoveryStats;
  /**
   * The cache the tables' sealed rows were opened through, when they were recovered for
   * someone else first (a read replica's copy handed to a new leader); else the caller's.
   */
  readonly segments?: SegmentCache;
}

export async function recover(options: {
  readonly meta: MetaStore;
  readonly wal: Wal;
  readonly objects: ObjectStore;
  readonly superuser: string;
  readonly serverVersion: string;
  readonly openSegmentHandle: SegmentOpener;
}): Promise<Recovered> {
  const started = performance.now();
  const { meta, wal, objects } = options;
  const entries = new Map((await meta.range(CATALOG_PREFIX)).map((kv) => [kv.key, kv.value]));
  const fresh = entries.size === 0;
  const { catalog, tables, sequences } = fresh
    ? catalogObjects(new Catalog(options.superuser))
    : catalogFromImage(entries, options);
  const txn = catalog.txns.begin();
  const checkpoint = await loadCheckpoint(tables, txn, objects, meta, options.openSegmentHandle);
  for (const [table, err] of checkpoint.damaged) table.store.damaged = err;
  for (const s of checkpoint.state?.sequences ?? []) {
    const seq = sequences.get(s.oid);
    if (seq) advanceSequence(seq, s);
  }
  const catalogLsn = Number(entries.get(CATALOG_LSN_KEY) ?? '-1');
  let walRecords = 0;
  let skippedRecords = 0;
  let walRowsReplayed = 0;
  const truncatedAt = new Map<number, number>();
  for await (const entry of wal.replay(checkpoint.state?.lsn ?? 0)) {
    walRecords++;
    const record = decodeCommitRecord(entry.payload);
    if (record.catalogChanged && entry.lsn > catalogLsn) {
      skippedRecords++;
      continue;
    }
    for (const s of record.sequences) {
      const seq = sequences.get(s.oid);
      if (seq) advanceSequence(seq, s);
    }
    for (const changes of record.tables) {
      const table = tables.get(changes.tableOid);
      if (!table || table.store.damaged) continue;
      if (changes.ops.some((op) => op.kind === 'truncate')) truncatedAt.set(table.oid, entry.lsn);
      try {
        const inserted = await applyChanges(table, changes, txn, (t, key, attnums) =>
          loadSegment(t, { key, attnums }, txn, objects, options.openSegmentHandle),
        );
        walRowsReplayed += inserted.length;
      } catch (err) {
        // A segment a committed transaction wrote is unreadable: its table answers with that.
        table.store.damaged = err as Error;
      }
    }
  }
  catalog.txns.commit(txn);
  catalog.advancedSequences.clear();
  let indexesLoaded = 0;
  let indexesRebuilt = 0;
  const build = quietBuild(catalog);
  for (const table of tables.values()) {
    for (const index of table.indexes) {
      const file = checkpoint.indexFiles.get(index);
      // A TRUNCATE replayed after the checkpoint restarted the row ids: the file is stale.
      if (file && table.store.generation === 0 && !table.store.damaged) {
        try {
          index.vector = await loadIndexFile(index, file.bytes);
          await addNewRows(index, index.vector, file.coversBelow);
          indexesLoaded++;
          continue;
        } catch (err) {
          table.store.damaged = err as Error;
        }
      }
      const damaged = table.store.damaged;
      table.store.damaged = null;
      await rebuildIndex(index, build);
      table.store.damaged = damaged;
      if (index.vector) indexesRebuilt++;
    }
  }
  const damagedTables = [...tables.values()].filter((t) => t.store.damaged).map((t) => t.name);
  return {
    catalog,
    fresh,
    catalogEntries: entries,
    catalogLsn,
    manifests: checkpoint.manifests,
    tables,
    sequences,
    checkpointLsn: checkpoint.state?.lsn ?? 0,
    truncatedAt,
    stats: {
      segmentRows: checkpoint.rows,
      walRecords,
      walRowsReplayed,
      skippedRecords,
      indexesLoaded,
      indexesRebuilt,
      damagedTables,
      millis: performance.now() - started,
      fromReplica: false,
    },
  };
}

/**
 * A catalog loaded from its stored image, its tables and sequences by OID. A read replica's
 * next catalog passes its predecessor's `txns` and adopts its row stores (`adopt`).
 */
export function catalogFromImage(
  entries: ReadonlyMap<string, string>,
  options: {
    readonly superuser: string;
    readonly serverVersion: string;
    readonly txns?: TransactionManager;
    readonly adopt?: StoreAdopter;
  },
): CatalogObjects {
  const catalog = new Catalog(null, options.txns);
  const sessions = new Map<string, EngineSession>();
  // Index expressions are bound as a session of the table's database would bind them.
  const sessionOf = (table: Table): EngineSession => {
    const db = table.schema.database.name;
    let s = sessions.get(db);
    if (!s) {
      const services = { catalog, serverVersion: options.serverVersion, storage: null };
      s = new EngineSession(services, options.superuser, db, 0, {});
      sessions.set(db, s);
    }
    return s;
  };
  loadCatalog(
    catalog,
    entries,
    {
      expression: (expr, table) => sessionOf(table).indexExpression(expr, table),
      predicate: (expr, table) => sessionOf(table).indexPredicate(expr, table),
      check: (stored, table) => sessionOf(table).checkConstraint(stored, table),
    },
    options.adopt,
  );
  return catalogObjects(catalog);
}

export interface CatalogObjects {
  readonly catalog: Catalog;
  /** Every table and sequence of the catalog by OID (what WAL records name them by). */
  readonly tables: Map<number, Table>;
  readonly sequences: Map<number, Sequence>;
}

function catalogObjects(catalog: Catalog): CatalogObjects {
  const tables = new Map<number, Table>();
  const sequences = new Map<number, Sequence>();
  for (const db of catalog.databases.values()) {
    for (const schema of db.schemas.values()) {
      for (const t of schema.tables.values()) tables.set(t.oid, t);
      for (const s of schema.sequences.values()) sequences.set(s.oid, s);
    }
  }
  return { catalog, tables, sequences };
}

/**
 * Adds to `vector`, the structure loaded from vector index `index`'s file, the rows stored
 * from `from` on (after the file was written). The table's size is read again after every
 * pause, so rows added to the table meanwhile (a replica applying the WAL) are added too.
 */
export async function addNewRows(index: IndexDef, vector: ColumnIndex, from: number): Promise<void> {
  const store = index.table.store;
  for (let rowId = from; rowId < store.capacity; rowId++) {
    if (store.mayBeLive(rowId)) addToColumnIndex(index, vector, store.row(rowId), rowId);
    if ((rowId - from) % YIELD_EVERY_ROWS === YIELD_EVERY_ROWS - 1) await yieldToEventLoop();
  }
}

/**
 * Index insertions between two turns of the event loop while recovering or applying a
 * replica's WAL: thousands of HNSW inserts take seconds, and a cluster node must keep
 * renewing its lease meanwhile.
 */
export const YIELD_EVERY_ROWS = 1000;

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Moves a sequence forward to a logged state, never back: states come from the stored
 * catalog, checkpoints and WAL records, and the furthest one is where nextval continues.
 * (A setval that moved a sequence backwards is therefore not kept across a crash.)
 */
export function advanceSequence(seq: Sequence, state: SequenceState): void {
  const position = (next: number, called: boolean) =>
    (called ? next : next - seq.increment) * Math.sign(seq.increment);
  if (position(state.next, state.called) > position(seq.next, seq.called)) {
    seq.next = state.next;
    seq.called = state.called;
  }
}

/**
 * Replays one table's changes as transaction `txn`; returns the ids of the rows inserted
 * (a replica adds them to the table's indexes).
 */
export async function applyChanges(
  table: Table,
  changes: TableChanges,
  txn: number,
  loadSpilled: (table: Table, key: string, attnums: readonly number[]) => Promise<ArrayLike<number>>,
): Promise<number[]> {
  // Where each stored column goes in the table as it is now (-1: dropped since).
  const at = changes.columns.map((c) => table.columns.findIndex((tc) => storedAttnum(tc) === c.attnum));
  const fill: Value[] = table.columns.map((c) => c.missing ?? null);
  const inserted: number[] = [];
  for (const op of changes.ops) {
    if (op.kind === 'truncate') table.store.truncate(0);
    else if (op.kind === 'delete') {
      if (op.rowId < table.store.capacity) table.store.markDeleted(op.rowId, txn);
    } else if (op.kind === 'segment') {
      const ids = await loadSpilled(table, op.key, op.attnums);
      for (let i = 0; i < ids.length; i++) inserted.push(ids[i]);
    } else {
      const row = fill.slice();
      for (let i = 0; i < at.length; i++) if (at[i] >= 0) row[at[i]] = op.values[i];
      table.store.restoreVersion(op.rowId, row, txn);
      inserted.push(op.rowId);
    }
  }
  return inserted;
}
