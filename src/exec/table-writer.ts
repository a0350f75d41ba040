/**
 * Writes row versions into a table: NOT NULL and unique checks, typmod-checked values,
 * and maintenance of its indexes (key maps for btree indexes over columns or one expression —
 * PRIMARY KEY, UNIQUE and plain ones, a partial one only for the rows its WHERE passes —,
 * their rows in key order once a query has used it, vector indexes for hnsw/ivfflat). Rows
 * with NULL vectors (and zero vectors under cosine) are not added to vector indexes, as in
 * pgvector.
 */
import { type IndexDef, indexedRow, keyed, type Table } from '../catalog/catalog-types.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { TableStore } from '../storage/table-store.ts';
import { type ColumnIndex, checkIndexedValue, indexable } from '../storage/vector/column-index.ts';
import { compareValues, hashKey } from '../types/compare.ts';
import { typeInfo } from '../types/registry.ts';
import type { EvalContext } from '../types/registry-types.ts';
import type { SqlType, Value } from '../types/type.ts';
import { type KeyOrder, OrderedKeys } from './ordered-keys.ts';

/**
 * Per keyed btree index: key → the row id holding it, or the row ids when several versions
 * do (other rows of a plain index, dead versions, in-flight deletes), in the order they were
 * added. One id is stored bare: a load of distinct keys allocates no array per row. The map
 * only grows (until the index is rebuilt): readers check each row's visibility.
 */
const indexKeys = new WeakMap<IndexDef, Map<string | number, number | number[]>>();

function keyMap(index: IndexDef): Map<string | number, number | number[]> {
  let map = indexKeys.get(index);
  if (!map) {
    map = new Map();
    indexKeys.set(index, map);
  }
  return map;
}

/**
 * Per keyed btree index whose order a query has used: its rows in key order
 * (ordered-keys.ts). Made at the first such query, kept up to date by every insert after that.
 */
const orderedKeys = new WeakMap<IndexDef, OrderedKeys>();

/** `row`'s key in `index`'s order: its one column's or expression's value, or its columns' tuple. */
function orderKey(index: IndexDef, row: readonly Value[]): Value {
  const columns = index.columns;
  if (columns.length === 0) return index.keyOf(row);
  if (columns.length === 1) return row[columns[0]];
  return columns.map((c) => row[c]) as unknown as Value;
}

/** A btree's order over `index`'s keys: each key by its type, NULL after every value. */
function keyOrder(index: IndexDef): KeyOrder {
  const types = index.columns.length > 0 ? index.columns.map((_, i) => keyTypeAt(index, i)) : [index.keyType];
  const one = (type: SqlType, a: Value, b: Value) =>
    a === null ? (b === null ? 0 : 1) : b === null ? -1 : compareValues(type, a, b);
  if (types.length === 1) {
    return {
      compare: (a, b) => one(types[0], a, b),
      compareToPrefix: (key, prefix) => (prefix.length === 0 ? 0 : one(types[0], key, prefix[0])),
    };
  }
  const upTo = (a: readonly Value[], b: readonly Value[], n: number) => {
    for (let i = 0; i < n; i++) {
      const c = one(types[i], a[i], b[i]);
      if (c !== 0) return c;
    }
    return 0;
  };
  return {
    compare: (a, b) => upTo(a as unknown as Value[], b as unknown as Value[], types.length),
    compareToPrefix: (key, prefix) => upTo(key as unknown as Value[], prefix, prefix.length),
  };
}

/**
 * The row versions an index built now holds: those that may be live, and deleted ones too
 * while a repeatable-read snapshot is open (it may still see them, and lookups through the
 * index must find them).
 */
export function versionsToIndex(store: TableStore): (rowId: number) => boolean {
  const keepDeleted = store.hasOpenSnapshots();
  return (rowId) => (keepDeleted ? store.creatorStatus(rowId) !== 'aborted' : store.mayBeLive(rowId));
}

/**
 * `index`'s rows in key order, filled from the table's rows the first time (and after a
 * rebuild) with the versions a rebuilt key map would hold (versionsToIndex).
 */
export function orderedKeysOf(index: IndexDef): OrderedKeys {
  let ordered = orderedKeys.get(index);
  if (!ordered) {
    ordered = new OrderedKeys(keyOrder(index));
    ordered.invalidate();
    orderedKeys.set(index, ordered);
  }
  if (ordered.stale) {
    ordered.stale = false;
    const store = index.table.store;
    const wanted = versionsToIndex(store);
    for (let rowId = 0; rowId < store.capacity; rowId++) {
      if (!wanted(rowId)) continue;
      const row = store.row(rowId);
      if (indexedRow(index, row)) ordered.add(orderKey(index, row), rowId);
    }
  }
  return ordered;
}

function addOrdered(index: IndexDef, row: readonly Value[], rowId: number): void {
  const ordered = orderedKeys.get(index);
  if (ordered && !ordered.stale && indexedRow(index, row)) ordered.add(orderKey(index, row), rowId);
}

