/**
 * SQL-level prepared statements of Quiver's AST: PREPARE, EXECUTE and DEALLOCATE
 * (PostgreSQL's PrepareStmt, ExecuteStmt and DeallocateStmt). They share one namespace
 * with the extended protocol's named statements.
 */
import type { DeleteStmt, Expr, InsertStmt, SelectStmt, TypeNameAst, UpdateStmt } from './ast.ts';

/** The statements PREPARE accepts (PostgreSQL's grammar allows no others). */
export type PreparableStmt = SelectStmt | InsertStmt | UpdateStmt | DeleteStmt;

export interface PrepareStmt {
  readonly kind: 'Prepare';
  readonly name: string;
  /** The declared parameter types, $1 first; parameters beyond them are inferred from use. */
  readonly paramTypes: readonly TypeNameAst[];
  readonly statement: PreparableStmt;
  /** Highest $n the prepared statement references. */
  readonly paramCount: number;
  /** The whole query string the PREPARE came in: pg_prepared_statements shows it. */
  readonly source: string;
}

/** A $n inside EXECUTE's arguments: PostgreSQL gives EXECUTE no parameters of its own. */
export interface StrayParam {
  readonly index: number;
  readonly loc: number;
}

export interface ExecuteStmt {
  readonly kind: 'Execute';
  readonly name: string;
  readonly args: readonly Expr[];
  /** The first $n among the arguments, refused when the arguments are bound; null: none. */
  readonly strayParam: StrayParam | null;
  readonly loc: number;
}

export interface DeallocateStmt {
  readonly kind: 'Deallocate';
  /** null for DEALLOCATE ALL. */
  readonly name: string | null;
}

export type PreparedStatementStmt = PrepareStmt | ExecuteStmt | DeallocateStmt;
