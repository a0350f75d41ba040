/**
 * The expressions an index holds besides its columns: an indexed expression
 * (`CREATE INDEX … (lower(email))`) and a partial index's WHERE clause. Both are bound over
 * the table's row at CREATE INDEX and again when the catalog is loaded (they are stored as
 * written), and both are printed by pg_get_indexdef from the bound form with the columns'
 * current names.
 */
import type { BindContext } from '../bind/bind-context.ts';
import { bindOverTable } from '../bind/bind-dml.ts';
import type { BoundExpr } from '../bind/bound-expr.ts';
import { coerceBoolean } from '../bind/coercion.ts';
import { exprKey } from '../bind/expr-utils.ts';
import { childrenOf, conjuncts } from '../bind/expr-walk.ts';
import type { IndexDef, IndexPredicate, Table } from '../catalog/catalog-types.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { compileExpr } from '../exec/compile-expr.ts';
import { staticEnv } from '../exec/static-env.ts';
import type { Expr } from '../sql/ast.ts';
import { quoteIdent } from '../types/functions-string.ts';
import type { EvalContext } from '../types/registry-types.ts';
import type { Value } from '../types/type.ts';
import type { IndexExpression } from './ddl-index.ts';
import { deparse, deparsePretty } from './deparse-expr.ts';

/** Binds and compiles an index expression over `table`'s row (CREATE INDEX, catalog load). */
export function bindIndexExpression(
  expr: Expr,
  table: Table,
  bc: BindContext,
  ctx: EvalContext,
): IndexExpression {
  const bound = bindOverTable(
    expr,
    table,
    bc,
    'index expressions',
    'cannot use subquery in index expression',
  );
  requireImmutable(bound, 'functions in index expression must be marked IMMUTABLE');
  const compiled = compileExpr(bound);
  const env = staticEnv(ctx);
  const call = bound.kind === 'Call' && !bound.isOperator;
  return {
    key: exprKey(bound),
    type: bound.type,
    evaluate: (row) => compiled(row as Value[], env),
    text: (form) => {
      if (form === 'expression') return deparse(bound, columnNames(table));
      const text = (form === 'pretty key' ? deparsePretty : deparse)(bound, columnNames(table));
      return call ? text : `(${text})`;
    },
  };
}

/** Binds and compiles a partial index's WHERE clause over `table`'s row. */
export function bindIndexPredicate(
  expr: Expr,
  table: Table,
  bc: BindContext,
  ctx: EvalContext,
): IndexPredicate {
  const bound = coerceBoolean(
    bindOverTable(expr, table, bc, 'index predicates', 'cannot use subquery in index predicate'),
    bc,
    'WHERE',
    expr.loc,
  );
  requireImmutable(bound, 'functions in index predicate must be marked IMMUTABLE');
  const compiled = compileExpr(bound);
  const env = staticEnv(ctx);
  return {
    expr,
    conjunctKeys: conjuncts(bound).map(exprKey),
    passes: (row) => compiled(row as Value[], env) === true,
    text: (pretty) => (pretty ? deparsePretty : deparse)(bound, columnNames(table)),
  };
}

/**
 * An index's contents must not depend on when a row was written: volatile functions and
 * session state (current_setting, …) are refused, as PostgreSQL refuses any function not
 * marked IMMUTABLE. Quiver does not mark stable functions, so now() is accepted here.
 */
function requireImmutable(e: BoundExpr, message: string): void {
  if ((e.kind === 'Call' && e.volatile) || e.kind === 'SessionCall')
    throw new SqlError(SqlState.InvalidObjectDefinition, message);
  for (const child of childrenOf(e)) requireImmutable(child, message);
}

function columnNames(table: Table): string[] {
  return table.columns.map((c) => quoteIdent(c.name));
}

/**
 * ALTER TABLE … RENAME COLUMN: the table's index expressions and WHERE clauses are stored as
 * written, so references to the column are renamed in them (their bound forms read columns by
 * position and stay as they are). Returns the undo.
 */
export function renameColumnInIndexes(table: Table, from: string, to: string): () => void {
  const undo: (() => void)[] = [];
  for (const index of table.indexes) {
    if (index.expression) {
      const before = index.expression;
      index.expression = renameColumnRefs(before, from, to);
      undo.push(() => {
        index.expression = before;
      });
    }
    const predicate = index.predicate;
    if (predicate) {
      const before = predicate.expr;
      predicate.expr = renameColumnRefs(before, from, to);
      undo.push(() => {
        predicate.expr = before;
      });
    }
  }
  return () => {
    for (const u of undo) u();
  };
}

/** Whether a stored index expression or WHERE clause (or a view's query) names column `name`. */
export function refersToColumn(expr: unknown, name: string): boolean {
  return someAstNode(expr, (n) => n.kind === 'ColumnRef' && (n.names as string[]).at(-1) === name);
}

/** Whether any node of a stored (plain data) AST passes `test`. */
export function someAstNode(node: unknown, test: (n: Record<string, unknown>) => boolean): boolean {
  if (Array.isArray(node)) return node.some((x) => someAstNode(x, test));
  if (node === null || typeof node !== 'object') return false;
  const n = node as Record<string, unknown>;
  return test(n) || Object.values(n).some((v) => someAstNode(v, test));
}

/** Whether index `ix` uses the column at `at` (named `name`): as a key, in its expression or its WHERE. */
export function indexUsesColumn(ix: IndexDef, at: number, name: string): boolean {
  return (
    ix.columns.includes(at) ||
    (ix.expression != null && refersToColumn(ix.expression, name)) ||
    (ix.predicate != null && refersToColumn(ix.predicate.expr, name))
  );
}

/**
 * `ix` over its table's columns as they are now, keyed by `columns`: expression, key type,
 * key reader and WHERE bound again from their stored text, the vector structure to be built
 * again (DROP COLUMN, ALTER COLUMN TYPE).
 */
export function reboundIndex(
  ix: IndexDef,
  columns: readonly number[],
  bc: BindContext,
  ctx: EvalContext,
): IndexDef {
  const expression = ix.expression ? bindIndexExpression(ix.expression, ix.table, bc, ctx) : null;
  return {
    ...ix,
    columns,
    vector: null,
    keyType: expression?.type ?? ix.table.columns[columns[0]].type,
    expressionKey: expression?.key ?? null,
    expressionText: expression?.text,
    keyOf: expression ? expression.evaluate : (row) => row[columns[0]],
    predicate: ix.predicate ? bindIndexPredicate(ix.predicate.expr, ix.table, bc, ctx) : null,
  };
}

/**
 * A copy of `expr` with column references to `from` naming `to` instead. The expression is
 * over one table (no subqueries), so every reference whose last name is `from` is that column
 * (index expressions and WHERE clauses, CHECK constraints).
 */
export function renameColumnRefs<T>(expr: T, from: string, to: string): T {
  if (Array.isArray(expr)) return expr.map((x) => renameColumnRefs(x, from, to)) as T;
  if (expr === null || typeof expr !== 'object') return expr;
  const node = expr as Record<string, unknown>;
  if (node.kind === 'ColumnRef') {
    const names = node.names as string[];
    if (names[names.length - 1] === from) return { ...node, names: [...names.slice(0, -1), to] } as T;
    return expr;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = renameColumnRefs(v, from, to);
  return out as T;
}
