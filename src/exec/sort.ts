/**
 * ORDER BY: a stable sort on precomputed key columns with PostgreSQL's NULL placement
 * (NULLS LAST for ASC, NULLS FIRST for DESC unless stated).
 */
import type { SortKey } from '../bind/bound-expr.ts';
import type { Value } from '../types/type.ts';
import { compileExpr } from './compile-expr.ts';
import type { ExecEnv } from './exec-env.ts';

export function rowComparator(keys: readonly SortKey[], env: ExecEnv) {
  const getters = keys.map((k) => compileExpr(k.expr));
  return (a: Value[], b: Value[]): number => {
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const x = getters[i](a, env);
      const y = getters[i](b, env);
      if (x === null || y === null) {
        if (x === y) continue;
        return (x === null) === k.nullsFirst ? -1 : 1;
      }
      const c = k.compare(x, y);
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  };
}

export function sortRows(rows: Value[][], keys: readonly SortKey[], env: ExecEnv): Value[][] {
  env.checkInterrupt();
  // Array.prototype.sort is stable (ES2019), which keeps equal rows in input order.
  return rows.sort(rowComparator(keys, env));
}

/**
 * The first `k` rows in ORDER BY order, the same rows in the same order as
 * `sortRows(rows).slice(0, k)` (ties keep their input order), holding only `k` rows at a
 * time: a max-heap of the best so far, whose root — the worst of them — each new row
 * must beat. O(n log k) comparisons instead of O(n log n).
 */
export function topRows(
  rows: Iterable<Value[]>,
  keys: readonly SortKey[],
  k: number,
  env: ExecEnv,
): Value[][] {
  env.checkInterrupt();
  if (k <= 0) return [];
  const compare = rowComparator(keys, env);
  const heap: { readonly row: Value[]; readonly seq: number }[] = [];
  // > 0 when `a` comes after `b` in the result (a later arrival loses a tie).
  const after = (a: (typeof heap)[number], b: (typeof heap)[number]) =>
    compare(a.row, b.row) || a.seq - b.seq;
  const swap = (i: number, j: number) => {
    const t = heap[i];
    heap[i] = heap[j];
    heap[j] = t;
  };
  let seq = 0;
  for (const row of rows) {
    const item = { row, seq: seq++ };
    if ((seq & 4095) === 0) env.checkInterrupt();
    if (heap.length < k) {
      heap.push(item);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (after(heap[i], heap[parent]) <= 0) break;
        swap(i, parent);
        i = parent;
      }
    } else if (after(item, heap[0]) < 0) {
      heap[0] = item;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let worst = i;
        if (left < k && after(heap[left], heap[worst]) > 0) worst = left;
        if (right < k && after(heap[right], heap[worst]) > 0) worst = right;
        if (worst === i) break;
        swap(i, worst);
        i = worst;
      }
    }
  }
  return heap.sort(after).map((item) => item.row);
}
