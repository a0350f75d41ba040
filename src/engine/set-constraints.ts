/**
 * SET CONSTRAINTS {ALL | name, …} {DEFERRED | IMMEDIATE}: when the current transaction's
 * DEFERRABLE foreign keys are checked (session-transaction.ts keeps the modes and runs the
 * waiting checks when a constraint becomes IMMEDIATE).
 */
import type { BindContext } from '../bind/bind-context.ts';
import type { ForeignKey } from '../catalog/catalog-types.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { QualifiedName } from '../sql/ast.ts';
import type { SetConstraintsStmt } from '../sql/ast-utility.ts';
import type { SessionTransaction } from './session-transaction.ts';

export function setConstraints(
  stmt: SetConstraintsStmt,
  transaction: SessionTransaction,
  bc: BindContext,
  warn: (code: string, message: string) => void,
): string {
  const keys = stmt.names === null ? null : stmt.names.map((name) => findConstraint(name, bc));
  if (!transaction.inBlock) {
    warn('25P01', 'SET CONSTRAINTS can only be used in transaction blocks');
    return 'SET CONSTRAINTS';
  }
  transaction.setConstraints(keys, stmt.deferred);
  return 'SET CONSTRAINTS';
}

/** A named constraint among the tables of the schema named, or of the search path. */
function findConstraint(name: QualifiedName, bc: BindContext): ForeignKey {
  for (const schemaName of name.schema ? [name.schema] : bc.searchPath) {
    const schema = bc.database.schemas.get(schemaName);
    for (const table of schema?.tables.values() ?? []) {
      const fk = table.foreignKeys.find((f) => f.name === name.name);
      if (!fk) continue;
      if (!fk.deferrable) {
        throw new SqlError(SqlState.WrongObjectType, `constraint "${name.name}" is not deferrable`);
      }
      return fk;
    }
    const isKey = [...(schema?.indexes.values() ?? [])].some((i) => i.constraint === name.name);
    if (isKey) {
      throw new SqlError(SqlState.WrongObjectType, `constraint "${name.name}" is not deferrable`);
    }
  }
  throw new SqlError(SqlState.UndefinedObject, `constraint "${name.name}" does not exist`);
}
