/**
 * ALTER TABLE: add and drop columns (existing rows get the default), NOT NULL and DEFAULT
 * changes, column types (alter-column-type.ts), renames, added constraints (add-constraint.ts),
 * CHECK constraints validated and renamed (check-constraints.ts).
 */
import { bindDefault } from '../bind/bind-dml.ts';
import { resolveTypeName } from '../bind/resolve-type-name.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { compileExpr } from '../exec/compile-expr.ts';
import type { AlterTableStmt } from '../sql/ast-utility.ts';
import { addConstraint, dropConstraint } from './add-constraint.ts';
import { alterColumnTypes } from './alter-column-type.ts';
import { renameColumnInChecks, renameConstraint, validateConstraint } from './check-constraints.ts';
import { dropColumn } from './drop-column.ts';
import { setForeignKeyTriggers } from './foreign-key-ddl.ts';
import { renameColumnInIndexes } from './index-expressions.ts';
import type { RunContext } from './statement-runner.ts';

export function alterTable(stmt: AlterTableStmt, rc: RunContext, notice: (m: string) => void): string {
  const bc = rc.bc;
  const table = bc.catalog.findTable(bc.database, stmt.table.schema, stmt.table.name, bc.searchPath);
  if (!table) {
    if (stmt.ifExists) {
      notice(`relation "${stmt.table.name}" does not exist, skipping`);
      return 'ALTER TABLE';
    }
    throw new SqlError(SqlState.UndefinedTable, `relation "${stmt.table.name}" does not exist`);
  }
  const column = (name: string) => {
    const c = table.columns.find((x) => x.name === name);
    if (!c)
      throw new SqlError(
        SqlState.UndefinedColumn,
        `column "${name}" of relation "${table.name}" does not exist`,
      );
    return c;
  };
  for (let i = 0; i < stmt.actions.length; i++) {
    const action = stmt.actions[i];
    switch (action.type) {
      case 'add column': {
        const def = action.column;
        if (table.columns.some((c) => c.name === def.name)) {
          if (action.ifNotExists) {
            notice(`column "${def.name}" of relation "${table.name}" already exists, skipping`);
            continue;
          }
          throw new SqlError(
            SqlState.DuplicateColumn,
            `column "${def.name}" of relation "${table.name}" already exists`,
          );
        }
        const col = {
          name: def.name,
          type: resolveTypeName(def.type, bc),
          notNull: def.notNull || def.primaryKey,
          default: def.default,
          defaultText: null,
          identity: null,
          sequence: null,
          attnum: Math.max(0, ...table.columns.map((c) => c.attnum)) + 1,
        };
        const bound = bindDefault(col, bc);
        const value = bound ? compileExpr(bound)([], rc.env) : null;
        if (col.notNull && value === null && table.store.capacity > 0) {
          throw new SqlError(
            SqlState.NotNullViolation,
            `column "${def.name}" of relation "${table.name}" contains null values`,
          );
        }
        const capacity = table.store.capacity;
        // Sealed rows take the new column's `missing` value when read; in-memory ones get it now.
        for (let rowId = 0; rowId < capacity; rowId++) table.store.inMemoryRow(rowId)?.push(value);
        table.columns.push({ ...col, missing: value });
        rc.ddl.onUndo(() => {
          table.columns.pop();
          for (let rowId = 0; rowId < capacity; rowId++) table.store.inMemoryRow(rowId)?.pop();
        });
        break;
      }
      case 'alter column set not null':
      case 'alter column drop not null': {
        const c = column(action.name);
        const old = c.notNull;
        const at = table.columns.indexOf(c);
        if (action.type === 'alter column set not null') {
          for (const rowId of table.store.visibleRowIds(rc.env.txn)) {
            if (table.store.row(rowId)[at] === null) {
              throw new SqlError(
                SqlState.NotNullViolation,
                `column "${c.name}" of relation "${table.name}" contains null values`,
              );
            }
          }
        }
        c.notNull = action.type === 'alter column set not null';
        rc.ddl.onUndo(() => {
          c.notNull = old;
        });
        break;
      }
      case 'alter column set default': {
        const c = column(action.name);
        const old = c.default;
        c.default = action.default;
        rc.ddl.onUndo(() => {
          c.default = old;
        });
        break;
      }
      case 'drop column': {
        const at = table.columns.findIndex((c) => c.name === action.name);
        if (at < 0) {
          if (action.ifExists) {
            notice(`column "${action.name}" of relation "${table.name}" does not exist, skipping`);
            continue;
          }
          throw new SqlError(
            SqlState.UndefinedColumn,
            `column "${action.name}" of relation "${table.name}" does not exist`,
          );
        }
        dropColumn(table, at, action.cascade, rc.ddl);
        break;
      }
      case 'rename column': {
        const c = column(action.name);
        const at = table.columns.indexOf(c);
        if (table.columns.some((x) => x.name === action.newName)) {
          throw new SqlError(
            SqlState.DuplicateColumn,
            `column "${action.newName}" of relation "${table.name}" already exists`,
          );
        }
        table.columns[at] = { ...c, name: action.newName };
        const undoIndexes = renameColumnInIndexes(table, c.name, action.newName);
        const undoChecks = renameColumnInChecks(table, c.name, action.newName);
        rc.ddl.onUndo(() => {
          table.columns[at] = c;
          undoIndexes();
          undoChecks();
        });
        break;
      }
      case 'rename table': {
        const oldName = table.name;
        if (bc.catalog.relationExists(table.schema, action.newName)) {
          throw new SqlError(SqlState.DuplicateTable, `relation "${action.newName}" already exists`);
        }
        const rename = (from: string, to: string) => {
          table.schema.tables.delete(from);
          table.name = to;
          table.schema.tables.set(to, table);
        };
        rename(oldName, action.newName);
        rc.ddl.onUndo(() => rename(action.newName, oldName));
        return 'ALTER TABLE';
      }
      case 'alter column type': {
        const changed = stmt.actions.filter((a) => a.type === 'alter column type' && a.name === action.name);
        if (changed.length > 1) {
          throw new SqlError(
            SqlState.FeatureNotSupported,
            `cannot alter type of column "${action.name}" twice`,
          );
        }
        // A run of type changes is one rewrite: each USING sees the row as it was.
        const run = [action];
        for (let next = stmt.actions[i + 1]; next?.type === 'alter column type'; next = stmt.actions[i + 1]) {
          run.push(next);
          i++;
        }
        alterColumnTypes(table, run, rc);
        break;
      }
      case 'add constraint':
        addConstraint(table, action.constraint, rc.ddl, rc.env.txn);
        break;
      case 'drop constraint':
        dropConstraint(table, action.name, action.ifExists, action.cascade, rc, notice);
        break;
      case 'validate constraint':
        validateConstraint(table, action.name, rc.ddl, rc.env.txn);
        break;
      case 'triggers':
        setForeignKeyTriggers(table, action.enable, action.which, rc.ddl);
        break;
      case 'rename constraint':
        renameConstraint(table, action.name, action.newName, rc.ddl);
        break;
    }
  }
  return 'ALTER TABLE';
}
