/**
 * FOREIGN KEY constraints in DDL: adding one (CREATE TABLE, ALTER TABLE … ADD, checked
 * against the existing rows unless NOT VALID), dropping one, and what other DDL must do
 * about them: DROP TABLE and TRUNCATE of a referenced table, dropping the unique index
 * one looks keys up in, dropping a column one uses. Enforcement is exec/foreign-keys.ts.
 */
import {
  type Column,
  columnPositions,
  type ForeignKey,
  type IndexDef,
  referencedIndex,
  type Table,
} from '../catalog/catalog-types.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { referencedRowExists } from '../exec/foreign-keys.ts';
import { asColumnValue } from '../exec/index-scan.ts';
import { valueText } from '../exec/table-writer.ts';
import { sameKeys } from '../plan/rules/index-scan-rule.ts';
import type { TableConstraint } from '../sql/ast-utility.ts';
import type { SqlType } from '../types/type.ts';
import { typeDisplayName } from '../types/value-io.ts';
import { constraintNames, nameTakenInSchema } from './constraint-names.ts';
import type { DdlContext } from './ddl.ts';

/**
 * Adds `c` (a FOREIGN KEY) to `table`. `existing` is true for ALTER TABLE … ADD: the rows
 * there are (as `txn` reads them) are checked unless NOT VALID. CREATE TABLE ignores NOT
 * VALID, as PostgreSQL does (the table is empty).
 */
export function addForeignKey(
  table: Table,
  c: TableConstraint,
  d: DdlContext,
  txn: number,
  existing: boolean,
): void {
  const ref = c.references!;
  const options = c.foreignKey!;
  const refTable = d.catalog.findTable(d.bc.database, ref.table.schema, ref.table.name, d.bc.searchPath);
  if (!refTable) throw new SqlError(SqlState.UndefinedTable, `relation "${ref.table.name}" does not exist`);
  if (refTable.view) {
    throw new SqlError(SqlState.WrongObjectType, `referenced relation "${refTable.name}" is not a table`);
  }
  if (refTable.temporary && !table.temporary) {
    throw new SqlError(
      SqlState.InvalidTableDefinition,
      'constraints on permanent tables may reference only permanent tables',
    );
  }
  const columnOf = (t: Table, name: string) => {
    const column = t.columns.find((x) => x.name === name);
    if (!column) {
      throw new SqlError(
        SqlState.UndefinedColumn,
        `column "${name}" referenced in foreign key constraint does not exist`,
      );
    }
    return column;
  };
  const columns = c.columns.map((name) => columnOf(table, name));
  let refColumns = ref.columns.map((name) => columnOf(refTable, name));
  if (refColumns.length === 0) {
    const primary = refTable.indexes.find((i) => i.primary);
    if (!primary) {
      throw new SqlError(
        SqlState.UndefinedObject,
        `there is no primary key for referenced table "${refTable.name}"`,
      );
    }
    refColumns = primary.columns.map((i) => refTable.columns[i]);
  }
  if (refColumns.length !== columns.length) {
    throw new SqlError(
      SqlState.InvalidForeignKey,
      'number of referencing and referenced columns for foreign key disagree',
    );
  }
  const name =
    c.name ??
    generatedName(
      table,
      columns.map((x) => x.name),
    );
  if (c.name && constraintNames(table).includes(c.name)) {
    throw new SqlError(
      SqlState.DuplicateObject,
      `constraint "${c.name}" for relation "${table.name}" already exists`,
    );
  }
  const fk: ForeignKey = {
    oid: d.catalog.allocateOid(),
    name,
    table,
    columns: columns.map((x) => x.attnum),
    refTable,
    refColumns: refColumns.map((x) => x.attnum),
    onUpdate: options.onUpdate,
    onDelete: options.onDelete,
    matchFull: options.matchFull,
    deferrable: options.deferrable,
    initiallyDeferred: options.initiallyDeferred,
    validated: !(existing && c.notValid),
  };
  if (!referencedIndex(fk)) {
    throw new SqlError(
      SqlState.InvalidForeignKey,
      `there is no unique constraint matching given keys for referenced table "${refTable.name}"`,
    );
  }
  checkKeyTypes(fk);
  if (existing && !c.notValid) checkExistingRows(fk, d, txn);
  d.catalog.addForeignKey(fk);
  d.onUndo(() => d.catalog.dropForeignKey(fk));
}

/**
 * The key columns' types must let referenced keys be looked up by referencing values (42804
 * as PostgreSQL's when no equality joins them); checked again when ALTER COLUMN TYPE
 * changes one (`changed`: a column's new type).
 */
export function checkKeyTypes(
  fk: ForeignKey,
  changed?: (table: Table, column: Column) => SqlType | undefined,
): void {
  const at = columnPositions(fk.table, fk.columns);
  const refAt = columnPositions(fk.refTable, fk.refColumns);
  for (const [k, position] of at.entries()) {
    const column = fk.table.columns[position];
    const refColumn = fk.refTable.columns[refAt[k]];
    const type = changed?.(fk.table, column) ?? column.type;
    const refType = changed?.(fk.refTable, refColumn) ?? refColumn.type;
    if (!sameKeys(refType, type)) {
      throw new SqlError(
        SqlState.DatatypeMismatch,
        `foreign key constraint "${fk.name}" cannot be implemented`,
        {
          detail:
            `Key columns "${column.name}" and "${refColumn.name}" are of incompatible types: ` +
            `${typeDisplayName(type)} and ${typeDisplayName(refType)}.`,
        },
      );
    }
  }
}

