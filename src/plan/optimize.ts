/**
 * Applies the rewrite rules to a bound plan, top-down, including plans nested in FROM
 * subqueries, joins and WITH queries.
 */
import type { BoundExpr } from '../bind/bound-expr.ts';
import { conjuncts } from '../bind/expr-walk.ts';
import { columnsRead, mapColumns } from './expr-columns.ts';
import type { PlanNode } from './plan-nodes.ts';
import { applyHashJoin } from './rules/hash-join-rule.ts';
import { applyIndexJoin } from './rules/index-join-rule.ts';
import { applyIndexScan } from './rules/index-scan-rule.ts';
import { applyVectorSearch, type RuleSettings } from './rules/vector-search-rule.ts';

export type { RuleSettings };

export function optimize(node: PlanNode, settings: RuleSettings): PlanNode {
  const rewritten = applyVectorSearch(node, settings);
  const n = mergeFilterIntoJoin(rewritten ?? node);
  const o = (child: PlanNode) => optimize(child, settings);
  if (n.kind === 'Filter' && settings.enableIndexscan) {
    const scan = applyIndexScan(n);
    if (scan) return scan;
  }
  switch (n.kind) {
    case 'Filter':
    case 'Project':
    case 'Aggregate':
    case 'Window':
    case 'Sort':
    case 'Limit':
    case 'Distinct':
    case 'SubqueryScan':
      return { ...n, input: o(n.input) } as PlanNode;
    case 'Join': {
      const left = o(n.left);
      // Checked before the right side is rewritten: it looks for a scan of a table.
      const lookups = settings.enableIndexscan ? applyIndexJoin({ ...n, left }) : null;
      if (lookups) return lookups;
      const join = { ...n, left, right: o(n.right) };
      return settings.enableHashjoin === false ? join : applyHashJoin(join);
    }
    case 'SetOp':
      return { ...n, left: o(n.left), right: o(n.right) };
    case 'RecursiveUnion':
      return { ...n, anchor: o(n.anchor), recursive: o(n.recursive) };
    case 'CteScan':
      // The CTE object is shared between references: rewrite it in place once.
      if (!(n.cte as { optimized?: boolean }).optimized) {
        (n.cte as { plan: PlanNode }).plan = o(n.cte.plan);
        (n.cte as { optimized?: boolean }).optimized = true;
      }
      return n;
    default:
      return n;
  }
}

/**
 * WHERE over an inner or comma join becomes part of the join condition (same rows), so the
 * hash-join rule can see its equalities: `FROM a, b WHERE a.id = b.a_id`. Conjuncts that read
 * only one side of an inner join are pushed down to a filter on that side.
 */
function mergeFilterIntoJoin(node: PlanNode): PlanNode {
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
    preds.length === 0 ? input : { kind: 'Filter', input, predicate: and(preds), columns: input.columns };
  return {
    ...join,
    type: 'inner',
    left: filtered(join.left, leftOnly),
    right: filtered(join.right, rightOnly),
    on: both.length > 0 ? and(both) : null,
  };
}

function and(preds: BoundExpr[]): BoundExpr {
  return preds.length === 1 ? preds[0] : { kind: 'And', type: preds[0].type, args: preds };
}
