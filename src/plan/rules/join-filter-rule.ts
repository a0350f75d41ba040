import type { BoundExpr } from '../../bind/bound-expr.ts';
import { conjunction, conjuncts } from '../../bind/expr-walk.ts';
import { columnsRead, mapColumns } from '../expr-columns.ts';
import type { PlanNode } from '../plan-nodes.ts';

/**
 * WHERE over an inner or comma join becomes part of the join condition (same rows), so the
 * hash-join rule can see its equalities: `FROM a, b WHERE a.id = b.a_id`. Conjuncts that read
 * only one side of an inner join are pushed down to a filter on that side.
 */
export function mergeFilterIntoJoin(node: PlanNode): PlanNode {
  let join: PlanNode = node;
  let extra: BoundExpr | null = null;
  if (node.kind === 'Filter' && node.input.kind === 'Join') {
    join = node.input;
    extra = node.predicate;
  }
  if (join.kind !== 'Join' || join.lateral || (join.type !== 'inner' && join.type !== 'cross')) return node;
  const conds = [...(join.on ? conjuncts(join.on) : []), ...(extra ? conjuncts(extra) : [])];
  if (conds.length === 0) return join;
  const width = join.left.columns.length;
  const leftOnly: BoundExpr[] = [];
  const rightOnly: BoundExpr[] = [];
  const both: BoundExpr[] = [];
  for (const c of conds) {
    const used = columnsRead(c);
    if (used === null || used.size === 0) both.push(c);
    else if ([...used].every((i) => i < width)) leftOnly.push(c);
    else if ([...used].every((i) => i >= width)) rightOnly.push(mapColumns(c, (i) => i - width)!);
    else both.push(c);
  }
  const filtered = (input: PlanNode, preds: BoundExpr[]): PlanNode =>
    preds.length === 0
      ? input
      : { kind: 'Filter', input, predicate: conjunction(preds), columns: input.columns };
  return {
    ...join,
    type: 'inner',
    left: filtered(join.left, leftOnly),
    right: filtered(join.right, rightOnly),
    on: both.length > 0 ? conjunction(both) : null,
  };
}
