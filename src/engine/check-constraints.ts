/**
 * CHECK constraints: bound over the table's row when created and again when the catalog is
 * loaded (stored as written, like a partial index's WHERE), named as PostgreSQL names them,
 * tested by every write (exec/table-writer.ts checkConstraints) and against the existing rows
 * by ALTER TABLE … ADD / VALIDATE CONSTRAINT and by column changes that rewrite the table.
 */
import type { BindContext } from '../bind/bind-context.ts';
import { bindOverTable } from '../bind/bind-dml.ts';
import type { BoundExpr } from '../bind/bound-expr.ts';
import { coerceBoolean } from '../bind/coercion.ts';
import { childrenOf } from '../bind/expr-walk.ts';
import type { CheckConstraint, Table } from '../catalog/catalog-types.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { compileExpr } from '../exec/compile-expr.ts';
import type { ExecEnv } from '../exec/exec-env.ts';
import { staticEnv } from '../exec/static-env.ts';
import type { Expr } from '../sql/ast.ts';
import type { TableConstraint } from '../sql/ast-utility.ts';
import { quoteIdent } from '../types/functions-string.ts';
import type { EvalContext } from '../types/registry-types.ts';
import type { Value } from '../types/type.ts';
import type { StoredCheck } from './catalog-image.ts';
import { constraintNames, nameTakenInSchema } from './constraint-names.ts';
import type { DdlContext } from './ddl.ts';
import { deparse, deparsePretty } from './deparse-expr.ts';
import { checkExistingRows } from './foreign-key-ddl.ts';
import { renameColumnRefs, someAstNode } from './index-expressions.ts';

/** What a CHECK constraint's expression is once bound: the part of it its table's columns decide. */
type BoundCheck = Pick<CheckConstraint, 'columns' | 'passes' | 'text'>;

/** One execution environment per evaluation context: a write allocates nothing to test a row. */
const envs = new WeakMap<EvalContext, ExecEnv>();

function envFor(ctx: EvalContext): ExecEnv {
  let env = envs.get(ctx);
  if (!env) {
    env = staticEnv(ctx);
    envs.set(ctx, env);
  }
  return env;
}

/**
 * Binds a CHECK expression over `table`'s row, refusing what PostgreSQL refuses (subqueries,
 * aggregates, window functions, parameters, a non-boolean result). Volatile functions are
 * allowed, as in PostgreSQL.
 */
export function bindCheck(expr: Expr, table: Table, bc: BindContext): BoundCheck {
  someAstNode(expr, (n) => {
    const position = (n.loc as number) + 1;
    if (n.kind === 'Param')
      throw new SqlError(SqlState.UndefinedParameter, `there is no parameter $${n.index as number}`, {
        position,
      });
    if (n.kind === 'SubLink')
      throw new SqlError(SqlState.FeatureNotSupported, 'cannot use subquery in check constraint', {
        position,
      });
    return false;
  });
  const bound = coerceBoolean(
    bindOverTable(expr, table, bc, 'check constraints', 'cannot use subquery in check constraint'),
    bc,
    'CHECK',
    leftmostLoc(expr),
  );
  const compiled = compileExpr(bound);
  const names = () => table.columns.map((c) => quoteIdent(c.name));
  return {
    columns: columnsRead(bound),
    // NULL passes: only false violates a CHECK constraint.
    passes: (row, ctx) => compiled(row as Value[], envFor(ctx)) !== false,
    text: (pretty) => (pretty ? deparsePretty : deparse)(bound, names()),
  };
}

/** Where an expression starts (PostgreSQL's exprLocation: the leftmost of its parts). */
function leftmostLoc(expr: Expr): number {
  let at = expr.loc;
  someAstNode(expr, (n) => {
    if (typeof n.loc === 'number' && n.loc >= 0 && n.loc < at) at = n.loc;
    return false;
  });
  return at;
}

/** The positions of the columns `e` reads, in order of first use. */
function columnsRead(e: BoundExpr, out: number[] = []): number[] {
  if (e.kind === 'Column' && !out.includes(e.index)) out.push(e.index);
  for (const child of childrenOf(e)) columnsRead(child, out);
  return out;
}

const NAMEDATALEN = 64;

/**
 * PostgreSQL's ChooseConstraintName: `<table>_<column>_check` when the expression reads one
 * column, `<table>_check` otherwise, then `…_check1`, `…_check2`, … until the name is free in
 * the schema (and among `pending`, the names the same CREATE TABLE gave already). The parts
 * are shortened as makeObjectName shortens them to fit NAMEDATALEN.
 */
