/**
 * Binds `f(...) OVER (PARTITION BY … ORDER BY …)`: ranking and value window functions
 * (row_number, rank, lag, first_value, …) and aggregates evaluated over a window frame.
 * The call is collected on the SELECT's collector and replaced by a WindowRef that the
 * select binder later points at the Window node's output column.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { FuncExpr } from '../sql/ast.ts';
import { compareValues } from '../types/compare.ts';
import { type SqlType, T, type Value } from '../types/type.ts';
import type { BindContext } from './bind-context.ts';
import {
  type AggCollector,
  bindExpr,
  bindFunctionCall,
  type ExprOptions,
  resolveUnknownToText,
} from './bind-expr.ts';
import type { BoundExpr, SortKey, WindowCall, WindowFunctionName } from './bound-expr.ts';
import { tryCoerce } from './coercion.ts';
import type { Scope } from './scope.ts';

/** Argument count range and result type of each window function. */
const WINDOW_FUNCTIONS: Record<
  WindowFunctionName,
  { min: number; max: number; result: (args: BoundExpr[]) => SqlType }
> = {
  row_number: { min: 0, max: 0, result: () => T.int8 },
  rank: { min: 0, max: 0, result: () => T.int8 },
  dense_rank: { min: 0, max: 0, result: () => T.int8 },
  percent_rank: { min: 0, max: 0, result: () => T.float8 },
  cume_dist: { min: 0, max: 0, result: () => T.float8 },
  ntile: { min: 1, max: 1, result: () => T.int4 },
  lag: { min: 1, max: 3, result: (a) => a[0].type },
  lead: { min: 1, max: 3, result: (a) => a[0].type },
  first_value: { min: 1, max: 1, result: (a) => a[0].type },
  last_value: { min: 1, max: 1, result: (a) => a[0].type },
  nth_value: { min: 2, max: 2, result: (a) => a[0].type },
};

export interface WindowCollector extends AggCollector {
  readonly windows?: WindowCall[];
}

export function bindWindowCall(f: FuncExpr, scope: Scope, bc: BindContext, opts: ExprOptions): BoundExpr {
  const name = f.names[f.names.length - 1];
  const collector = opts.aggs as WindowCollector | null;
  if (!collector?.windows || opts.insideAggregate || opts.insideWindow) {
    const where =
      opts.insideWindow || opts.insideAggregate
        ? 'window function calls cannot be nested'
        : `window functions are not allowed in ${opts.clause}`;
    throw new SqlError(SqlState.WindowingError, where, { position: f.loc + 1 });
  }
  const inner: ExprOptions = { ...opts, insideWindow: true };
  const over = f.over!;
  const partitionBy = over.partitionBy.map((e) => resolveUnknownToText(bindExpr(e, scope, bc, inner), bc));
  const orderBy: SortKey[] = over.orderBy.map((s) => {
    const expr = resolveUnknownToText(bindExpr(s.expr, scope, bc, inner), bc);
    const desc = s.dir === 'desc';
    return {
      expr,
      desc,
      nullsFirst: s.nulls === 'default' ? desc : s.nulls === 'first',
      compare: (a: Value, b: Value) => compareValues(expr.type, a, b),
    };
  });
  const known = WINDOW_FUNCTIONS[name as WindowFunctionName];
  let call: WindowCall;
  if (known) {
    const args = f.args.map((a) => resolveUnknownToText(bindExpr(a, scope, bc, inner), bc));
    if (args.length < known.min || args.length > known.max || f.star) {
      throw new SqlError(
        SqlState.UndefinedFunction,
        `function ${name}(${args.map((a) => a.type.base).join(', ')}) does not exist`,
        {
          position: f.loc + 1,
          hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
        },
      );
    }
    // Offsets and bucket counts are integers; lag/lead defaults take the value's type.
    const coerced = args.map((a, i) => {
      if (i === 0 && name !== 'ntile') return a;
      const target = (name === 'lag' || name === 'lead') && i === 2 ? args[0].type : T.int4;
      return tryCoerce(a, target, 'implicit', bc) ?? a;
    });
    call = {
      fn: { kind: 'window', name: name as WindowFunctionName },
      args: coerced,
      partitionBy,
      orderBy,
      frame: over.frame,
      type: known.result(coerced),
    };
  } else {
    // An aggregate over the window frame: bind it as an aggregate on a private collector.
    const aggs: AggCollector = { aggs: [] };
    bindFunctionCall({ ...f, over: undefined }, scope, bc, { ...inner, aggs, insideWindow: true });
    if (aggs.aggs.length !== 1) {
      throw new SqlError(
        SqlState.WrongObjectType,
        `OVER specified, but ${name} is not a window function nor an aggregate function`,
        {
          position: f.loc + 1,
        },
      );
    }
    const agg = aggs.aggs[0];
    call = {
      fn: { kind: 'aggregate', call: agg },
      args: agg.args,
      partitionBy,
      orderBy,
      frame: over.frame,
      type: agg.type,
    };
  }
  collector.windows.push(call);
  return { kind: 'WindowRef', type: call.type, index: collector.windows.length - 1 };
}
