/**
 * Where a table's sealed rows are: for each row id, which sealed segment holds it and at
 * which position. Their values are not kept as row arrays; a row is assembled from the
 * segment's columns (through the segment cache) when asked for, in the table's current
 * column order: columns are matched by attnum, columns added since take their `missing`
 * value, dropped ones are left out.
 */
import type { SqlType, Value } from '../types/type.ts';
import type { SegmentHandle } from './segment-cache.ts';

/** What a stored row must look like now: the table's columns. */
export interface ColumnSlot {
  readonly attnum: number;
  /** The attnum its values are stored under, when not `attnum` (see storedAttnum). */
  readonly storedAs?: number;
  readonly type: SqlType;
  readonly missing?: Value;
}

/**
 * The number a column's values are stored under in segments and WAL records. It is the
 * column's attnum until ALTER COLUMN TYPE, which rewrites the rows under a fresh number so
 * that values stored with the old type are never read as the new one.
 */
export function storedAttnum(slot: ColumnSlot): number {
  return slot.storedAs ?? slot.attnum;
}

export interface SealedPart {
  readonly handle: SegmentHandle;
  /** attnum of each segment column, in order. */
  readonly attnums: readonly number[];
  /** Segment column index by attnum. */
  readonly columnOf: ReadonlyMap<number, number>;
  readonly rows: number;
  /** Row id of the segment's first row (a spilled segment's rows share one creator). */
  readonly firstRowId: number;
}

export function sealedPart(
  handle: SegmentHandle,
  attnums: readonly number[],
  rowIds: ArrayLike<number>,
): SealedPart {
  return {
    handle,
    attnums,
    columnOf: new Map(attnums.map((a, i) => [a, i])),
    rows: rowIds.length,
    firstRowId: rowIds.length > 0 ? rowIds[0] : -1,
  };
}

export interface SealedState {
  readonly parts: readonly SealedPart[];
  readonly part: Int32Array;
  readonly offset: Int32Array;
}

export class SealedRows {
  private parts: SealedPart[] = [];
  /** Per row id: index into `parts` plus one (0 = not sealed). */
  private part: Int32Array = new Int32Array(0);
  private offset: Int32Array = new Int32Array(0);

  has(rowId: number): boolean {
    return rowId < this.part.length && this.part[rowId] !== 0;
  }

  /** Every part some row id still points into. */
  allParts(): readonly SealedPart[] {
    return this.parts;
  }

  /** Rows `rowIds[i]` are now at position i of `part`. */
  add(part: SealedPart, rowIds: ArrayLike<number>): void {
    const index = this.parts.push(part);
    let top = 0;
    for (let i = 0; i < rowIds.length; i++) top = Math.max(top, rowIds[i] + 1);
    this.grow(top);
    for (let i = 0; i < rowIds.length; i++) {
      this.part[rowIds[i]] = index;
      this.offset[rowIds[i]] = i;
    }
  }

  /** Forgets a row's sealed copy (compaction dropped it: it was deleted). */
  forget(rowId: number): void {
    if (rowId < this.part.length) this.part[rowId] = 0;
  }

  /** Drops parts no row points into any more; returns them. */
  prune(): SealedPart[] {
    const used = new Set<number>();
    for (let i = 0; i < this.part.length; i++) if (this.part[i] !== 0) used.add(this.part[i] - 1);
    const dropped = this.parts.filter((_, i) => !used.has(i));
    if (dropped.length === 0) return [];
    const renumber = new Map<number, number>();
    const kept: SealedPart[] = [];
    this.parts.forEach((p, i) => {
      if (used.has(i)) renumber.set(i + 1, kept.push(p));
    });
    for (let i = 0; i < this.part.length; i++)
      if (this.part[i] !== 0) this.part[i] = renumber.get(this.part[i])!;
    this.parts = kept;
    return dropped;
  }

  row(rowId: number, layout: readonly ColumnSlot[]): Value[] {
    const part = this.parts[this.part[rowId] - 1];
    const at = this.offset[rowId];
    const { columns } = part.handle.get();
    const out: Value[] = new Array(layout.length);
    for (let c = 0; c < layout.length; c++) {
      const i = part.columnOf.get(storedAttnum(layout[c]));
      if (i === undefined) {
        out[c] = layout[c].missing ?? null;
        continue;
      }
      const column = columns[i];
      out[c] = Array.isArray(column) ? column[at] : vectorAt(column as VectorLike, at);
    }
    return out;
  }

  /** Another table store's sealed rows, the same parts (reshaped stores). */
  copy(): SealedRows {
    const copy = new SealedRows();
    copy.parts = [...this.parts];
    copy.part = this.part.slice();
    copy.offset = this.offset.slice();
    return copy;
  }

  /** TRUNCATE: everything goes; returns what `restore` needs to undo it. */
  clear(): SealedState {
    const saved = { parts: this.parts, part: this.part, offset: this.offset };
    this.parts = [];
    this.part = new Int32Array(0);
    this.offset = new Int32Array(0);
    return saved;
  }

  restore(saved: SealedState): void {
    this.parts = [...saved.parts];
    this.part = saved.part;
    this.offset = saved.offset;
  }

  private grow(size: number): void {
    if (size <= this.part.length) return;
    const length = Math.max(size, this.part.length * 2, 1024);
    const part = new Int32Array(length);
    part.set(this.part);
    const offset = new Int32Array(length);
    offset.set(this.offset);
    this.part = part;
    this.offset = offset;
  }
}

interface VectorLike {
  isNull(row: number): boolean;
  vector(row: number): Float32Array;
}

function vectorAt(column: VectorLike, row: number): Value {
  return column.isNull(row) ? null : column.vector(row);
}
