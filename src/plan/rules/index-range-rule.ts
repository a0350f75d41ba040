/**
 * Rules over a btree index's order (its first key):
 *
 * - A WHERE with range conditions on that key — `id > $1`, `created_at >= now() - …`,
 *   `BETWEEN` — and no key equality the index-scan rule could use becomes an IndexRangeScan
 *   of the rows within the bounds, with the other conjuncts as a Filter over it.
 * - `ORDER BY <that key> [DESC] LIMIT k` over [Filter →] SeqScan reads the rows in key order
 *   and stops once the LIMIT has its rows, instead of sorting the table: Limit → Project →
 *   [Filter] → IndexRangeScan (with the WHERE's bounds, if any). Without a LIMIT the whole
 *   table is sorted as before. A WHERE with a key equality keeps its IndexScan and Sort (its
 *   rows are few, usually; there are no row estimates to weigh one against the other).
 *
 * Bounds pair the key column itself (or widened as the index-scan rule allows) with a value
 * known before any row is read, of a type whose values compare alike; the key's type must
 * have a total order that ORDER BY and the comparison operators share.
 */
import type { BoundExpr } from '../../bind/bound-expr.ts';
import { conjunction, conjuncts } from '../../bind/expr-walk.ts';
import { type IndexDef, keyed, type Table } from '../../catalog/catalog-types.ts';
import type { FilterNode, LimitNode, PlanNode, RangeBound, SeqScanNode } from '../plan-nodes.ts';
import { findKeyLookup, keyColumn, knownAhead, partialIndexTest, sameKeys } from './index-scan-rule.ts';
import type { ConstBound, RuleSettings } from './vector-search-rule.ts';

/** Key types whose btree order is compareValues' and the comparison operators'. */
const ORDERED_TYPES = new Set([
  'int2',
  'int4',
  'int8',
  'float4',
  'float8',
  'numeric',
  'text',
  'varchar',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'uuid',
]);

/** The side of the key a comparison bounds when the key is on the operator's left. */
const LOWER: Record<string, boolean | undefined> = { '>': false, '>=': true };
const UPPER: Record<string, boolean | undefined> = { '<': false, '<=': true };
const FLIPPED: Record<string, string> = { '>': '<', '>=': '<=', '<': '>', '<=': '>=' };

interface KeyRange {
  readonly index: IndexDef;
  readonly lower: RangeBound[];
  readonly upper: RangeBound[];
  readonly used: BoundExpr[];
}

/**
 * Filter → SeqScan with range conditions on an ordered index's key → [Filter →]
 * IndexRangeScan; not when constant bounds hold much of the table (as PostgreSQL's costs
 * would choose; with parameters the scan decides when it runs).
 */
export function applyIndexRange(node: FilterNode, settings: RuleSettings): PlanNode | null {
  const scan = node.input;
  if (scan.kind !== 'SeqScan') return null;
  const parts = conjuncts(node.predicate);
  const range = findKeyRange(scan.table, parts, null);
  if (!range) return null;
  const lower = constBounds(range.lower);
  const upper = constBounds(range.upper);
  if (lower && upper && settings.wideRange?.(range.index, lower, upper)) return null;
  return rangeScan(scan, range, null, parts);
}

/** The bounds' values when every one is a constant, else null. */
function constBounds(bounds: readonly RangeBound[]): ConstBound[] | null {
  const out: ConstBound[] = [];
  for (const b of bounds) {
    if (b.expr.kind !== 'Const') return null;
    out.push({ value: b.expr.value, inclusive: b.inclusive });
  }
  return out;
}

/**
 * `Limit → Sort(one key) → Project → [Filter →] SeqScan`, the key a column that leads an
 * ordered index → `Limit → Project → [Filter →] IndexRangeScan` in that order.
 */
export function applyIndexOrder(node: PlanNode): PlanNode | null {
  if (node.kind !== 'Limit' || node.limit === null) return null;
  const sort = node.input;
  if (sort.kind !== 'Sort' || sort.keys.length !== 1) return null;
  const project = sort.input;
  const key = sort.keys[0];
  if (project.kind !== 'Project' || key.expr.kind !== 'Column') return null;
  const filter = project.input.kind === 'Filter' ? project.input : null;
  const scan = filter ? filter.input : project.input;
  if (scan.kind !== 'SeqScan') return null;
  const column = project.exprs[key.expr.index];
  if (column.kind !== 'Column' || column.index >= scan.table.columns.length) return null;
  const parts = filter ? conjuncts(filter.predicate) : [];
  if (filter && findKeyLookup(scan.table, filter.predicate)) return null;
  const range = findKeyRange(scan.table, parts, column.index);
  if (!range) return null;
  const order = { desc: key.desc, nullsFirst: key.nullsFirst };
  const input = rangeScan(scan, range, order, parts);
  return { ...node, input: { ...project, input } } satisfies LimitNode;
}

/** The scan of `range`, with the conjuncts it does not stand for as a Filter over it. */
function rangeScan(
  scan: SeqScanNode,
  range: KeyRange,
  order: { desc: boolean; nullsFirst: boolean } | null,
  parts: readonly BoundExpr[],
): PlanNode {
  const rows: PlanNode = {
    kind: 'IndexRangeScan',
    table: scan.table,
    alias: scan.alias,
    index: range.index,
    lower: range.lower,
    upper: range.upper,
    cond: range.used.length > 0 ? conjunction(range.used) : null,
    order,
    withRowId: scan.withRowId,
    columns: scan.columns,
  };
  const rest = parts.filter((p) => !range.used.includes(p));
  return rest.length > 0
    ? { kind: 'Filter', input: rows, predicate: conjunction(rest), columns: scan.columns }
    : rows;
}

/**
 * An ordered index for these conjuncts: one whose first key is `orderBy` (when given; the
 * bounds may then be none), else one whose first key the conjuncts bound.
 */
function findKeyRange(table: Table, parts: readonly BoundExpr[], orderBy: number | null): KeyRange | null {
  const serves = partialIndexTest(parts);
  for (const index of table.indexes) {
    if (!keyed(index) || index.columns.length === 0 || !serves(index)) continue;
    const column = index.columns[0];
    if (orderBy !== null && column !== orderBy) continue;
    if (!ORDERED_TYPES.has(table.columns[column].type.base) || table.columns[column].type.isArray) continue;
    const range: KeyRange = { index, lower: [], upper: [], used: [] };
    for (const part of parts) {
      const bound = rangeBound(table, column, part);
      if (!bound) continue;
      (bound.lower ? range.lower : range.upper).push({ expr: bound.value, inclusive: bound.inclusive });
      range.used.push(part);
    }
    if (orderBy !== null || range.used.length > 0) return range;
  }
  return null;
}

/** `key <op> v` or `v <op> key` for a comparison operator: which side it bounds, and how. */
function rangeBound(
  table: Table,
  column: number,
  e: BoundExpr,
): { lower: boolean; inclusive: boolean; value: BoundExpr } | null {
  if (e.kind !== 'Call' || !e.isOperator || e.args.length !== 2 || !FLIPPED[e.name]) return null;
  const [left, right] = e.args;
  const keyLeft = keyColumn(table, left) === column;
  if (!keyLeft && keyColumn(table, right) !== column) return null;
  const value = keyLeft ? right : left;
  if (!knownAhead(value) || !sameKeys(table.columns[column].type, value.type)) return null;
  const op = keyLeft ? e.name : FLIPPED[e.name];
  const lower = LOWER[op];
  return lower !== undefined
    ? { lower: true, inclusive: lower, value }
    : { lower: false, inclusive: UPPER[op]!, value };
}
