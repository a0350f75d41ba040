/**
 * A read replica's next copy after a DDL commit, built in place: the new catalog is loaded
 * from the stored image (cheap), and it keeps the previous copy's rows and indexes rather
 * than recovering them from storage, so a DDL costs the replica what the DDL changed, not
 * what the database holds.
 *
 * The new catalog shares the previous one's TransactionManager, so row versions and
 * snapshots mean the same in both: a table whose columns did not change keeps its very row
 * store; one whose columns did (ADD / DROP COLUMN) gets a reshaped copy of it (sealed
 * segments shared, rows in memory copied into the new column order), while the old store
 * stays as it was for statements still running on the old catalog. An index that was there
 * before (same OID, same key columns) keeps its search structure and unique key map; a new
 * one is loaded from its file (CREATE INDEX stores it before it commits) or built.
 *
 * A new vector index's file is loaded in the background (`loading`): the copy is in use at
 * once and plans exact searches until the index is ready (a file of a million rows takes
 * seconds to download and load, longer than a strong read waits). The rows the file does
 * not cover, and those the replica applies meanwhile, are added before it is put in place.
 */

import type { Catalog } from '../catalog/catalog.ts';
import type { Column, IndexDef, Sequence, Table } from '../catalog/catalog-types.ts';
import type { StoreAdopter } from '../engine/catalog-image.ts';
import type { IndexFileRef, TableManifest } from '../engine/checkpoint.ts';
import { buildIndex, type IndexBuildContext, quietBuild, rebuildIndex } from '../engine/ddl-index.ts';
import { loadIndexFile } from '../engine/index-files.ts';
import { addNewRows, advanceSequence, catalogFromImage } from '../engine/recovery.ts';
import { shareIndexKeys } from '../exec/table-writer.ts';
import type { ObjectStore } from '../storage/object-store/object-store.ts';
import { storedAttnum } from '../storage/sealed-rows.ts';

/** The parts of a replica copy its successor is built from. */
export interface CopyContents {
  readonly catalog: Catalog;
  readonly tables: ReadonlyMap<number, Table>;
  readonly sequences: ReadonlyMap<number, Sequence>;
  /** Object key of the file each vector index was loaded from, by index OID. */
  readonly indexFiles: ReadonlyMap<number, string>;
}

export interface CopyAfterDdlStats {
  /** Tables whose row store the new catalog shares, and those it got a reshaped copy of. */
  readonly tablesShared: number;
  readonly tablesReshaped: number;
  readonly indexesShared: number;
  readonly indexesLoaded: number;
  readonly indexesRebuilt: number;
  readonly millis: number;
}

export async function copyAfterDdl(
  previous: CopyContents,
  entries: ReadonlyMap<string, string>,
  /** The stored checkpoint manifests by table OID (where new indexes' files are). */
  readManifests: (tables: ReadonlyMap<number, Table>) => Promise<ReadonlyMap<number, TableManifest>>,
  objects: ObjectStore,
  options: { readonly superuser: string; readonly serverVersion: string },
): Promise<
  CopyContents & {
    readonly stats: CopyAfterDdlStats;
    /** Settles when every new vector index loading in the background is in place (or failed). */
    readonly loading: Promise<unknown>;
  }
> {
  const started = performance.now();
  let tablesShared = 0;
  let tablesReshaped = 0;
  const adopt: StoreAdopter = (oid, columns) => {
    const old = previous.tables.get(oid);
    if (!old || old.view) return undefined;
    if (sameShape(old.columns, columns)) {
      tablesShared++;
      return () => old.store;
    }
    tablesReshaped++;
    // `columns` is the new table's column list itself (the table does not exist yet).
    return () => old.store.reshaped(() => columns);
  };
  const next = catalogFromImage(entries, { ...options, txns: previous.catalog.txns, adopt });
  for (const seq of next.sequences.values()) {
    const old = previous.sequences.get(seq.oid);
    if (old) advanceSequence(seq, old);
  }
  const manifests = await readManifests(next.tables);
  const indexFiles = new Map<number, string>();
  let indexesShared = 0;
  let indexesLoaded = 0;
  let indexesRebuilt = 0;
  const loading: Promise<void>[] = [];
  const build = quietBuild(next.catalog);
  for (const table of next.tables.values()) {
    const old = previous.tables.get(table.oid);
    for (const index of table.indexes) {
      const before = old?.indexes.find((i) => i.oid === index.oid);
      // A vector index still loading in the background for the previous copy is loaded
      // again for this one (its loader catches up the previous copy's rows, not these).
      const built = index.method === 'btree' || before?.vector != null;
      if (before && sameKey(before, index) && built) {
        index.vector = before.vector;
        shareIndexKeys(before, index);
        const file = previous.indexFiles.get(index.oid);
        if (file) indexFiles.set(index.oid, file);
        indexesShared++;
        continue;
      }
      if (table.store.damaged) continue;
      const file = manifests.get(table.oid)?.indexes[index.oid];
      if (file && index.method !== 'btree' && table.store.generation === 0) {
        loading.push(loadWhileFollowing(index, file, objects, build));
        indexFiles.set(index.oid, file.key);
        indexesLoaded++;
      } else {
        await rebuildIndex(index, build);
        if (index.vector) indexesRebuilt++;
      }
    }
  }
  next.catalog.advancedSequences.clear();
  return {
    ...next,
    indexFiles,
    loading: Promise.allSettled(loading),
    stats: {
      tablesShared,
      tablesReshaped,
      indexesShared,
      indexesLoaded,
      indexesRebuilt,
      millis: performance.now() - started,
    },
  };
}

/**
 * Loads vector index `index`'s file, adds the rows after the file's coverage — reading the
 * table's size again after every pause, so that rows the replica applies meanwhile are
 * added too — and puts it in place (plans are made again to use it). Until then the index
 * has no search structure: plans search exactly, and applied rows are not added to it.
 */
async function loadWhileFollowing(
  index: IndexDef,
  file: IndexFileRef,
  objects: ObjectStore,
  build: IndexBuildContext,
): Promise<void> {
  try {
    const vector = await loadIndexFile(index, await objects.get(file.key));
    await addNewRows(index, vector, file.coversBelow);
    // No pause between the catch-up's last look at the table and this: no applied row is missed.
    index.vector = vector;
  } catch (error) {
    // The file could not be read: the index is built from the rows at once (no pause, so
    // none is missed), and the failure reported.
    buildIndex(index, build);
    throw error;
  } finally {
    build.catalog.version++;
  }
}

/** Whether rows stored for `a` are laid out as for `b`: the same columns by attnum and type, in order. */
function sameShape(a: readonly Column[], b: readonly Column[]): boolean {
  return (
    a.length === b.length && a.every((c, i) => storedAttnum(c) === storedAttnum(b[i]) && sameType(c, b[i]))
  );
}

function sameType(a: Column, b: Column): boolean {
  return JSON.stringify(a.type) === JSON.stringify(b.type);
}

/** Whether two definitions of one index (same OID) index the same values of each row. */
function sameKey(a: IndexDef, b: IndexDef): boolean {
  // By stored attnum: an index over a column ALTER COLUMN TYPE rewrote holds other keys.
  const attnums = (i: IndexDef) =>
    i.columns.map((c) => i.table.columns[c] && storedAttnum(i.table.columns[c]));
  return (
    a.method === b.method &&
    a.expressionKey === b.expressionKey &&
    a.predicate?.conjunctKeys.join() === b.predicate?.conjunctKeys.join() &&
    JSON.stringify(attnums(a)) === JSON.stringify(attnums(b))
  );
}