function chooseName(table: Table, column: string | null, pending: readonly string[]): string {
  for (let pass = 0; ; pass++) {
    const label = pass === 0 ? 'check' : `check${pass}`;
    const avail = NAMEDATALEN - 1 - (label.length + 1) - (column === null ? 0 : 1);
    let n1 = table.name.length;
    let n2 = column?.length ?? 0;
    while (n1 + n2 > avail) {
      if (n1 > n2) n1--;
      else n2--;
    }
    const name = `${table.name.slice(0, n1)}${column === null ? '' : `_${column.slice(0, n2)}`}_${label}`;
    if (!pending.includes(name) && !nameTakenInSchema(table, name)) return name;
  }
}

/** Puts `check` among `table`'s in name order (the order rows are tested in). */
function insertSorted(table: Table, check: CheckConstraint): void {
  const at = table.checks.findIndex((c) => c.name > check.name);
  table.checks.splice(at < 0 ? table.checks.length : at, 0, check);
}

/** Replaces `table`'s CHECK constraints with `checks` (sorted by name); returns the undo. */
function replaceChecks(table: Table, checks: readonly CheckConstraint[]): () => void {
  const before = [...table.checks];
  table.checks.splice(0, table.checks.length, ...[...checks].sort((a, b) => (a.name < b.name ? -1 : 1)));
  return () => table.checks.splice(0, table.checks.length, ...before);
}

function checkViolatedBySomeRow(table: Table, name: string): SqlError {
  return new SqlError(
    SqlState.CheckViolation,
    `check constraint "${name}" of relation "${table.name}" is violated by some row`,
    { schema: table.schema.name, table: table.name, constraint: name },
  );
}

/** Tests `check` against the rows `txn` sees (ALTER TABLE … ADD / VALIDATE CONSTRAINT). */
function validateRows(table: Table, check: CheckConstraint, txn: number, ctx: EvalContext): void {
  for (const rowId of table.store.visibleRowIds(txn)) {
    if (!check.passes(table.store.row(rowId), ctx)) throw checkViolatedBySomeRow(table, check.name);
  }
}

/**
 * CREATE TABLE's and ALTER TABLE … ADD's CHECK constraint. `creating`: a new table, which
 * has no rows to test and names duplicates as CREATE TABLE does; NOT VALID is ignored there,
 * as in PostgreSQL. `pending`: the names this CREATE TABLE gave already.
 */
export function addCheckConstraint(
  table: Table,
  c: TableConstraint,
  d: DdlContext,
  txn: number,
  creating: { readonly pending: string[] } | null,
): void {
  const bound = bindCheck(c.check!, table, d.bc);
  let name = c.name;
  if (name === null) {
    const only = bound.columns.length === 1 ? table.columns[bound.columns[0]].name : null;
    name = chooseName(table, only, creating?.pending ?? []);
  } else if (creating?.pending.includes(name)) {
    throw new SqlError(SqlState.DuplicateObject, `check constraint "${name}" already exists`);
  } else if (constraintNames(table).includes(name)) {
    throw new SqlError(
      SqlState.DuplicateObject,
      `constraint "${name}" for relation "${table.name}" already exists`,
    );
  }
  creating?.pending.push(name);
  const check: CheckConstraint = {
    ...bound,
    oid: d.catalog.allocateOid(),
    name,
    expr: c.check!,
    noInherit: c.noInherit ?? false,
    validated: creating !== null || !c.notValid,
  };
  if (check.validated && !creating) validateRows(table, check, txn, d.ctx);
  insertSorted(table, check);
  d.onUndo(() => table.checks.splice(table.checks.indexOf(check), 1));
}

/** ALTER TABLE … DROP CONSTRAINT of a CHECK constraint; false when `table` has none named `name`. */
export function dropCheckConstraint(table: Table, name: string, d: DdlContext): boolean {
  const at = table.checks.findIndex((c) => c.name === name);
  if (at < 0) return false;
  const [check] = table.checks.splice(at, 1);
  d.onUndo(() => table.checks.splice(at, 0, check));
  return true;
}