/** `<table>_<columns>_fkey`, numbered past names the schema's constraints already use, as in PostgreSQL. */
function generatedName(table: Table, columns: readonly string[]): string {
  const base = `${table.name}_${columns.join('_')}_fkey`;
  let name = base;
  for (let n = 1; nameTakenInSchema(table, name); n++) name = `${base}${n}`;
  return name;
}

/** ALTER TABLE … ADD FOREIGN KEY / VALIDATE CONSTRAINT: every row's key must be found. */
export function checkExistingRows(fk: ForeignKey, d: DdlContext, txn: number): void {
  const table = fk.table;
  const at = columnPositions(table, fk.columns);
  const refAt = columnPositions(fk.refTable, fk.refColumns);
  const store = table.store;
  for (let rowId = 0; rowId < store.capacity; rowId++) {
    if (!store.mayBeLive(rowId) || store.currentState(rowId, txn) !== 'live') continue;
    const row = store.row(rowId);
    const values = at.map((c, k) => asColumnValue(row[c], fk.refTable.columns[refAt[k]].type));
    const nulls = at.filter((c) => row[c] === null).length;
    if (nulls === at.length || (nulls > 0 && !fk.matchFull)) continue;
    if (nulls === 0 && !values.includes(null) && referencedRowExists(fk, values, txn)) continue;
    const detail =
      nulls > 0
        ? 'MATCH FULL does not allow mixing of null and nonnull key values.'
        : `Key (${at.map((c) => table.columns[c].name).join(', ')})=(${at
            .map((c) => valueText(table, c, row[c], d.ctx))
            .join(', ')}) is not present in table "${fk.refTable.name}".`;
    throw new SqlError(
      SqlState.ForeignKeyViolation,
      `insert or update on table "${table.name}" violates foreign key constraint "${fk.name}"`,
      { detail, schema: table.schema.name, table: table.name, constraint: fk.name },
    );
  }
}

/**
 * ALTER TABLE … {ENABLE | DISABLE} TRIGGER {ALL | USER | name}. Quiver's only triggers are
 * the ones PostgreSQL would have for foreign keys: ALL turns this table's part of them off
 * or on (bulk loaders and Rails fixtures disable them), USER has none to change, and a
 * named one does not exist.
 */
export function setForeignKeyTriggers(table: Table, enable: boolean, which: string, d: DdlContext): void {
  if (which === 'user') return;
  if (which !== 'all') {
    throw new SqlError(
      SqlState.UndefinedObject,
      `trigger "${which}" for table "${table.name}" does not exist`,
    );
  }
  const before = table.foreignKeyTriggersDisabled;
  table.foreignKeyTriggersDisabled = enable ? undefined : true;
  d.onUndo(() => {
    table.foreignKeyTriggersDisabled = before;
  });
}

/** Drops `fk` (undone with its transaction). */
export function dropForeignKey(fk: ForeignKey, d: DdlContext): void {
  d.catalog.dropForeignKey(fk);
  d.onUndo(() => d.catalog.addForeignKey(fk));
}

const DEPENDS_HINT = 'Use DROP ... CASCADE to drop the dependent objects too.';

/**
 * Dependents are foreign keys of other tables that go with `what` (named as in
 * PostgreSQL's "cannot drop … because other objects depend on it"): without CASCADE they
 * stop the statement (2BP01); with it they are dropped, with PostgreSQL's NOTICE.
 */
export function dropDependentKeys(
  dependents: readonly ForeignKey[],
  what: { readonly object: string; readonly dependsOn: string },
  cascade: boolean,
  d: DdlContext,
): void {
  if (dependents.length === 0) return;
  const lines = dependents.map(
    (fk) => `constraint ${fk.name} on table ${fk.table.name} depends on ${what.dependsOn}`,
  );
  if (!cascade) {
    throw new SqlError(
      SqlState.DependentObjectsStillExist,
      `cannot drop ${what.object} because other objects depend on it`,
      { detail: lines.join('\n'), hint: DEPENDS_HINT },
    );
  }
  const dropped = dependents.map((fk) => `drop cascades to constraint ${fk.name} on table ${fk.table.name}`);
  if (dropped.length === 1) d.notice(dropped[0]);
  else d.notice(`drop cascades to ${dropped.length} other objects`, dropped.join('\n'));
  for (const fk of dependents) dropForeignKey(fk, d);
}

/** Foreign keys of tables outside `dropping` that reference `table` (DROP TABLE's dependents). */
export function keysReferencing(table: Table, dropping: ReadonlySet<Table>): ForeignKey[] {
  return table.referencedBy.filter((fk) => !dropping.has(fk.table));
}

/** Foreign keys that look their keys up in `index` (dropping it would leave them without one). */
export function keysUsingIndex(index: IndexDef): ForeignKey[] {
  return index.table.referencedBy.filter((fk) => referencedIndex(fk) === index);
}

/**
 * TRUNCATE of `tables`: a table referenced from one not being truncated is refused
 * (0A000), or with CASCADE truncated too. Returns every table to truncate.
 */
export function truncateSet(tables: readonly Table[], cascade: boolean, d: DdlContext): Table[] {
  const all = [...tables];
  for (let i = 0; i < all.length; i++) {
    for (const fk of all[i].referencedBy) {
      if (all.includes(fk.table)) continue;
      if (!cascade) {
        throw new SqlError(
          SqlState.FeatureNotSupported,
          'cannot truncate a table referenced in a foreign key constraint',
          {
            detail: `Table "${fk.table.name}" references "${all[i].name}".`,
            hint: `Truncate table "${fk.table.name}" at the same time, or use TRUNCATE ... CASCADE.`,
          },
        );
      }
      d.notice(`truncate cascades to table "${fk.table.name}"`);
      all.push(fk.table);
    }
  }
  return all;
}
