/**
 * Small utilities over bound expressions: a structural key (to match GROUP BY and ORDER BY
 * expressions against select-list entries) and the rewrite of expressions over an
 * Aggregate's output row.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { BoundExpr } from './bound-expr.ts';

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
  const r = (x: BoundExpr) => rewriteOverAggregate(x, groupKeys, nGroups);
  switch (e.kind) {
    case 'AggRef':
      return { kind: 'Column', type: e.type, index: nGroups + e.index, name: '?agg?' };
    case 'WindowRef':
      return e;
    case 'Column':
      throw new SqlError(
        SqlState.GroupingError,
        `column "${e.qualifier ? `${e.qualifier}.` : ''}${e.name}" must appear in the GROUP BY clause or be used in an aggregate function`,
      );
    case 'Const':
    case 'Param':
    case 'Outer':
    case 'Subquery':
      return e;
    case 'Call':
      return { ...e, args: e.args.map(r) };
    case 'SessionCall':
      return { ...e, args: e.args.map(r) };
    case 'Cast':
    case 'Not':
    case 'IsNull':
    case 'BoolTest':
      return { ...e, arg: r(e.arg) };
    case 'And':
    case 'Or':
    case 'Coalesce':
    case 'MinMax':
      return { ...e, args: e.args.map(r) };
    case 'ArrayCtor':
      return { ...e, elements: e.elements.map(r) };
    case 'Case':
      return {
        ...e,
        whens: e.whens.map((w) => ({ when: r(w.when), then: r(w.then) })),
        else: e.else ? r(e.else) : null,
      };
    case 'QuantifiedArray':
      return { ...e, arg: r(e.arg), array: r(e.array) };
    case 'QuantifiedSubquery':
      return { ...e, arg: r(e.arg) };
  }
}

/** True when the expression contains no reference to the current row (constant per execution). */
export function isRowIndependent(e: BoundExpr): boolean {
  switch (e.kind) {
    case 'Column':
    case 'AggRef':
      return false;
    case 'Const':
    case 'Param':
    case 'Outer':
      return true;
    case 'Subquery':
      return true;
    case 'Call':
    case 'SessionCall':
    case 'And':
    case 'Or':
    case 'Coalesce':
    case 'MinMax':
      return e.args.every(isRowIndependent);
    case 'Cast':
    case 'Not':
    case 'IsNull':
    case 'BoolTest':
      return isRowIndependent(e.arg);
    case 'ArrayCtor':
      return e.elements.every(isRowIndependent);
    default:
      return false;
  }
}
