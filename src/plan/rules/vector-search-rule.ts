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
 * With a LIMIT, the same pattern with an inner or left Join in place of the scan, ordered by
 * a column of the join's left side, becomes NearestFirst (nearestOfJoin).
 */
import type { BoundExpr } from '../../bind/bound-expr.ts';
import { exprKey, isRowIndependent } from '../../bind/expr-utils.ts';
import { conjuncts } from '../../bind/expr-walk.ts';
import type { IndexDef } from '../../catalog/catalog-types.ts';
import type { Value } from '../../types/type.ts';
import { columnsRead } from '../expr-columns.ts';
import type { LimitNode, PlanNode, ProjectNode, SortNode } from '../plan-nodes.ts';
import { findKeyLookup, partialIndexTest } from './index-scan-rule.ts';
import { mergeFilterIntoJoin } from './join-filter-rule.ts';

const DISTANCE_OPERATORS = new Set(['<->', '<#>', '<=>', '<+>', '<~>', '<%>']);

export interface RuleSettings {
  readonly enableSeqscan: boolean;
  readonly enableIndexscan: boolean;
  readonly enableHashjoin?: boolean;
  /**
   * Whether a range with these constant values holds so much of the table that reading it
   * all is cheaper than going through the index (the engine counts the index's entries).
   */
  readonly wideRange?: (
    index: IndexDef,
    prefix: readonly Value[],
    lower: readonly ConstBound[],
    upper: readonly ConstBound[],
  ) => boolean;
}

/** A range bound whose value the plan already has. */
export interface ConstBound {
  readonly value: Value;
  readonly inclusive: boolean;
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
  if (!rewritten) return limit ? nearestOfJoin(sort, limit, settings) : null;
  return limit ? { ...limit, input: rewritten } : rewritten;
}

/** The sort's distance call (`col <op> q`, q known before any row is read) and its projection. */
function orderedDistance(
  sort: SortNode,
): { project: ProjectNode; call: BoundExpr & { kind: 'Call' } } | null {
  if (sort.keys.length !== 1 || sort.keys[0].desc) return null;
  const project = sort.input;
  if (project.kind !== 'Project') return null;
  const key = sort.keys[0].expr;
  if (key.kind !== 'Column') return null;
  const call = project.exprs[key.index];
  if (call.kind !== 'Call' || !call.isOperator || !DISTANCE_OPERATORS.has(call.name)) return null;
  const [left, right] = call.args;
  if (!isRowIndependent(right) || isRowIndependent(left)) return null;
  return { project, call };
}

/**
 * `ORDER BY <distance over one side's column> LIMIT k` over an inner or left join: the join
 * is run first on that side's k nearest rows, through its index (each left row gives at
 * least one joined row unless the join drops it, and rows past the k nearest are no nearer),
 * falling back to the query as written when the join left fewer than k rows (NearestFirst).
 */
function nearestOfJoin(sort: SortNode, limit: LimitNode, settings: RuleSettings): PlanNode | null {
  if (!settings.enableIndexscan || limit.limit === null) return null;
  const ordered = orderedDistance(sort);
  if (!ordered) return null;
  const { project, call } = ordered;
  let below = project.input.kind === 'Filter' ? mergeFilterIntoJoin(project.input) : project.input;
  const filter = below.kind === 'Filter' ? below : null;
  const join = filter ? filter.input : below;
  if (join.kind !== 'Join' || join.lateral || !['inner', 'left', 'cross'].includes(join.type)) return null;
  const width = join.left.columns.length;
  const read = columnsRead(call.args[0]);
  if (read === null || [...read].some((i) => i >= width)) return null;
  const nearest = searchOver(join.left, call, limit);
  if (!nearest) return null;
  below = { ...join, left: nearest };
  if (filter) below = { ...filter, input: below };
  const fast: LimitNode = { ...limit, input: { ...sort, input: { ...project, input: below } } };
  return { kind: 'NearestFirst', input: fast, full: limit, columns: limit.columns };
}

function rewriteSort(sort: SortNode, limit: LimitNode | null, settings: RuleSettings): PlanNode | null {
  if (!settings.enableIndexscan) return null;
  if (!limit && settings.enableSeqscan) return null;
  const ordered = orderedDistance(sort);
  if (!ordered) return null;
  const search = searchOver(ordered.project.input, ordered.call, limit);
  return search ? { ...ordered.project, input: search } : null;
}

/**
 * A VectorSearch for `call` (the distance of a column of `input`'s table, or of an indexed
 * expression, to a row-independent query) over `input` = [Filter →] SeqScan, or null when
 * no index of the table serves it.
 */
function searchOver(
  input: PlanNode,
  call: BoundExpr & { kind: 'Call' },
  limit: LimitNode | null,
): PlanNode | null {
  const [left, right] = call.args;
  const filter = input.kind === 'Filter' ? input : null;
  const scan = filter ? filter.input : input;
  if (scan.kind !== 'SeqScan') return null;
  // The ordered expression must be what the index indexes: its column, or its expression. A
  // partial index (pgvector's per-category indexes) serves a WHERE with its conditions, and
  // is preferred: it holds fewer rows.
  const leftKey = exprKey(left);
  const serves = partialIndexTest(filter ? conjuncts(filter.predicate) : []);
  const candidates = scan.table.indexes.filter(
    (ix) =>
      ix.vector !== null &&
      ix.operator === call.name &&
      (ix.expressionKey !== null
        ? ix.expressionKey === leftKey
        : left.kind === 'Column' && ix.columns[0] === left.index) &&
      serves(ix),
  );
  const index = candidates.find((ix) => ix.predicate) ?? candidates[0];
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
  return search;
}
