/**
 * Applies the rewrite rules to a bound plan, top-down, including plans nested in FROM
 * subqueries, joins and WITH queries.
 */
import type { LimitNode, PlanNode } from './plan-nodes.ts';
import { applyHashJoin } from './rules/hash-join-rule.ts';
import { applyIndexJoin } from './rules/index-join-rule.ts';
import { applyIndexOrder, applyIndexRange } from './rules/index-range-rule.ts';
import { applyIndexScan } from './rules/index-scan-rule.ts';
import { mergeFilterIntoJoin } from './rules/join-filter-rule.ts';
import { applyVectorSearch, type RuleSettings } from './rules/vector-search-rule.ts';

export type { RuleSettings };

export function optimize(node: PlanNode, settings: RuleSettings): PlanNode {
  const ordered = settings.enableIndexscan ? applyIndexOrder(node) : null;
  return optimizeInside(applyVectorSearch(node, settings) ?? ordered ?? node, settings);
}

/** optimize() without trying the kNN rewrite at `node` itself. */
function optimizeInside(node: PlanNode, settings: RuleSettings): PlanNode {
  const n = mergeFilterIntoJoin(node);
  const o = (child: PlanNode) => optimize(child, settings);
  if (n.kind === 'Filter' && settings.enableIndexscan) {
    const scan = applyIndexScan(n) ?? applyIndexRange(n, settings);
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
    case 'NearestFirst':
      // The query as written is the fallback: its rows are not rewritten again at the top.
      return { ...n, input: o(n.input) as LimitNode, full: optimizeInside(n.full, settings) as LimitNode };
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