/** ALTER TABLE … VALIDATE CONSTRAINT: tests the rows, then marks the constraint validated. */
export function validateConstraint(table: Table, name: string, d: DdlContext, txn: number): void {
  const check = table.checks.find((c) => c.name === name);
  const fk = table.foreignKeys.find((f) => f.name === name);
  if (fk) {
    if (fk.validated) return;
    checkExistingRows(fk, d, txn);
    fk.validated = true;
    d.onUndo(() => {
      fk.validated = false;
    });
    return;
  }
  if (!check) {
    if (table.indexes.some((ix) => ix.constraint === name)) {
      throw new SqlError(
        SqlState.WrongObjectType,
        `constraint "${name}" of relation "${table.name}" is not a foreign key or check constraint`,
      );
    }
    throw new SqlError(
      SqlState.UndefinedObject,
      `constraint "${name}" of relation "${table.name}" does not exist`,
    );
  }
  if (check.validated) return;
  validateRows(table, check, txn, d.ctx);
  check.validated = true;
  d.onUndo(() => {
    check.validated = false;
  });
}

/**
 * ALTER TABLE … RENAME CONSTRAINT: a CHECK or FOREIGN KEY constraint, or the constraint an
 * index backs (its index is renamed with it, as in PostgreSQL).
 */
export function renameConstraint(table: Table, from: string, to: string, d: DdlContext): void {
  const check = table.checks.find((c) => c.name === from);
  const fk = table.foreignKeys.find((f) => f.name === from);
  const index = check || fk ? undefined : table.indexes.find((ix) => ix.constraint === from);
  if (!check && !fk && !index) {
    throw new SqlError(
      SqlState.UndefinedObject,
      `constraint "${from}" for table "${table.name}" does not exist`,
    );
  }
  if (constraintNames(table).includes(to)) {
    throw new SqlError(
      SqlState.DuplicateObject,
      `constraint "${to}" for relation "${table.name}" already exists`,
    );
  }
  if (fk) {
    fk.name = to;
    d.onUndo(() => {
      fk.name = from;
    });
    return;
  }
  if (check) {
    const undo = replaceChecks(table, table.checks);
    check.name = to;
    replaceChecks(table, table.checks);
    d.onUndo(() => {
      check.name = from;
      undo();
    });
    return;
  }
  const ix = index!;
  if (d.catalog.relationExists(ix.schema, to)) {
    throw new SqlError(SqlState.DuplicateTable, `relation "${to}" already exists`);
  }
  const rename = (a: string, b: string) => {
    ix.schema.indexes.delete(a);
    ix.name = b;
    ix.constraint = b;
    ix.schema.indexes.set(b, ix);
  };
  rename(from, to);
  d.onUndo(() => rename(to, from));
}

/** ALTER TABLE … RENAME COLUMN: the column is renamed in the stored expressions. Returns the undo. */
export function renameColumnInChecks(table: Table, from: string, to: string): () => void {
  const before = table.checks.map((c) => c.expr);
  for (const c of table.checks) c.expr = renameColumnRefs(c.expr, from, to);
  return () => {
    for (const [i, c] of table.checks.entries()) c.expr = before[i];
  };
}

/**
 * After DROP COLUMN (constraints reading the column go with it, as in PostgreSQL) or ALTER
 * COLUMN TYPE: every CHECK constraint bound again over the table's columns as they are now
 * (positions and types may have changed). `rows`: the rows the rewrite keeps, each tested
 * against the validated constraints. Returns the undo.
 */
export function rebindChecks(
  table: Table,
  keep: (check: CheckConstraint) => boolean,
  d: DdlContext,
  rows: Iterable<readonly Value[]> = [],
): () => void {
  const next = table.checks.filter(keep).map((c) => ({ ...c, ...bindStored(c.expr, table, d.bc) }));
  for (const row of rows) {
    for (const c of next)
      if (c.validated && !c.passes(row, d.ctx)) throw checkViolatedBySomeRow(table, c.name);
  }
  return replaceChecks(table, next);
}

/**
 * A stored expression bound again: errors name no position, which would point into a
 * statement that is not the one running (PostgreSQL reports none either).
 */
function bindStored(expr: Expr, table: Table, bc: BindContext): BoundCheck {
  try {
    return bindCheck(expr, table, bc);
  } catch (e) {
    if (e instanceof SqlError) throw new SqlError(e.code, e.message, { detail: e.detail, hint: e.hint });
    throw e;
  }
}

/** The constraint loaded with the catalog (catalog-image.ts). */
export function loadedCheck(stored: StoredCheck, table: Table, bc: BindContext): CheckConstraint {
  return { ...stored, ...bindCheck(stored.expr, table, bc) };
}

/** Whether `check` reads the column named `name` (DROP COLUMN drops it with the column). */
export function checkUsesColumn(check: CheckConstraint, at: number): boolean {
  return check.columns.includes(at);
}
