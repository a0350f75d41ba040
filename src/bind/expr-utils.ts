/**
 * Small utilities over bound expressions: a structural key (to match GROUP BY and ORDER BY
 * expressions against select-list entries) and the rewrite of expressions over an
 * Aggregate's output row.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { BoundExpr } from './bound-expr.ts';
import { childrenOf, mapChildren } from './expr-walk.ts';

export function exprKey(e: BoundExpr): string {
  switch (e.kind) {
    case 'Const':
      return `C(${e.type.base}:${String(e.value)})`;
    case 'Param':
      return `P${e.index}`;
    case 'Column':
      return `#${e.index}`;
    case 'Outer':
      return `O${e.levels}.${e.index}`;
    case 'Call':
      return `${e.name}(${e.args.map(exprKey).join(',')})`;
    case 'Cast':
      return `cast(${exprKey(e.arg)} as ${e.type.base}/${e.type.typmod}${e.type.isArray ? '[]' : ''})`;
    case 'AggRef':
      return `agg${e.index}`;
    case 'WindowRef':
      return `window${e.index}`;
    case 'And':
    case 'Or':
    case 'Coalesce':
      return `${e.kind}(${e.args.map(exprKey).join(',')})`;
    case 'Case': {
      // GROUP BY a CASE output alias (drizzle-kit's `generated_by_constraint`) must match it.
      const whens = e.whens.map((w) => `${exprKey(w.when)}=>${exprKey(w.then)}`).join(',');
      return `case:${e.type.base}(${whens};${e.else ? exprKey(e.else) : ''})`;
    }
    case 'Not':
      return `not(${exprKey(e.arg)})`;
    case 'IsNull':
      return `isnull${e.not ? '!' : ''}(${exprKey(e.arg)})`;
    default:
      // Expressions without a cheap structural key never match each other.
      return `${e.kind}@${Math.random()}`;
  }
}

/**
 * Rewrites an expression bound over the Aggregate's input so it reads the Aggregate's output
 * row: group keys by position, AggRefs after them. A bare input column that is not grouped
 * is PostgreSQL's 42803 error.
 */
export function rewriteOverAggregate(e: BoundExpr, groupKeys: readonly string[], nGroups: number): BoundExpr {
  const at = groupKeys.indexOf(exprKey(e));
  if (at >= 0)
    return { kind: 'Column', type: e.type, index: at, name: e.kind === 'Column' ? e.name : '?column?' };
  switch (e.kind) {
    case 'AggRef':
      return { kind: 'Column', type: e.type, index: nGroups + e.index, name: '?agg?' };
    case 'Column':
      throw new SqlError(
        SqlState.GroupingError,
        `column "${e.qualifier ? `${e.qualifier}.` : ''}${e.name}" must appear in the GROUP BY clause or be used in an aggregate function`,
      );
    default:
      return mapChildren(e, (x) => rewriteOverAggregate(x, groupKeys, nGroups));
  }
}

/** True when the expression contains no reference to the current row (constant per execution). */
export function isRowIndependent(e: BoundExpr): boolean {
  switch (e.kind) {
    case 'Const':
    case 'Param':
    case 'Outer':
    case 'Subquery':
      return true;
    case 'Call':
    case 'SessionCall':
    case 'And':
    case 'Or':
    case 'Coalesce':
    case 'MinMax':
    case 'Cast':
    case 'Not':
    case 'IsNull':
    case 'BoolTest':
    case 'ArrayCtor':
      return childrenOf(e).every(isRowIndependent);
    default:
      // Columns and aggregate/window outputs read the row; the rest is not analysed.
      return false;
  }
}
