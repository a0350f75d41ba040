/**
 * Rule: ORDER BY <vector column> <distance op> <row-independent expr> [LIMIT k] over a table
 * with a matching HNSW/IVFFlat index becomes a VectorSearch (DESIGN §4).
 *
 * Pattern (as the select binder builds it):
 *   [Limit] → Sort(one ascending key = projected column j) → Project(exprs[j] = col <op> q)
 *           → [Filter] → SeqScan
 * Guards, each a reason the index does not apply:
 *   - descending order or more than one sort key: an index yields only ascending distance;
 *   - no LIMIT and enable_seqscan on: PostgreSQL sorts the whole table in that case, and an
 *     index scan would drop rows with NULL vectors;
 *   - the query vector depends on the row;
 *   - no index on that column serves that operator.
 */
import { exprKey, isRowIndependent } from '../../bind/expr-utils.ts';
import type { LimitNode, PlanNode, SortNode } from '../plan-nodes.ts';
import { findKeyLookup } from './index-scan-rule.ts';

const DISTANCE_OPERATORS = new Set(['<->', '<#>', '<=>', '<+>', '<~>', '<%>']);

export interface RuleSettings {
  readonly enableSeqscan: boolean;
  readonly enableIndexscan: boolean;
  readonly enableHashjoin?: boolean;
}

export function applyVectorSearch(node: PlanNode, settings: RuleSettings): PlanNode | null {
  let limit: LimitNode | null = null;
  let sort: PlanNode = node;
  if (node.kind === 'Limit') {
    limit = node;
    sort = node.input;
  }
  if (sort.kind !== 'Sort') return null;
  const rewritten = rewriteSort(sort, limit, settings);
  if (!rewritten) return null;
  return limit ? { ...limit, input: rewritten } : rewritten;
}

function rewriteSort(sort: SortNode, limit: LimitNode | null, settings: RuleSettings): PlanNode | null {
  if (!settings.enableIndexscan) return null;
  if (sort.keys.length !== 1 || sort.keys[0].desc) return null;
  if (!limit && settings.enableSeqscan) return null;
  const project = sort.input;
  if (project.kind !== 'Project') return null;
  const key = sort.keys[0].expr;
  if (key.kind !== 'Column') return null;
  const call = project.exprs[key.index];
  if (call.kind !== 'Call' || !call.isOperator || !DISTANCE_OPERATORS.has(call.name)) return null;
  const [left, right] = call.args;
  if (!isRowIndependent(right) || isRowIndependent(left)) return null;
  const filter = project.input.kind === 'Filter' ? project.input : null;
  const scan = filter ? filter.input : project.input;
  if (scan.kind !== 'SeqScan') return null;
  // The ordered expression must be what the index indexes: its column, or its expression.
  const leftKey = exprKey(left);
  const index = scan.table.indexes.find(
    (ix) =>
      ix.vector !== null &&
      ix.operator === call.name &&
      (ix.expressionKey !== null
        ? ix.expressionKey === leftKey
        : left.kind === 'Column' && ix.columns[0] === left.index),
  );
  if (!index) return null;
  const search: PlanNode = {
    kind: 'VectorSearch',
    table: scan.table,
    alias: scan.alias,
    index,
    key: left,
    query: right,
    limit: limit?.limit ?? null,
    offset: limit?.offset ?? null,
    filter: filter?.predicate ?? null,
    lookup: filter ? (findKeyLookup(scan.table, filter.predicate)?.lookup ?? null) : null,
    withRowId: scan.withRowId,
    columns: scan.columns,
  };
  return { ...project, input: search };
}
