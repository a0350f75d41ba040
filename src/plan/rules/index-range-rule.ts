/**
 * Rules over a btree index's order:
 *
 * - A WHERE that gives the index's first columns values (`tenant = $1`) and/or bounds the
 *   next one (`at > $2`, `id BETWEEN …`) — without pinning the whole key, which the
 *   index-scan rule looks up instead — becomes an IndexRangeScan of the rows within that
 *   range, with the other conjuncts as a Filter over it.
 * - `ORDER BY <the column after such a prefix> [DESC] LIMIT k` over [Filter →] SeqScan reads
 *   the rows in key order and stops once the LIMIT has its rows, instead of sorting the
 *   table: Limit → Project → [Filter] → IndexRangeScan. `WHERE tenant = $1 ORDER BY at DESC
 *   LIMIT 20` on an index over (tenant, at) reads 20 rows. Without a LIMIT the rows are
 *   sorted as before; NULLs must go where the index keeps them (ASC NULLS LAST, DESC NULLS
 *   FIRST), as PostgreSQL requires of a btree index's order.
 *
 * Values and bounds pair a key column itself (or widened as the index-scan rule allows)
 * with a value known before any row is read, of a type whose values compare alike; the
 * index's key types must have a total order that ORDER BY and the comparison operators share.
 * There are no row estimates: a range that uses more conjuncts is preferred, a whole-key
 * lookup wins over a range unless the range also gives the order with a prefix.
 */
import type { BoundExpr } from '../../bind/bound-expr.ts';
import { conjunction, conjuncts } from '../../bind/expr-walk.ts';
import { type IndexDef, keyed, type Table } from '../../catalog/catalog-types.ts';
import type { Value } from '../../types/type.ts';
import type { FilterNode, LimitNode, PlanNode, RangeBound, SeqScanNode } from '../plan-nodes.ts';
import {
  columnEqualityValue,
  findKeyLookup,
  keyColumn,
  knownAhead,
  partialIndexTest,
  sameKeys,
} from './index-scan-rule.ts';
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
  readonly prefix: BoundExpr[];
  readonly lower: RangeBound[];
  readonly upper: RangeBound[];
  readonly used: BoundExpr[];
}

/**
 * Filter → SeqScan with a prefix or range of an ordered index's key → [Filter →]
 * IndexRangeScan; not when constant values hold much of the table (as PostgreSQL's costs
 * would choose; with parameters the scan decides when it runs).
 */
export function applyIndexRange(node: FilterNode, settings: RuleSettings): PlanNode | null {
  const scan = node.input;
  if (scan.kind !== 'SeqScan') return null;
  const parts = conjuncts(node.predicate);
  const range = findKeyRange(scan.table, parts, null);
  if (!range) return null;
  const prefix = constValues(range.prefix.map((expr) => ({ expr, inclusive: true })));
  const lower = constValues(range.lower);
  const upper = constValues(range.upper);
  if (
    prefix &&
    lower &&
    upper &&
    settings.wideRange?.(
      range.index,
      prefix.map((b) => b.value),
      lower,
      upper,
    )
  )
    return null;
  return rangeScan(scan, range, null, parts);
}

/** The bounds' values when every one is a constant, else null. */
function constValues(bounds: readonly RangeBound[]): ConstBound[] | null {
  const out: ConstBound[] = [];
  for (const b of bounds) {
    if (b.expr.kind !== 'Const') return null;
    out.push({ value: b.expr.value as Value, inclusive: b.inclusive });
  }
  return out;
}

/**
 * `Limit → Sort(one key) → Project → [Filter →] SeqScan`, the key the column after an
 * ordered index's pinned prefix → `Limit → Project → [Filter →] IndexRangeScan` in that order.
 */