/** How many row ids `index`'s key map holds (its size, for pg_relation_size). */
export function keyMapSize(index: IndexDef): number {
  let n = 0;
  for (const held of indexKeys.get(index)?.values() ?? []) n += typeof held === 'number' ? 1 : held.length;
  return n;
}

/** The row ids whose versions held `key` in `index` (any visibility), or undefined. */
export function rowIdsWithKey(index: IndexDef, key: string | number): number | readonly number[] | undefined {
  return indexKeys.get(index)?.get(key);
}

/** A column value as an error's DETAIL shows it. */
export function valueText(table: Table, col: number, v: Value, ctx: EvalContext): string {
  if (v === null) return 'null';
  const t = table.columns[col].type;
  const info = typeInfo(t.base);
  return t.isArray ? String(v) : info.textOut(v, ctx);
}

/**
 * The key of `row` in `index`'s key map, or null when a key is NULL (never equal, never
 * conflicts). A one-column key whose hash is a number is that number (no string built per
 * row). Does not check a partial index's WHERE: `rowKey` does.
 */
export function indexKey(index: IndexDef, row: readonly Value[]): string | number | null {
  const columns = index.columns;
  if (columns.length === 0) return oneKey(index.keyType, index.keyOf(row));
  if (columns.length === 1) return oneKey(index.table.columns[columns[0]].type, row[columns[0]]);
  return valuesKey(
    index,
    columns.map((c) => row[c]),
  );
}

function oneKey(type: SqlType, v: Value): string | number | null {
  if (v === null) return null;
  const h = hashKey(type, v);
  return typeof h === 'number' ? h : `\u0001${h}`;
}

/** The key a stored row has in `index`, or null when it has none (a NULL key, or left out by a partial index's WHERE). */
export function rowKey(index: IndexDef, row: readonly Value[]): string | number | null {
  return indexedRow(index, row) ? indexKey(index, row) : null;
}

/** The type of key `at` of a keyed index: its column's, or its expression's. */
export function keyTypeAt(index: IndexDef, at: number): SqlType {
  return index.columns.length > 0 ? index.table.columns[index.columns[at]].type : index.keyType;
}

/** The key-map key of looked-up key values (one per key of the index), as indexKey builds it from a row. */
export function valuesKey(index: IndexDef, values: readonly Value[]): string | number | null {
  if (values.length === 1) return oneKey(keyTypeAt(index, 0), values[0]);
  let key = '';
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null) return null;
    key += `\u0001${String(hashKey(keyTypeAt(index, i), values[i]))}`;
  }
  return key;
}

/** Row id of a live (or in-flight) version holding `key`, if any. */
function conflictOf(index: IndexDef, key: string | number | null, txn: number, ignoreRowId: number): number {
  if (key === null) return -1;
  const held = keyMap(index).get(key);
  if (held === undefined) return -1;
  const store = index.table.store;
  const live = (rowId: number) =>
    rowId !== ignoreRowId && store.mayBeLive(rowId) && !store.deletedBySameTransaction(rowId, txn);
  if (typeof held === 'number') return live(held) ? held : -1;
  for (const rowId of held) if (live(rowId)) return rowId;
  return -1;
}

/** Row id of a live (or in-flight) version holding the same unique key, if any. */
export function findConflict(index: IndexDef, row: readonly Value[], txn: number, ignoreRowId = -1): number {
  return conflictOf(index, rowKey(index, row), txn, ignoreRowId);
}

function addKey(index: IndexDef, key: string | number | null, rowId: number): void {
  if (key === null) return;
  const map = keyMap(index);
  const held = map.get(key);
  if (held === undefined) map.set(key, rowId);
  else if (typeof held === 'number') map.set(key, [held, rowId]);
  else held.push(rowId);
}

/** `(email, n)` or `(lower(email))`: the keys as a unique violation's DETAIL names them. */
export function keyNames(index: IndexDef): string {
  if (index.columns.length === 0) return index.expressionText?.('pretty key') ?? '';
  return index.columns.map((c) => index.table.columns[c].name).join(', ');
}

/** `a@x, 3`: `row`'s key values as a unique violation's DETAIL shows them. */
export function keyValuesText(index: IndexDef, row: readonly Value[], ctx: EvalContext): string {
  if (index.columns.length === 0) {
    const v = index.keyOf(row);
    return v === null ? 'null' : typeInfo(index.keyType.base).textOut(v, ctx);
  }
  return index.columns.map((c) => valueText(index.table, c, row[c], ctx)).join(', ');
}

export function uniqueViolation(index: IndexDef, row: readonly Value[], ctx: EvalContext): SqlError {
  const table = index.table;
  return new SqlError(
    SqlState.UniqueViolation,
    `duplicate key value violates unique constraint "${index.name}"`,
    {
      detail: `Key (${keyNames(index)})=(${keyValuesText(index, row, ctx)}) already exists.`,
      schema: table.schema.name,
      table: table.name,
      constraint: index.name,
    },
  );
}

export function addToIndex(index: IndexDef, row: readonly Value[], rowId: number): void {
  if (keyed(index)) {
    addKey(index, rowKey(index, row), rowId);
    addOrdered(index, row, rowId);
  }
  addToVectorIndex(index, row, rowId);
}

