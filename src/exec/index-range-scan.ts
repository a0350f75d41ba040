/**
 * Executes IndexRangeScan: the row ids the index's ordered keys hold within the bounds, in
 * key order, each checked for visibility and against the range's conjuncts again (the
 * ordered keys keep every version that held a key). Rows are produced on demand, so a
 * LIMIT above stops the walk; a range without an order that covers much of the table is
 * read as a sequential scan instead (the same rows, without the index's random reads).
 */
import type { IndexDef } from '../catalog/catalog-types.ts';
import type { PlanNode, RangeBound } from '../plan/plan-nodes.ts';
import { compareValues } from '../types/compare.ts';
import type { SqlType, Value } from '../types/type.ts';
import { compileExpr } from './compile-expr.ts';
import type { ExecEnv } from './exec-env.ts';
import type { KeyBound } from './ordered-keys.ts';
import { keyTypeAt, orderedKeysOf } from './table-writer.ts';

type IndexRangeScanNode = PlanNode & { kind: 'IndexRangeScan' };

/** Past this share of the table's rows, an unordered range reads the table sequentially. */
const SCAN_SHARE = 0.3;

/** A bound's value and whether it is inclusive, as the plan or the execution has it. */
export interface BoundValue {
  readonly value: Value;
  readonly inclusive: boolean;
}

/**
 * Whether a range holds so many of the index's entries (past SCAN_SHARE of the table's
 * rows) that a sequential scan reads less: the planner's check for constant bounds.
 */
export function wideRange(
  index: IndexDef,
  prefix: readonly Value[],
  lower: readonly BoundValue[],
  upper: readonly BoundValue[],
): boolean {
  const range = keyRange(index, prefix, lower, upper);
  return range !== null && holdsMuch(index, range);
}

/** Whether the index holds more than SCAN_SHARE of the table's rows within `range`. */
function holdsMuch(index: IndexDef, range: KeyRange): boolean {
  return orderedKeysOf(index).count(range.lower, range.upper) > index.table.store.capacity * SCAN_SHARE;
}

export function* indexRangeRows(node: IndexRangeScanNode, env: ExecEnv): Generator<Value[]> {
  const value = (e: Parameters<typeof compileExpr>[0]) => compileExpr(e)([], env);
  const values = (bounds: readonly RangeBound[]) =>
    bounds.map((b) => ({ value: value(b.expr), inclusive: b.inclusive }));
  const range = keyRange(node.index, node.prefix.map(value), values(node.lower), values(node.upper));
  if (range === null) return;
  const store = node.table.store;
  const cond = node.cond ? compileExpr(node.cond) : null;
  const ordered = orderedKeysOf(node.index);
  let n = 0;
  const rows = function* (rowIds: Iterable<number>): Generator<Value[]> {
    for (const rowId of rowIds) {
      if ((++n & 4095) === 0) env.checkInterrupt();
      if (!store.isVisible(rowId, env.txn)) continue;
      const row = store.row(rowId);
      if (cond && cond(row, env) !== true) continue;
      yield node.withRowId ? [...row, rowId] : row;
    }
  };
  if (!node.order) {
    const wide = holdsMuch(node.index, range);
    yield* rows(wide ? store.visibleRowIds(env.txn) : ordered.range(range.lower, range.upper, false));
    return;
  }
  yield* rows(ordered.range(range.lower, range.upper, node.order.desc));
}

/**
 * The ends of the key range for these values, or null when the range holds nothing (a NULL
 * value: `col = NULL` and `col > NULL` are never true). Within the prefix, a lower bound
 * without an upper one stops before the column's NULLs (a btree keeps them after every value).
 */
function keyRange(
  index: IndexDef,
  prefixValues: readonly Value[],
  lower: readonly BoundValue[],
  upper: readonly BoundValue[],
): KeyRange | null {
  if (prefixValues.some((v) => v === null)) return null;
  const prefix = prefixValues.map((v, i) => asKeyValue(v, keyTypeAt(index, i)));
  if (lower.length === 0 && upper.length === 0) {
    const whole = prefix.length > 0 ? { prefix, inclusive: true } : null;
    return { lower: whole, upper: whole };
  }
  const type = keyTypeAt(index, prefix.length);
  const lo = tightest(lower, type, 1);
  const hi = tightest(upper, type, -1);
  if (lo === NO_ROWS || hi === NO_ROWS) return null;
  const around = prefix.length > 0 ? { prefix, inclusive: true } : null;
  return {
    lower: lo ? { prefix: [...prefix, lo.value], inclusive: lo.inclusive } : around,
    upper: hi
      ? { prefix: [...prefix, hi.value], inclusive: hi.inclusive }
      : { prefix: [...prefix, null], inclusive: false },
  };
}

/** The ends of a key range (null: unbounded on that side). */
interface KeyRange {
  readonly lower: KeyBound | null;
  readonly upper: KeyBound | null;
}

const NO_ROWS = Symbol('no rows');

/**
 * The tightest of one side's bounds (`side` 1: the greatest lower bound, -1: the least upper
 * one; at equal values the exclusive one), null without any, NO_ROWS when one is NULL.
 */
function tightest(
  bounds: readonly BoundValue[],
  type: SqlType,
  side: 1 | -1,
): BoundValue | null | typeof NO_ROWS {
  let best: BoundValue | null = null;
  for (const bound of bounds) {
    if (bound.value === null) return NO_ROWS;
    const value = asKeyValue(bound.value, type);
    if (best === null) {
      best = { value, inclusive: bound.inclusive };
      continue;
    }
    const c = compareValues(type, value, best.value) * side;
    if (c > 0 || (c === 0 && !bound.inclusive)) best = { value, inclusive: bound.inclusive };
  }
  return best;
}

/**
 * A value in the key's representation: integers of another width converted (a bigint
 * beyond an int4 key's range still compares right as a number), other values as they are
 * (the rule pairs only types whose values compare alike).
 */
function asKeyValue(v: Value, type: SqlType): Value {
  if (type.base === 'int8') return typeof v === 'number' ? BigInt(v) : v;
  if ((type.base === 'int2' || type.base === 'int4') && typeof v === 'bigint') return Number(v);
  return v;
}
