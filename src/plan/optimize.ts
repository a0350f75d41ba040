/**
 * Applies the rewrite rules to a bound plan, top-down, including plans nested in FROM
 * subqueries, joins and WITH queries.
 */
import type { PlanNode } from './plan-nodes.ts';
import { applyVectorSearch, type RuleSettings } from './rules/vector-search-rule.ts';

export type { RuleSettings };

export function optimize(node: PlanNode, settings: RuleSettings): PlanNode {
  const rewritten = applyVectorSearch(node, settings);
  const n = rewritten ?? node;
  const o = (child: PlanNode) => optimize(child, settings);
  switch (n.kind) {
    case 'Filter':
    case 'Project':
    case 'Aggregate':
    case 'Sort':
    case 'Limit':
    case 'Distinct':
    case 'SubqueryScan':
      return { ...n, input: o(n.input) } as PlanNode;
    case 'Join':
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