function addToVectorIndex(index: IndexDef, row: readonly Value[], rowId: number): void {
  if (index.vector) addToColumnIndex(index, index.vector, row, rowId);
}

/** Adds a row to `vector`, the search structure of vector index `index` (which may not have it yet). */
export function addToColumnIndex(
  index: IndexDef,
  vector: ColumnIndex,
  row: readonly Value[],
  rowId: number,
): void {
  if (!indexedRow(index, row)) return;
  const v = index.keyOf(row);
  if (!indexable(v, index.metric!)) return;
  checkIndexedValue(index, v);
  vector.index.add(rowId, vector.encode(v));
}

/**
 * `to` holds the same keys as `from` (a read replica's next catalog after DDL, where the
 * same index is a new object): they share one key map.
 */
export function shareIndexKeys(from: IndexDef, to: IndexDef): void {
  const map = indexKeys.get(from);
  if (map) indexKeys.set(to, map);
  const ordered = orderedKeys.get(from);
  if (ordered) orderedKeys.set(to, ordered);
}

/**
 * Empties an index's key map (before a rebuild). In place: a read replica's catalogs before
 * and after DDL share the map (shareIndexKeys), and a TRUNCATE rebuilt through one of them
 * must not leave the other finding row ids from before it.
 */
export function resetIndexKeys(index: IndexDef): void {
  indexKeys.get(index)?.clear();
  orderedKeys.get(index)?.invalidate();
}

export interface WriteOptions {
  readonly txn: number;
  readonly ctx: EvalContext;
  /** Row id being replaced (UPDATE), excluded from unique checks. */
  readonly replacing?: number;
  /**
   * False for a table rewrite (ALTER COLUMN TYPE), which tests its rows against the validated
   * CHECK constraints itself: a NOT VALID one does not apply to the rows it rewrites.
   */
  readonly checks?: boolean;
}

/** `Failing row contains (…).`: a NOT NULL or CHECK violation's DETAIL. */
function failingRow(table: Table, row: readonly Value[], ctx: EvalContext): string {
  const shown = row.map((v, j) => (v === null ? 'null' : valueText(table, j, v, ctx))).join(', ');
  return `Failing row contains (${shown}).`;
}

export function checkNotNull(table: Table, row: readonly Value[], ctx: EvalContext): void {
  for (let i = 0; i < table.columns.length; i++) {
    const c = table.columns[i];
    if (c.notNull && row[i] === null) {
      throw new SqlError(
        SqlState.NotNullViolation,
        `null value in column "${c.name}" of relation "${table.name}" violates not-null constraint`,
        {
          detail: failingRow(table, row, ctx),
          schema: table.schema.name,
          table: table.name,
          column: c.name,
        },
      );
    }
  }
}

/**
 * The table's CHECK constraints, in name order, NOT VALID ones too (they apply to new rows),
 * as PostgreSQL's ExecConstraints tests them after NOT NULL.
 */
export function checkConstraints(table: Table, row: readonly Value[], ctx: EvalContext): void {
  const checks = table.checks;
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i];
    if (check.passes(row, ctx)) continue;
    throw new SqlError(
      SqlState.CheckViolation,
      `new row for relation "${table.name}" violates check constraint "${check.name}"`,
      {
        detail: failingRow(table, row, ctx),
        schema: table.schema.name,
        table: table.name,
        constraint: check.name,
      },
    );
  }
}

/** Inserts one fully-formed row version; returns its row id. */
export function writeRow(table: Table, row: Value[], opts: WriteOptions): number {
  checkNotNull(table, row, opts.ctx);
  if (table.checks.length > 0 && opts.checks !== false) checkConstraints(table, row, opts.ctx);
  const indexes = table.indexes;
  // Each key is computed once, for the unique check and for the index.
  let keys: (string | number | null)[] | undefined;
  for (let i = 0; i < indexes.length; i++) {
    const index = indexes[i];
    if (!keyed(index)) continue;
    const key = rowKey(index, row);
    if (index.unique && conflictOf(index, key, opts.txn, opts.replacing ?? -1) >= 0)
      throw uniqueViolation(index, row, opts.ctx);
    keys ??= new Array(indexes.length);
    keys[i] = key;
  }
  const rowId = table.store.insert(row, opts.txn);
  for (let i = 0; i < indexes.length; i++) {
    if (keys?.[i] !== undefined) {
      addKey(indexes[i], keys[i], rowId);
      addOrdered(indexes[i], row, rowId);
    }
    addToVectorIndex(indexes[i], row, rowId);
  }
  return rowId;
}

/** Marks a version deleted by `txn`; concurrent writers get a serialization error. */
export function deleteRow(table: Table, rowId: number, txn: number): void {
  if (table.store.deleter(rowId) !== 0 && !table.store.deletedBySameTransaction(rowId, txn)) {
    throw new SqlError(SqlState.SerializationFailure, 'could not serialize access due to concurrent update');
  }
  table.store.markDeleted(rowId, txn);
}
