/**
 * ALTER TABLE … DROP COLUMN. Rows are positional arrays, so the column's value is cut out of
 * every stored row version and the table's indexes are re-created over the new positions;
 * indexes on the dropped column go with it, as in PostgreSQL. Everything is put back if the
 * transaction rolls back.
 */
import type { IndexDef, Table } from '../catalog/catalog-types.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { Value } from '../types/type.ts';
import { buildIndex, type IndexBuildContext } from './ddl-index.ts';

export function dropColumn(table: Table, at: number, d: IndexBuildContext): void {
  if (table.indexes.some((ix) => ix.expressionKey !== null || ix.predicate)) {
    throw new SqlError(
      SqlState.FeatureNotSupported,
      `cannot drop a column of "${table.name}" while it has expression or partial indexes`,
      { hint: 'Drop the expression and partial indexes first.' },
    );
  }
  const column = table.columns[at];
  const quiet: IndexBuildContext = { ...d, notice: () => undefined };
  const oldIndexes = [...table.indexes];
  // Indexes on the column are dropped; the others are re-created over shifted positions.
  for (const ix of oldIndexes) d.catalog.dropIndex(ix);
  const kept: IndexDef[] = oldIndexes
    .filter((ix) => !ix.columns.includes(at))
    .map((ix) => {
      const columns = ix.columns.map((c) => (c > at ? c - 1 : c));
      return { ...ix, columns, vector: null, keyOf: (row: readonly Value[]) => row[columns[0]] };
    });
  const removed: Value[] = [];
  const store = table.store;
  // Sealed rows leave the column out by attnum when read; in-memory ones lose it now.
  for (let rowId = 0; rowId < store.capacity; rowId++)
    removed.push(store.inMemoryRow(rowId)?.splice(at, 1)[0] ?? null);
  table.columns.splice(at, 1);
  if (column.sequence) column.sequence.schema.sequences.delete(column.sequence.name);
  for (const ix of kept) {
    buildIndex(ix, quiet);
    d.catalog.addIndex(ix);
  }
  d.onUndo(() => {
    for (const ix of kept) d.catalog.dropIndex(ix);
    table.columns.splice(at, 0, column);
    for (let rowId = 0; rowId < removed.length; rowId++)
      store.inMemoryRow(rowId)?.splice(at, 0, removed[rowId]);
    if (column.sequence) column.sequence.schema.sequences.set(column.sequence.name, column.sequence);
    for (const ix of oldIndexes) {
      buildIndex(ix, quiet);
      d.catalog.addIndex(ix);
    }
  });
}
