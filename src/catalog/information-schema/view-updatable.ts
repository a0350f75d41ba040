/**
 * Whether a view is automatically updatable, by PostgreSQL's rules for simple views
 * (rewriteHandler.c view_query_is_auto_updatable): one table or view in FROM, no WITH,
 * DISTINCT, GROUP BY, HAVING, LIMIT/OFFSET, set operation or VALUES, no function calls in
 * the select list (aggregates, window and set-returning functions), and at least one plain
 * column. information_schema reports it in is_updatable and is_insertable_into.
 */
import type { SelectStmt } from '../../sql/ast.ts';
import type { Table } from '../catalog-types.ts';

export function isSimpleView(view: Table): boolean {
  const q = view.view?.query as SelectStmt | undefined;
  if (q?.kind !== 'Select') return false;
  if (q.with || q.setOp || q.values || q.distinct || q.groupBy.length > 0 || q.having) return false;
  if (q.limit || q.offset || q.from.length !== 1 || q.from[0].kind !== 'Table') return false;
  if (q.targets.some((t) => t.expr.kind === 'Func')) return false;
  return q.targets.some((t) => t.expr.kind === 'ColumnRef' || t.expr.kind === 'Star');
}
