/**
 * Rewrites around window calls: their inner expressions over an Aggregate's output (window
 * functions run after GROUP BY), and WindowRefs into columns of the Window node's output.
 */
import type { BoundExpr, WindowCall } from './bound-expr.ts';

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
  const r = (x: BoundExpr) => replaceWindowRefs(x, offset);
  switch (e.kind) {
    case 'WindowRef':
      return { kind: 'Column', type: e.type, index: offset + e.index, name: `window${e.index}` };
    case 'Call':
    case 'SessionCall':
    case 'And':
    case 'Or':
    case 'Coalesce':
    case 'MinMax':
      return { ...e, args: e.args.map(r) } as BoundExpr;
    case 'Cast':
    case 'Not':
    case 'IsNull':
    case 'BoolTest':
      return { ...e, arg: r(e.arg) } as BoundExpr;
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
    default:
      return e;
  }
}
