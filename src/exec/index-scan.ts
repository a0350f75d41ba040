/**
 * Executes IndexScan and the key lookups of filtered kNN searches: the row ids a btree
 * index's key map holds for the looked-up values, then the rows of them the statement's
 * snapshot sees that pass the lookup's conjuncts (checked again: the map keeps every version
 * that held a key, and a row id may have been reused since).
 */
import type { KeyLookup, KeySource, PlanNode } from '../plan/plan-nodes.ts';
import { ArrayValue } from '../types/array.ts';
import { INT_LIMITS } from '../types/register-numeric-types.ts';
import type { SqlType, Value } from '../types/type.ts';
import { compileExpr } from './compile-expr.ts';
import type { ExecEnv } from './exec-env.ts';
import { keyTypeAt, rowIdsWithKey, valuesKey } from './table-writer.ts';

type IndexScanNode = PlanNode & { kind: 'IndexScan' };

export function runIndexScan(node: IndexScanNode, env: ExecEnv): Value[][] {
  const store = node.table.store;
  const cond = compileExpr(node.lookup.cond);
  const out: Value[][] = [];
  for (const rowId of lookupRowIds(node.lookup, env)) {
    if (!store.isVisible(rowId, env.txn)) continue;
    const row = store.row(rowId);
    if (cond(row, env) === true) out.push(node.withRowId ? [...row, rowId] : row);
  }
  return out;
}

/**
 * Row ids (ascending, any visibility) of the versions that held one of the looked-up keys:
 * every combination of the key columns' values; none when a value is NULL.
 */
export function lookupRowIds(lookup: KeyLookup, env: ExecEnv): number[] {
  const { index } = lookup;
  const choices = lookup.sources.map((source, i) => keyValues(source, keyTypeAt(index, i), env));
  const found = new Set<number>();
  const values: Value[] = new Array(choices.length).fill(null);
  const visit = (at: number): void => {
    if (at === choices.length) {
      const key = valuesKey(index, values);
      const held = key === null ? undefined : rowIdsWithKey(index, key);
      if (typeof held === 'number') found.add(held);
      else if (held) for (const rowId of held) found.add(rowId);
      return;
    }
    for (const value of choices[at]) {
      values[at] = value;
      visit(at + 1);
    }
  };
  visit(0);
  return [...found].sort((a, b) => a - b);
}

/** A key column's wanted values, as values of the column's type (out-of-range ones dropped). */
function keyValues(source: KeySource, column: SqlType, env: ExecEnv): Value[] {
  let values: Value[];
  if (source.kind === 'values') values = source.exprs.map((e) => compileExpr(e)([], env));
  else {
    const array = compileExpr(source.expr)([], env);
    values = array instanceof ArrayValue ? array.elements : [];
  }
  const out: Value[] = [];
  for (const v of values) {
    const converted = v === null ? null : asColumnValue(v, column);
    if (converted !== null) out.push(converted);
  }
  return out;
}

/**
 * An integer of another width in the column's representation (int8 is a bigint, int2/int4
 * numbers), or null when no value of the column can equal it; other values as they are
 * (the rule only pairs types whose values share their keys).
 */
export function asColumnValue(v: Value, column: SqlType): Value {
  if (column.base === 'int8') return typeof v === 'number' ? BigInt(v) : v;
  if ((column.base !== 'int2' && column.base !== 'int4') || typeof v !== 'bigint') return v;
  const { min, max } = INT_LIMITS[column.base];
  return v >= min && v <= max ? Number(v) : null;
}
