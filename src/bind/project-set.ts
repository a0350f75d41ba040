/**
 * Set-returning functions inside select-list expressions: `(_pg_expandarray(indkey)).n`,
 * `generate_series(1, 3) + 1`. As PostgreSQL's ProjectSet does, every set-returning call of
 * the list runs first, in lockstep with the others (rows zipped, shorter sets padded with
 * NULL), in a Project of its own that passes the input row through; the expressions are then
 * evaluated over that row with each call replaced by its column.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { OutputColumn, PlanNode } from '../plan/plan-nodes.ts';
import type { BoundExpr } from './bound-expr.ts';
import { childrenOf, mapChildren } from './expr-walk.ts';

function isSetReturning(e: BoundExpr): boolean {
  return e.kind === 'Call' && e.def?.returnsSet === true;
}

function containsSetReturning(e: BoundExpr): boolean {
  return isSetReturning(e) || childrenOf(e).some(containsSetReturning);
}

/** The outermost set-returning calls of `e`, replaced by `replace(call)`. */
function liftCalls(e: BoundExpr, replace: (call: BoundExpr) => BoundExpr): BoundExpr {
  if (isSetReturning(e)) return replace(e);
  return mapChildren(e, (c) => liftCalls(c, replace));
}

/** A Project of `exprs` over `input`, with the select list's set-returning calls run as a set. */
export function projectWithSets(
  input: PlanNode,
  exprs: readonly BoundExpr[],
  columns: readonly OutputColumn[],
): PlanNode {
  for (const e of exprs) {
    const srfArgs = e.kind === 'Call' && isSetReturning(e) ? e.args : [];
    if (srfArgs.some(containsSetReturning)) {
      throw new SqlError(
        SqlState.FeatureNotSupported,
        'set-returning functions as arguments of set-returning functions are not supported yet',
      );
    }
  }
  const topLevel = exprs.flatMap((e, i) => (isSetReturning(e) ? [i] : []));
  const nested = exprs.some((e) => !isSetReturning(e) && containsSetReturning(e));
  if (!nested) return { kind: 'Project', input, exprs, columns, setReturning: topLevel };

  const width = input.columns.length;
  const calls: BoundExpr[] = [];
  const lifted = exprs.map((e) =>
    liftCalls(e, (call) => {
      calls.push(call);
      return {
        kind: 'Column',
        type: call.type,
        index: width + calls.length - 1,
        name: `?srf${calls.length}?`,
      };
    }),
  );
  const passThrough = input.columns.map(
    (c, i): BoundExpr => ({ kind: 'Column', type: c.type, index: i, name: c.name }),
  );
  const setColumns = calls.map(
    (c, i): OutputColumn => ({ name: `?srf${i + 1}?`, type: c.type, tableOid: 0, attnum: 0 }),
  );
  const sets: PlanNode = {
    kind: 'Project',
    input,
    exprs: [...passThrough, ...calls],
    columns: [...input.columns, ...setColumns],
    setReturning: calls.map((_, i) => width + i),
  };
  return { kind: 'Project', input: sets, exprs: lifted, columns, setReturning: [] };
}
