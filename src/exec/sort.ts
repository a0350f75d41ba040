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
