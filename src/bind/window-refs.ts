/**
 * Rewrites around window calls: their inner expressions over an Aggregate's output (window
 * functions run after GROUP BY), and WindowRefs into columns of the Window node's output.
 */
import type { BoundExpr, WindowCall } from './bound-expr.ts';
import { mapChildren } from './expr-walk.ts';

export function rewriteWindowOverAggregate(w: WindowCall, rewrite: (e: BoundExpr) => BoundExpr): WindowCall {
  const fn =
    w.fn.kind === 'aggregate'
      ? { kind: 'aggregate' as const, call: { ...w.fn.call, args: w.fn.call.args.map(rewrite) } }
      : w.fn;
  return {
    ...w,
    fn,
    args: w.args.map(rewrite),
    partitionBy: w.partitionBy.map(rewrite),
    orderBy: w.orderBy.map((k) => ({ ...k, expr: rewrite(k.expr) })),
  };
}

/** Points WindowRef(i) at column `offset + i` of the Window node's output. */
export function replaceWindowRefs(e: BoundExpr, offset: number): BoundExpr {
  if (e.kind === 'WindowRef')
    return { kind: 'Column', type: e.type, index: offset + e.index, name: `window${e.index}` };
  return mapChildren(e, (x) => replaceWindowRefs(x, offset));
}
