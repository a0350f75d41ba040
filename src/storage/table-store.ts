/**
 * Row storage of one table: a list of row versions, each with creator/deleter transaction
 * ids. Row ids are positions in that list; they are what vector indexes store and what the
 * WAL names, so recovery puts every committed version back at the position it had
 * (positions of versions that never committed stay empty).
 *
 * Rows written since the last checkpoint (the growing segment of DESIGN §3) are row arrays
 * in memory; sealed rows live in their segments and are assembled on access (sealed-rows.ts,
 * through the segment cache and its memory budget).
 */
import type { Value } from '../types/type.ts';
import {
  type ColumnSlot,
  type SealedPart,
  SealedRows,
  type SealedState,
  storedAttnum,
} from './sealed-rows.ts';
import type { TransactionManager, TxnStatus } from './transactions.ts';

/** Creator id of an empty position (reads as aborted: never visible, never live). */
const EMPTY = -1;
const NO_VALUES: Value[] = [];

export class TableStore {
  /** Row arrays of the rows in memory; undefined where the row is sealed. */
  private rows: (Value[] | undefined)[] = [];
  private sealed = new SealedRows();
  private xmin: number[] = [];
  private xmax: number[] = [];
  /** Bumped by TRUNCATE: row ids start again from 0, so stored segments no longer apply. */
  generation = 0;
  /** The transaction whose TRUNCATE emptied the store, while it may still roll back. */
  private truncatedBy = 0;
  /**
   * Set when the table's stored files could not be read at startup: every read and write of
   * the table fails with it (naming the file) while other tables keep working.
   */
  damaged: Error | null = null;

  constructor(
    private readonly txns: TransactionManager,
    /** The table's OID: how the WAL names it. */
    readonly tableOid: number,
    /** The table's columns now: sealed rows are assembled, and WAL records written, in this shape. */
    readonly columns: () => readonly ColumnSlot[] = () => [],
    /** False for temporary tables: their changes are never logged or stored. */
    readonly durable = true,
  ) {}

  /**
   * The same row versions for a table whose columns changed (a read replica's next catalog
   * after ADD or DROP COLUMN): sealed parts are shared (they are read by attnum), rows in
   * memory are copied into the new column order. This store keeps its rows as they are, for
   * the statements still reading the old catalog.
   */
  reshaped(columns: () => readonly ColumnSlot[]): TableStore {
    const store = new TableStore(this.txns, this.tableOid, columns, this.durable);
    const from = this.columns();
    const at = columns().map((c) => from.findIndex((f) => storedAttnum(f) === storedAttnum(c)));
    const missing = columns().map((c) => c.missing ?? null);
    store.rows = this.rows.map((row) =>
      row === undefined || row === NO_VALUES ? row : at.map((i, c) => (i < 0 ? missing[c] : row[i])),
    );
    store.sealed = this.sealed.copy();
    store.xmin = this.xmin.slice();
    store.xmax = this.xmax.slice();
    store.generation = this.generation;
    store.truncatedBy = this.truncatedBy;
    store.damaged = this.damaged;
    return store;
  }

  /** Number of row versions ever stored (live or dead); row ids are below it. */
  get capacity(): number {
    return this.rows.length;
  }

  insert(values: Value[], txn: number): number {
    if (this.damaged) throw this.damaged;
    const rowId = this.rows.length;
    this.rows.push(values);
    this.xmin.push(txn);
    this.xmax.push(0);
    this.txns.recordWrite(txn, { kind: 'insert', store: this, rowId });
    return rowId;
  }

  /** Recovery: puts a committed version back at its row id, as transaction `txn`. */
  restoreVersion(rowId: number, values: Value[], txn: number): void {
    while (this.rows.length < rowId) {
      this.rows.push(NO_VALUES);
      this.xmin.push(EMPTY);
      this.xmax.push(0);
    }
    this.rows[rowId] = values;
    this.xmin[rowId] = txn;
    this.xmax[rowId] = 0;
  }

  row(rowId: number): Value[] {
    const row = this.rows[rowId];
    if (row !== undefined) return row;
    return this.sealed.has(rowId) ? this.sealed.row(rowId, this.columns()) : NO_VALUES;
  }

  /** Whether the row is read from a segment (not held in memory). */
  isSealed(rowId: number): boolean {
    return this.rows[rowId] === undefined && this.sealed.has(rowId);
  }

