/**
 * Rule: a join of a few rows with a table whose btree index covers the ON condition's keys —
 * the nearest chunks of a kNN query joined with their documents, `ON d.id = c.doc_id` —
 * becomes a nested loop that looks each left row's key up in the index (an Index Scan whose
 * Index Cond reads the left row), instead of a hash join that reads every row of the table.
 *
 * Applies only when the left side is bounded by a LIMIT (or a kNN search's), one aggregate
 * row, or a few VALUES rows: without row estimates, a lookup per left row is only sure to
 * beat one pass over the table when the left rows are few. Inner and left joins only (a
 * right or full join must see every right row).
 */
import type { BoundExpr } from '../../bind/bound-expr.ts';
import { childrenOf, conjunction, conjuncts } from '../../bind/expr-walk.ts';
import { mapReferences } from '../expr-columns.ts';
import type { JoinNode, PlanNode } from '../plan-nodes.ts';
import { findKeyLookup, lookupScan } from './index-scan-rule.ts';

/** The most VALUES rows a join's left side may have for this rule. */
const MAX_VALUES_ROWS = 1_000;

export function applyIndexJoin(join: JoinNode): JoinNode | null {
  if (join.lateral || !join.on || (join.type !== 'inner' && join.type !== 'left')) return null;
  if (!bounded(join.left)) return null;
  const filter = join.right.kind === 'Filter' ? join.right : null;
  const scan = filter ? filter.input : join.right;
  if (scan.kind !== 'SeqScan') return null;
  const width = join.left.columns.length;
  // ON conjuncts move to the right side (as its Index Cond or filter); those that cannot
  // (subqueries) stay in ON.
  const parts: BoundExpr[] = [];
  const kept: BoundExpr[] = [];
  for (const c of conjuncts(join.on)) {
    const mapped = overRightRow(c, width, join.left);
    if (mapped) parts.push(mapped);
    else kept.push(c);
  }
  if (filter) parts.push(...conjuncts(filter.predicate));
  if (parts.length === 0) return null;
  const found = findKeyLookup(scan.table, conjunction(parts));
  if (!found || !readsOuterRow(found.lookup.cond)) return null;
  const right = lookupScan(scan, found.lookup, found.rest);
  // Run once per left row, with that row as the innermost outer row.
  return { ...join, lateral: true, right, on: kept.length > 0 ? conjunction(kept) : null, hashKeys: null };
}

/**
 * Whether a plan yields few rows whatever the table sizes: under a LIMIT, a kNN search with
 * one, an aggregate without GROUP BY, a few VALUES rows.
 */
function bounded(node: PlanNode): boolean {
  switch (node.kind) {
    case 'Limit':
      return node.limit !== null || bounded(node.input);
    case 'VectorSearch':
      return node.limit !== null;
    case 'Aggregate':
      return node.groups.length === 0 || bounded(node.input);
    case 'Values':
      return node.rows.length <= MAX_VALUES_ROWS;
    case 'Result':
      return true;
    case 'Project':
    case 'Filter':
    case 'Sort':
    case 'Distinct':
    case 'Window':
    case 'SubqueryScan':
      return bounded(node.input);
    default:
      return false;
  }
}

/**
 * An ON conjunct over the joined row as an expression over the right row, the left row
 * being its innermost outer row; null when it holds a subquery (whose outer references
 * would have to move too).
 */
function overRightRow(e: BoundExpr, width: number, left: PlanNode): BoundExpr | null {
  return mapReferences(e, (ref) => {
    if (ref.kind === 'Outer') return { ...ref, levels: ref.levels + 1 };
    if (ref.index >= width) return { ...ref, index: ref.index - width };
    const column = left.columns[ref.index];
    const name = column.qualifier ? `${column.qualifier}.${column.name}` : column.name;
    return { kind: 'Outer', type: ref.type, levels: 1, index: ref.index, name };
  });
}

function readsOuterRow(e: BoundExpr): boolean {
  return e.kind === 'Outer' ? e.levels === 1 : childrenOf(e).some(readsOuterRow);
}
