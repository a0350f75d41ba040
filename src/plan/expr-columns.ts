/**
 * Column-level rewrites of bound expressions for planner rules: which input columns an
 * expression reads, and the same expression reading from shifted positions. Expressions
 * containing subqueries are left alone (their correlation refers to the row they were bound
 * against), so both return null for them.
 */
import type { BoundExpr } from '../bind/bound-expr.ts';
import { mapChildren } from '../bind/expr-walk.ts';

/** Rebuilds `e` with every Column index mapped by `fn`; null if `e` holds a subquery. */
export function mapColumns(e: BoundExpr, fn: (index: number) => number): BoundExpr | null {
  return mapReferences(e, (ref) => (ref.kind === 'Column' ? { ...ref, index: fn(ref.index) } : ref));
}

type Reference = BoundExpr & { kind: 'Column' | 'Outer' };

/**
 * Rebuilds `e` with every reference to a row (the input's columns, enclosing rows') replaced
 * by `fn`'s expression; null if `e` holds a subquery.
 */
export function mapReferences(e: BoundExpr, fn: (ref: Reference) => BoundExpr): BoundExpr | null {
  switch (e.kind) {
    case 'Column':
    case 'Outer':
      return fn(e);
    case 'Subquery':
    case 'QuantifiedSubquery':
    case 'AggRef':
    case 'WindowRef':
      return null;
    default: {
      let failed = false;
      const out = mapChildren(e, (child) => {
        const mapped = mapReferences(child, fn);
        if (mapped === null) failed = true;
        return mapped ?? child;
      });
      return failed ? null : out;
    }
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
