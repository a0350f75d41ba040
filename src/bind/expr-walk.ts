/**
 * The one place that knows which bound-expression kinds have sub-expressions: rewrites and
 * searches over bound expressions go through `childrenOf` and `mapChildren` instead of each
 * spelling out every kind. Subquery plans are not children (they are bound over their own
 * rows); a quantified subquery's tested argument is.
 */
import type { BoundExpr } from './bound-expr.ts';

export function childrenOf(e: BoundExpr): readonly BoundExpr[] {
  switch (e.kind) {
    case 'Call':
    case 'SessionCall':
    case 'And':
    case 'Or':
    case 'Coalesce':
    case 'MinMax':
      return e.args;
    case 'Cast':
    case 'Not':
    case 'IsNull':
    case 'BoolTest':
      return [e.arg];
    case 'ArrayCtor':
      return e.elements;
    case 'Case':
      return [...e.whens.flatMap((w) => [w.when, w.then]), ...(e.else ? [e.else] : [])];
    case 'QuantifiedArray':
      return [e.arg, e.array];
    case 'QuantifiedSubquery':
      return [e.arg];
    default:
      return [];
  }
}

/** `e` with each direct sub-expression replaced by `f(child)`; leaves come back unchanged. */
export function mapChildren(e: BoundExpr, f: (child: BoundExpr) => BoundExpr): BoundExpr {
  switch (e.kind) {
    case 'Call':
    case 'SessionCall':
    case 'And':
    case 'Or':
    case 'Coalesce':
    case 'MinMax':
      return { ...e, args: e.args.map(f) } as BoundExpr;
    case 'Cast':
    case 'Not':
    case 'IsNull':
    case 'BoolTest':
      return { ...e, arg: f(e.arg) } as BoundExpr;
    case 'ArrayCtor':
      return { ...e, elements: e.elements.map(f) };
    case 'Case':
      return {
        ...e,
        whens: e.whens.map((w) => ({ when: f(w.when), then: f(w.then) })),
        else: e.else ? f(e.else) : null,
      };
    case 'QuantifiedArray':
      return { ...e, arg: f(e.arg), array: f(e.array) };
    case 'QuantifiedSubquery':
      return { ...e, arg: f(e.arg) };
    default:
      return e;
  }
}

/** The AND-ed parts of a condition (`a AND (b AND c)` → a, b, c). */
export function conjuncts(e: BoundExpr): BoundExpr[] {
  return e.kind === 'And' ? e.args.flatMap(conjuncts) : [e];
}

/** The conditions AND-ed (one alone as it is); `parts` must not be empty. */
export function conjunction(parts: readonly BoundExpr[]): BoundExpr {
  return parts.length === 1 ? parts[0] : { kind: 'And', type: parts[0].type, args: parts };
}
