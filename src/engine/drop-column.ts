/**
 * ALTER TABLE … DROP COLUMN. Rows are positional arrays, so the column's value is cut out of
 * every stored row version and the table's indexes are re-created over the new positions
 * (index expressions and WHERE clauses bound again from their stored text); indexes that
 * use the column — as a key, in an expression or in a WHERE — go with it, as in PostgreSQL,
 * and so do the CHECK constraints that read it (the others are bound again) and the table's
 * foreign keys over it; foreign keys referencing it stop the drop unless CASCADE.
 * Everything is put back if the transaction rolls back.
 */
import type { IndexDef, Table } from '../catalog/catalog-types.ts';
import type { Value } from '../types/type.ts';
import { checkUsesColumn, rebindChecks } from './check-constraints.ts';
import type { DdlContext } from './ddl.ts';
import { buildIndex, type IndexBuildContext } from './ddl-index.ts';
import { dropDependentKeys, dropForeignKey } from './foreign-key-ddl.ts';
import { indexUsesColumn, reboundIndex } from './index-expressions.ts';

export function dropColumn(table: Table, at: number, cascade: boolean, d: DdlContext): void {
  const column = table.columns[at];
  // This table's foreign keys over the column go with it; ones referencing it depend on it.
  for (const fk of [...table.foreignKeys]) if (fk.columns.includes(column.attnum)) dropForeignKey(fk, d);
  const what = `column ${column.name} of table ${table.name}`;
  const dependents = table.referencedBy.filter((fk) => fk.refColumns.includes(column.attnum));
  dropDependentKeys(dependents, { object: what, dependsOn: what }, cascade, d);
  const quiet: IndexBuildContext = { ...d, notice: () => undefined };
  const oldIndexes = [...table.indexes];
  // Indexes that use the column are dropped; the others are re-created over shifted positions.
  for (const ix of oldIndexes) d.catalog.dropIndex(ix);
  const survivors = oldIndexes.filter(
    (ix) => !indexUsesColumn(ix, at, column.name) && !ix.include?.includes(at),
  );
  const removed: Value[] = [];
  const store = table.store;
  // Sealed rows leave the column out by attnum when read; in-memory ones lose it now.
  for (let rowId = 0; rowId < store.capacity; rowId++)
    removed.push(store.inMemoryRow(rowId)?.splice(at, 1)[0] ?? null);
  table.columns.splice(at, 1);
  if (column.sequence) column.sequence.schema.sequences.delete(column.sequence.name);
  const kept = survivors.map((ix) => shifted(ix, at, d));
  const undoChecks = rebindChecks(table, (c) => !checkUsesColumn(c, at), d);
  for (const ix of kept) {
    buildIndex(ix, quiet);
    d.catalog.addIndex(ix);
  }
  d.onUndo(() => {
    undoChecks();
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

/** `ix` over the table's columns after the one at `at` was cut out. */
function shifted(ix: IndexDef, at: number, d: DdlContext): IndexDef {
  const shift = (c: number) => (c > at ? c - 1 : c);
  return { ...reboundIndex(ix, ix.columns.map(shift), d.bc, d.ctx), include: ix.include?.map(shift) };
}