  /**
   * An open transaction's rows were written to a segment ahead of its COMMIT (a long COPY):
   * they leave memory now, and its WAL record will name the segment instead of the rows.
   * Those inserts are in the transaction's write log at [logFrom, logEnd); returns where
   * the entry that was at logEnd is now.
   */
  spill(part: SealedPart, rowIds: ArrayLike<number>, top: number, logFrom: number, logEnd: number): number {
    this.seal(part, rowIds, false);
    // The inserts' log entries give way to one for the segment: the log stays small too.
    return this.txns.replaceInserts(top, logFrom, logEnd, this, {
      kind: 'segment',
      store: this,
      rowId: part.firstRowId,
      part,
    });
  }

  /**
   * The row array of an in-memory row, for ALTER TABLE to edit in place; undefined for a
   * sealed row, which follows the table's columns by attnum on its own.
   */
  inMemoryRow(rowId: number): Value[] | undefined {
    return this.rows[rowId];
  }

  /** How many row versions are held in memory (not sealed, not empty positions). */
  inMemoryRowCount(): number {
    let n = 0;
    for (let rowId = 0; rowId < this.rows.length; rowId++) if (this.holdsRow(rowId)) n++;
    return n;
  }

  /** Whether every one of these rows is held in memory (none sealed, none missing). */
  holdsInMemory(rowIds: ArrayLike<number>): boolean {
    for (let i = 0; i < rowIds.length; i++) if (!this.holdsRow(rowIds[i])) return false;
    return true;
  }

  private holdsRow(rowId: number): boolean {
    const row = this.rows[rowId];
    return row !== undefined && row !== NO_VALUES;
  }

  /**
   * A checkpoint wrote these rows to a segment: drop their row arrays and read them from
   * `part` from now on. With `compacted`, `part` holds every live sealed row: rows of older
   * parts not in it were deleted and are forgotten. Returns parts no row uses any more.
   */
  seal(part: SealedPart, rowIds: ArrayLike<number>, compacted: boolean): SealedPart[] {
    if (compacted) {
      // What compaction left out is dead: deleted for good, or never committed. Rows an open
      // transaction spilled are neither (they were pending): they keep their own segment.
      const kept = new Set(Array.from(rowIds));
      for (let rowId = 0; rowId < this.rows.length; rowId++) {
        if (!this.sealed.has(rowId) || kept.has(rowId)) continue;
        const status = this.creatorStatus(rowId);
        if (status === 'aborted' || (status === 'committed' && this.deletionCommitted(rowId))) {
          this.sealed.forget(rowId);
          this.rows[rowId] = NO_VALUES;
        }
      }
    }
    this.sealed.add(part, rowIds);
    for (let i = 0; i < rowIds.length; i++) this.rows[rowIds[i]] = undefined;
    return this.sealed.prune();
  }

  /** Recovery: committed rows stored in `part` (row `rowIds[i]` at position i), as `txn`. */
  attachSealed(part: SealedPart, rowIds: ArrayLike<number>, txn: number): void {
    for (let i = 0; i < rowIds.length; i++) this.restoreVersion(rowIds[i], NO_VALUES, txn);
    this.seal(part, rowIds, false);
  }

  /** The sealed segments rows are read from (quiver_segments). */
  sealedParts(): readonly SealedPart[] {
    return this.sealed.allParts();
  }

  isVisible(rowId: number, txn: number): boolean {
    if (this.damaged) throw this.damaged;
    // An index may know rows this store has not (yet) got: one shared with a reshaped
    // successor, or loaded from a file that covers rows not replayed yet.
    if (rowId >= this.xmin.length) return false;
    if (!this.txns.sees(txn, this.xmin[rowId])) return false;
    const deleter = this.xmax[rowId];
    return deleter === 0 || !this.txns.sees(txn, deleter);
  }

  /** The transaction that deleted (or is deleting) this version, if it has not aborted. */
  deleter(rowId: number): number {
    const deleter = this.xmax[rowId];
    return deleter !== 0 && this.txns.statusOf(deleter) !== 'aborted' ? deleter : 0;
  }

  /** The transaction (or subtransaction) that created this version. */
  creator(rowId: number): number {
    return this.xmin[rowId];
  }

  /** Fate of the transaction that created the version (empty positions read as aborted). */
  creatorStatus(rowId: number): TxnStatus {
    return this.txns.statusOf(this.xmin[rowId]);
  }

  /** Whether some repeatable-read transaction holds a snapshot (old versions must stay). */
  hasOpenSnapshots(): boolean {
    return this.txns.hasOpenSnapshots();
  }