export function applyIndexOrder(node: PlanNode): PlanNode | null {
  if (node.kind !== 'Limit' || node.limit === null) return null;
  const sort = node.input;
  if (sort.kind !== 'Sort' || sort.keys.length === 0) return null;
  const project = sort.input;
  if (project.kind !== 'Project') return null;
  const filter = project.input.kind === 'Filter' ? project.input : null;
  const scan = filter ? filter.input : project.input;
  if (scan.kind !== 'SeqScan') return null;
  // Table columns, all in one direction, NULLs where a btree keeps them: after every value,
  // so first when read backward.
  const desc = sort.keys[0].desc;
  const columns: number[] = [];
  for (const key of sort.keys) {
    if (key.expr.kind !== 'Column' || key.desc !== desc || key.desc !== key.nullsFirst) return null;
    const column = project.exprs[key.expr.index];
    if (column.kind !== 'Column' || column.index >= scan.table.columns.length) return null;
    columns.push(column.index);
  }
  const parts = filter ? conjuncts(filter.predicate) : [];
  const range = findKeyRange(scan.table, parts, columns);
  if (!range) return null;
  // A whole key looked up (few rows, usually) and sorted beats reading in order from the start.
  if (range.prefix.length === 0 && filter && findKeyLookup(scan.table, filter.predicate)) return null;
  const input = rangeScan(scan, range, { desc }, parts);
  return { ...node, input: { ...project, input } } satisfies LimitNode;
}

/** The scan of `range`, with the conjuncts it does not stand for as a Filter over it. */
function rangeScan(
  scan: SeqScanNode,
  range: KeyRange,
  order: { desc: boolean } | null,
  parts: readonly BoundExpr[],
): PlanNode {
  const rows: PlanNode = {
    kind: 'IndexRangeScan',
    table: scan.table,
    alias: scan.alias,
    index: range.index,
    prefix: range.prefix,
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
 * The best ordered-index range for these conjuncts — the one standing for the most of them —
 * among indexes whose key order gives `orderBy` (when given: the columns after the pinned
 * prefix start with those of `orderBy` not pinned, in order; the range may then be empty),
 * or that the conjuncts pin or bound at all.
 */
function findKeyRange(
  table: Table,
  parts: readonly BoundExpr[],
  orderBy: readonly number[] | null,
): KeyRange | null {
  const serves = partialIndexTest(parts);
  let best: KeyRange | null = null;
  for (const index of table.indexes) {
    if (!keyed(index) || index.columns.length === 0 || !serves(index)) continue;
    if (!index.columns.every((c) => orderedType(table, c))) continue;
    const range: KeyRange = { index, prefix: [], lower: [], upper: [], used: [] };
    for (const column of index.columns) {
      const pinned = equalityOn(table, column, parts, range.used);
      if (!pinned) break;
      range.prefix.push(pinned.value);
      range.used.push(pinned.part);
    }
    const next = index.columns[range.prefix.length];
    if (next === undefined) continue; // the whole key: the index-scan rule's lookup
    if (orderBy !== null) {
      // A pinned column has one value: ordering by it asks nothing.
      const pinned = index.columns.slice(0, range.prefix.length);
      const wanted = orderBy.filter((c) => !pinned.includes(c));
      if (!wanted.every((c, i) => index.columns[range.prefix.length + i] === c)) continue;
    }
    for (const part of parts) {
      const bound = rangeBound(table, next, part);
      if (!bound) continue;
      (bound.lower ? range.lower : range.upper).push({ expr: bound.value, inclusive: bound.inclusive });
      range.used.push(part);
    }
    if (orderBy === null && range.used.length === 0) continue;
    if (!best || range.used.length > best.used.length) best = range;
  }
  return best;
}

/** The first conjunct not used yet that gives `column` a value (`column = v`), and that value. */
function equalityOn(
  table: Table,
  column: number,
  parts: readonly BoundExpr[],
  used: readonly BoundExpr[],
): { part: BoundExpr; value: BoundExpr } | null {
  for (const part of parts) {
    if (used.includes(part)) continue;
    const value = columnEqualityValue(table, column, part);
    if (value) return { part, value };
  }
  return null;
}

function orderedType(table: Table, column: number): boolean {
  const type = table.columns[column].type;
  return !type.isArray && ORDERED_TYPES.has(type.base);
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
