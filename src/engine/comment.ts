/**
 * COMMENT ON TABLE / VIEW / COLUMN: kept on the catalog object (and stored with it), shown
 * through pg_description, obj_description/col_description, psql's \d+ and pgjdbc's REMARKS.
 * Transactional like other DDL: a rollback restores the previous comment.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { CommentStmt } from '../sql/ast-utility.ts';
import type { RunContext } from './statement-runner.ts';

export function commentOn(stmt: CommentStmt, rc: RunContext): string {
  const bc = rc.bc;
  const names = stmt.target === 'column' ? stmt.names.slice(0, -1) : stmt.names;
  if (names.length === 0) {
    throw new SqlError(SqlState.SyntaxError, 'column name must be qualified');
  }
  const name = names[names.length - 1];
  const schema = names.length > 1 ? names[names.length - 2] : null;
  const table = bc.catalog.findTable(bc.database, schema, name, bc.searchPath);
  if (!table) {
    throw new SqlError(SqlState.UndefinedTable, `relation "${names.join('.')}" does not exist`);
  }
  const comment = stmt.comment ?? undefined;
  if (stmt.target === 'relation') {
    const old = table.comment;
    table.comment = comment;
    rc.ddl.onUndo(() => {
      table.comment = old;
    });
    return 'COMMENT';
  }
  const columnName = stmt.names[stmt.names.length - 1];
  const column = table.columns.find((c) => c.name === columnName);
  if (!column) {
    throw new SqlError(
      SqlState.UndefinedColumn,
      `column "${columnName}" of relation "${table.name}" does not exist`,
    );
  }
  const old = column.comment;
  column.comment = comment;
  rc.ddl.onUndo(() => {
    column.comment = old;
  });
  return 'COMMENT';
}
