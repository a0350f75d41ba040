/**
 * Column-level rewrites of bound expressions for planner rules: which input columns an
 * expression reads, and the same expression reading from shifted positions. Expressions
 * containing subqueries are left alone (their correlation refers to the row they were bound
 * against), so both return null for them.
 */
import type { BoundExpr } from '../bind/bound-expr.ts';

/** Rebuilds `e` with every Column index mapped by `fn`; null if `e` holds a subquery. */
export function mapColumns(e: BoundExpr, fn: (index: number) => number): BoundExpr | null {
  const m = (x: BoundExpr) => mapColumns(x, fn);
  const all = (xs: readonly BoundExpr[]) => {
    const out = xs.map(m);
    return out.every((x) => x !== null) ? (out as BoundExpr[]) : null;
  };
  switch (e.kind) {
    case 'Column':
      return { ...e, index: fn(e.index) };
    case 'Const':
    case 'Param':
    case 'Outer':
      return e;
    case 'Call':
    case 'SessionCall':
    case 'And':
    case 'Or':
    case 'Coalesce':
    case 'MinMax': {
      const args = all(e.args);
      return args ? ({ ...e, args } as BoundExpr) : null;
    }
    case 'Cast':
    case 'Not':
    case 'IsNull':
    case 'BoolTest': {
      const arg = m(e.arg);
      return arg ? ({ ...e, arg } as BoundExpr) : null;
    }
    case 'ArrayCtor': {
      const elements = all(e.elements);
      return elements ? { ...e, elements } : null;
    }
    case 'Case': {
      const whens = e.whens.map((w) => ({ when: m(w.when), then: m(w.then) }));
      const otherwise = e.else ? m(e.else) : null;
      if (whens.some((w) => !w.when || !w.then) || (e.else && !otherwise)) return null;
      return { ...e, whens: whens as { when: BoundExpr; then: BoundExpr }[], else: otherwise };
    }
    case 'QuantifiedArray': {
      const arg = m(e.arg);
      const array = m(e.array);
      return arg && array ? { ...e, arg, array } : null;
    }
    default:
      return null;
  }
}

/** The input columns `e` reads, or null if it holds a subquery. */
export function columnsRead(e: BoundExpr): Set<number> | null {
  const used = new Set<number>();
  const ok = mapColumns(e, (i) => {
    used.add(i);
    return i;
  });
  return ok ? used : null;
}