  /** Whether a committed transaction deleted the version. */
  deletionCommitted(rowId: number): boolean {
    const deleter = this.xmax[rowId];
    return deleter !== 0 && this.txns.statusOf(deleter) === 'committed';
  }

  /** Rows the open transaction `txn` inserted here (null: spilled to a segment, or truncated). */
  insertedBy(txn: number): number[] | null {
    return this.txns.insertsOf(txn, this);
  }

  /** True when the version is live or may become live (its creator has not aborted). */
  mayBeLive(rowId: number): boolean {
    if (this.txns.statusOf(this.xmin[rowId]) === 'aborted') return false;
    const deleter = this.xmax[rowId];
    return deleter === 0 || this.txns.statusOf(deleter) !== 'committed';
  }

  /**
   * The version as of now, whatever `txn`'s snapshot (what a foreign key check reads): live
   * when its creator committed or is `txn`'s own transaction and no such transaction deleted
   * it; busy when another open transaction created it or is deleting it.
   */
  currentState(rowId: number, txn: number): 'live' | 'dead' | 'busy' {
    if (rowId >= this.xmin.length) return 'dead';
    const creator = this.xmin[rowId];
    const created = this.txns.statusOf(creator);
    if (created === 'aborted') return 'dead';
    if (created === 'in-progress' && !this.txns.sameTransaction(creator, txn)) return 'busy';
    const deleter = this.xmax[rowId];
    if (deleter === 0) return 'live';
    const deleted = this.txns.statusOf(deleter);
    if (deleted === 'aborted') return 'live';
    return deleted === 'committed' || this.txns.sameTransaction(deleter, txn) ? 'dead' : 'busy';
  }

  /** Whether two transaction ids are parts of one open transaction. */
  sameTransaction(a: number, b: number): boolean {
    return this.txns.sameTransaction(a, b);
  }

  /** Whether the version was deleted by `txn`'s own transaction (any of its subtransactions). */
  deletedBySameTransaction(rowId: number, txn: number): boolean {
    const deleter = this.deleter(rowId);
    return deleter !== 0 && this.txns.sameTransaction(deleter, txn);
  }

  markDeleted(rowId: number, txn: number): void {
    this.xmax[rowId] = txn;
    if (txn > 0) this.txns.recordWrite(txn, { kind: 'delete', store: this, rowId });
  }

  /** How many row versions `txn` sees (without reading any of them). */
  countVisible(txn: number): number {
    if (this.damaged) throw this.damaged;
    let n = 0;
    for (let rowId = 0; rowId < this.rows.length; rowId++) if (this.isVisible(rowId, txn)) n++;
    return n;
  }

  *visibleRowIds(txn: number): Generator<number> {
    if (this.damaged) throw this.damaged;
    const n = this.rows.length;
    for (let rowId = 0; rowId < n; rowId++) if (this.isVisible(rowId, txn)) yield rowId;
  }

  /** TRUNCATE: drops every version at once; returns what `restore` needs to undo it. */
  truncate(txn: number): TruncatedVersions {
    const saved = {
      rows: this.rows,
      xmin: this.xmin,
      xmax: this.xmax,
      generation: this.generation,
      sealed: this.sealed.clear(),
      truncatedBy: this.truncatedBy,
    };
    this.generation++;
    this.truncatedBy = txn;
    this.rows = [];
    this.xmin = [];
    this.xmax = [];
    if (txn > 0) this.txns.recordWrite(txn, { kind: 'truncate', store: this, rowId: 0 });
    return saved;
  }

  /** Undoes a TRUNCATE (its transaction rolled back). */
  restore(saved: TruncatedVersions): void {
    this.rows = saved.rows;
    this.xmin = saved.xmin;
    this.xmax = saved.xmax;
    this.generation = saved.generation;
    this.sealed.restore(saved.sealed);
    this.truncatedBy = saved.truncatedBy;
  }

  /**
   * Whether a TRUNCATE of this table may still roll back: a checkpoint must then leave the
   * table's stored files alone (the rollback brings the old rows back).
   */
  truncatePending(): boolean {
    return this.truncatedBy > 0 && this.txns.statusOf(this.truncatedBy) === 'in-progress';
  }
}

export interface TruncatedVersions {
  readonly rows: (Value[] | undefined)[];
  readonly sealed: SealedState;
  readonly xmin: number[];
  readonly xmax: number[];
  readonly generation: number;
  readonly truncatedBy: number;
}
