/**
 * Statements a read-only transaction refuses: BEGIN READ ONLY, default_transaction_read_only,
 * and every transaction of a read replica (as on a PostgreSQL hot standby). Anything that
 * would write is refused before it runs, with PostgreSQL's message and SQLSTATE (25006), and
 * the session stays usable. nextval()/setval() check for themselves; on a replica a write
 * that slips past this list is refused at COMMIT by the replica's commit log too.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { QualifiedName } from '../sql/ast.ts';
import type { Statement } from '../sql/ast-utility.ts';

/**
 * Throws 25006 when `stmt` would write. With `isTemporary`, writes to a temporary table are
 * allowed (PostgreSQL's read-only transactions allow them; a hot standby has none).
 */
export function refuseWrite(stmt: Statement, isTemporary?: (table: QualifiedName) => boolean): void {
  if (isTemporary && writesOnlyTemporary(stmt, isTemporary)) return;
  const command = writingCommand(stmt);
  if (command)
    throw new SqlError(
      SqlState.ReadOnlySqlTransaction,
      `cannot execute ${command} in a read-only transaction`,
    );
}

function writesOnlyTemporary(stmt: Statement, isTemporary: (table: QualifiedName) => boolean): boolean {
  switch (stmt.kind) {
    case 'Insert':
    case 'Update':
    case 'Delete':
      return (
        isTemporary(stmt.table) &&
        (stmt.with?.ctes ?? []).every((c) => writesOnlyTemporary(c.query, isTemporary))
      );
    case 'Select':
      // Its locked rows or data-modifying WITH queries.
      return (
        (stmt.locking === null || stmt.from.every((f) => f.kind === 'Table' && isTemporary(f.name))) &&
        (stmt.with?.ctes ?? []).every(
          (c) => c.query.kind === 'Select' || writesOnlyTemporary(c.query, isTemporary),
        )
      );
    case 'Copy':
      return stmt.from && stmt.table !== null && isTemporary(stmt.table);
    case 'Explain':
      return writesOnlyTemporary(stmt.statement, isTemporary);
    default:
      return false;
  }
}

/** PostgreSQL's name for the command when `stmt` writes, else null. */
export function writingCommand(stmt: Statement): string | null {
  switch (stmt.kind) {
    case 'Insert':
    case 'Update':
    case 'Delete':
      return stmt.kind.toUpperCase();
    case 'Select':
      // PostgreSQL names a SELECT that locks rows by its clause, one with a data-modifying
      // WITH query by its own command.
      if (stmt.locking) return `SELECT ${stmt.locking}`;
      return stmt.with?.ctes.some((c) => c.query.kind !== 'Select') ? 'SELECT' : null;
    case 'Explain':
      return stmt.analyze ? writingCommand(stmt.statement) : null;
    case 'Copy':
      return stmt.from ? 'COPY FROM' : null;
    case 'CreateTable':
      return stmt.asQuery ? 'CREATE TABLE AS' : 'CREATE TABLE';
    case 'Drop':
      return `DROP ${stmt.objectType.toUpperCase()}`;
    case 'CreateIndex':
      return 'CREATE INDEX';
    case 'AlterTable':
      return 'ALTER TABLE';
    case 'CreateSequence':
      return 'CREATE SEQUENCE';
    case 'CreateSchema':
      return 'CREATE SCHEMA';
    case 'CreateExtension':
      return 'CREATE EXTENSION';
    case 'CreateDatabase':
      return 'CREATE DATABASE';
    case 'DropDatabase':
      return 'DROP DATABASE';
    case 'CreateRole':
      return 'CREATE ROLE';
    case 'AlterRole':
      return 'ALTER ROLE';
    case 'DropRole':
      return 'DROP ROLE';
    case 'Truncate':
      return 'TRUNCATE TABLE';
    case 'Comment':
      return 'COMMENT';
    case 'CreateView':
      return 'CREATE VIEW';
    case 'RenameIndex':
      return 'ALTER INDEX';
    case 'Reindex':
      return 'REINDEX';
    case 'NoOp':
      return stmt.tag === 'VACUUM' ? 'VACUUM' : null;
    default:
      return null;
  }
}
