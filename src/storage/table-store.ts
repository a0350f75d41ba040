/**
 * In-memory row storage of one table: an append-only list of row versions (the growing
 * segment of DESIGN §3), each with creator/deleter transaction ids. Row ids are positions
 * in that list and are what vector indexes store.
 */
import type { Value } from '../types/type.ts';
import type { TransactionManager } from './transactions.ts';

export class TableStore {
  private rows: Value[][] = [];
  private xmin: number[] = [];
  private xmax: number[] = [];

  constructor(private readonly txns: TransactionManager) {}

  /** Number of row versions ever stored (live or dead); row ids are below it. */
  get capacity(): number {
    return this.rows.length;
  }

  insert(values: Value[], txn: number): number {
    const rowId = this.rows.length;
    this.rows.push(values);
    this.xmin.push(txn);
    this.xmax.push(0);
    return rowId;
  }

  row(rowId: number): Value[] {
    return this.rows[rowId];
  }

  isVisible(rowId: number, txn: number): boolean {
    if (!this.txns.sees(txn, this.xmin[rowId])) return false;
    const deleter = this.xmax[rowId];
    return deleter === 0 || !this.txns.sees(txn, deleter);
  }

  /** The transaction that deleted (or is deleting) this version, if it has not aborted. */
  deleter(rowId: number): number {
    const deleter = this.xmax[rowId];
    return deleter !== 0 && this.txns.statusOf(deleter) !== 'aborted' ? deleter : 0;
  }

  /** True when the version is live or may become live (its creator has not aborted). */
  mayBeLive(rowId: number): boolean {
    if (this.txns.statusOf(this.xmin[rowId]) === 'aborted') return false;
    const deleter = this.xmax[rowId];
    return deleter === 0 || this.txns.statusOf(deleter) !== 'committed';
  }

  /** Whether the version was deleted by `txn`'s own transaction (any of its subtransactions). */
  deletedBySameTransaction(rowId: number, txn: number): boolean {
    const deleter = this.deleter(rowId);
    return deleter !== 0 && this.txns.sameTransaction(deleter, txn);
  }

  markDeleted(rowId: number, txn: number): void {
    this.xmax[rowId] = txn;
  }

  *visibleRowIds(txn: number): Generator<number> {
    const n = this.rows.length;
    for (let rowId = 0; rowId < n; rowId++) if (this.isVisible(rowId, txn)) yield rowId;
  }

  /** TRUNCATE: drops every version at once; returns what `restore` needs to undo it. */
  truncate(): TruncatedVersions {
    const saved = { rows: this.rows, xmin: this.xmin, xmax: this.xmax };
    this.rows = [];
    this.xmin = [];
    this.xmax = [];
    return saved;
  }

  /** Undoes a TRUNCATE (its transaction rolled back). */
  restore(saved: TruncatedVersions): void {
    this.rows = saved.rows;
    this.xmin = saved.xmin;
    this.xmax = saved.xmax;
  }
}

export interface TruncatedVersions {
  readonly rows: Value[][];
  readonly xmin: number[];
  readonly xmax: number[];
}
