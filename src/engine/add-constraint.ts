/**
 * ALTER TABLE … ADD CONSTRAINT, as migration tools emit it (knex adds every UNIQUE and
 * FOREIGN KEY after CREATE TABLE). PRIMARY KEY and UNIQUE build their unique btree index
 * over the existing rows (duplicates fail with 23505, as in PostgreSQL). CHECK and FOREIGN
 * KEY test the existing rows unless NOT VALID (check-constraints.ts, foreign-key-ddl.ts).
 */
import type { Table } from '../catalog/catalog-types.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { TableConstraint } from '../sql/ast-utility.ts';
import { addCheckConstraint, dropCheckConstraint } from './check-constraints.ts';
import type { DdlContext } from './ddl.ts';
import { createConstraintIndex } from './ddl-index.ts';
import { addForeignKey, dropDependentKeys, dropForeignKey, keysUsingIndex } from './foreign-key-ddl.ts';

/** `txn` is the statement's transaction: PRIMARY KEY checks the rows it sees for NULLs. */
export function addConstraint(table: Table, c: TableConstraint, d: DdlContext, txn: number): void {
  const column = (name: string) => {
    const at = table.columns.findIndex((x) => x.name === name);
    if (at < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${name}" named in key does not exist`);
    return at;
  };
  if (c.type === 'foreign key') {
    addForeignKey(table, c, d, txn, true);
    return;
  }
  if (c.type === 'check') {
    addCheckConstraint(table, c, d, txn, null);
    return;
  }
  const primary = c.type === 'primary key';
  const columns = c.columns.map(column);
  if (primary && table.indexes.some((i) => i.primary)) {
    throw new SqlError(
      SqlState.InvalidTableDefinition,
      `multiple primary keys for table "${table.name}" are not allowed`,
    );
  }
  const names = columns.map((i) => table.columns[i].name);
  const named = [...names, ...(c.include ?? [])];
  const name = c.name ?? (primary ? `${table.name}_pkey` : `${table.name}_${named.join('_')}_key`);
  if (table.checks.some((x) => x.name === name)) {
    throw new SqlError(
      SqlState.DuplicateObject,
      `constraint "${name}" for relation "${table.name}" already exists`,
    );
  }
  if (d.catalog.relationExists(table.schema, name)) {
    throw new SqlError(SqlState.DuplicateTable, `relation "${name}" already exists`);
  }
  if (primary) {
    for (const i of columns) {
      if (table.columns[i].notNull) continue;
      for (const rowId of table.store.visibleRowIds(txn)) {
        if (table.store.row(rowId)[i] === null) {
          throw new SqlError(
            SqlState.NotNullViolation,
            `column "${table.columns[i].name}" of relation "${table.name}" contains null values`,
          );
        }
      }
    }
  }
  createConstraintIndex(table, name, columns, primary, d, c.include);
  if (primary) {
    const previous = columns.map((i) => table.columns[i].notNull);
    for (const i of columns) table.columns[i].notNull = true;
    d.onUndo(() => {
      for (const [k, i] of columns.entries()) table.columns[i].notNull = previous[k];
    });
  }
}

/**
 * ALTER TABLE … DROP CONSTRAINT of a CHECK constraint, or of a PRIMARY KEY or UNIQUE
 * constraint: its index goes (the columns of a primary key stay NOT NULL, as in PostgreSQL).
 * FOREIGN KEY constraints are not kept (see above), so their names are "does not exist".
 */
export function dropConstraint(
  table: Table,
  name: string,
  ifExists: boolean,
  cascade: boolean,
  rc: { readonly ddl: DdlContext },
  notice: (message: string) => void,
): void {
  const fk = table.foreignKeys.find((f) => f.name === name);
  if (fk) {
    dropForeignKey(fk, rc.ddl);
    return;
  }
  if (dropCheckConstraint(table, name, rc.ddl)) return;
  const index = table.indexes.find((ix) => ix.constraint === name);
  if (!index) {
    const message = `constraint "${name}" of relation "${table.name}" does not exist`;
    if (ifExists) notice(`${message}, skipping`);
    else throw new SqlError(SqlState.UndefinedObject, message);
    return;
  }
  dropDependentKeys(
    keysUsingIndex(index),
    { object: `constraint ${name} on table ${table.name}`, dependsOn: `index ${index.name}` },
    cascade,
    rc.ddl,
  );
  rc.ddl.catalog.dropIndex(index);
  rc.ddl.onUndo(() => rc.ddl.catalog.addIndex(index));
}
