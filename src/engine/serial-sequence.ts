/**
 * pg_get_serial_sequence(table, column): the sequence behind a serial or identity column,
 * schema-qualified, or NULL for any other column. SQLAlchemy's column reflection calls it
 * for every column (through `a.attrelid::regclass::text`).
 */
import type { BindContext } from '../bind/bind-context.ts';
import type { BoundExpr } from '../bind/bound-expr.ts';
import { tryCoerce } from '../bind/coercion.ts';
import { findTableByOid } from '../catalog/pg-catalog/objects.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { quoteIdent } from '../types/functions-string.ts';
import { T, type Value } from '../types/type.ts';

export function resolveSerialSequence(
  name: string,
  args: readonly BoundExpr[],
  bc: BindContext,
): BoundExpr | undefined {
  if (name !== 'pg_get_serial_sequence' || args.length !== 2) return undefined;
  const coerced = args.map((a) => tryCoerce(a, T.text, 'implicit', bc));
  if (coerced.some((c) => c === null)) return undefined;
  return {
    kind: 'SessionCall',
    type: T.text,
    name,
    args: coerced as BoundExpr[],
    impl: ([table, column]) => (table === null || column === null ? null : serialSequence(bc, table, column)),
  };
}

function serialSequence(bc: BindContext, tableText: Value, columnText: Value): Value {
  const oid = bc.objectNames?.relationOid(String(tableText));
  const table = oid === undefined ? undefined : findTableByOid(bc.database, oid);
  if (!table) throw new SqlError(SqlState.UndefinedTable, `relation "${tableText}" does not exist`);
  // Unlike the table name, the column name is taken literally (no case folding, no quotes).
  const columnName = String(columnText);
  const column = table.columns.find((c) => c.name === columnName);
  if (!column) {
    throw new SqlError(
      SqlState.UndefinedColumn,
      `column "${columnName}" of relation "${table.name}" does not exist`,
    );
  }
  const seq = column.sequence;
  return seq ? `${quoteIdent(seq.schema.name)}.${quoteIdent(seq.name)}` : null;
}
