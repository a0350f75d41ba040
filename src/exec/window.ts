/**
 * Window functions: rows are split into partitions (hash of PARTITION BY), each sorted by the
 * window's ORDER BY, and every call computes one value per row. Frames start at the
 * partition's first row and end at the current row — with its ORDER BY peers under RANGE —
 * or at the partition's end, PostgreSQL's default frame and its common variants.
 * Output rows follow the last call's partition order, as PostgreSQL emits them.
 */
import type { WindowCall } from '../bind/bound-expr.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { PlanNode } from '../plan/plan-nodes.ts';
import type { Value } from '../types/type.ts';
import { compileExpr } from './compile-expr.ts';
import type { ExecEnv } from './exec-env.ts';
import { rowKey } from './executor.ts';
import { rowComparator } from './sort.ts';

type WindowNode = PlanNode & { kind: 'Window' };

export function runWindow(node: WindowNode, input: Value[][], env: ExecEnv): Value[][] {
  let rows = input.map((r) => [...r]);
  for (const call of node.calls) rows = evaluateCall(call, rows, env);
  return rows;
}

/** Appends `call`'s value to every row; returns the rows in partition order. */
function evaluateCall(call: WindowCall, rows: Value[][], env: ExecEnv): Value[][] {
  const keys = call.partitionBy.map(compileExpr);
  const types = call.partitionBy.map((p) => p.type);
  const partitions = new Map<string, Value[][]>();
  for (const row of rows) {
    const key = rowKey(
      types,
      keys.map((k) => k(row, env)),
    );
    const list = partitions.get(key);
    if (list) list.push(row);
    else partitions.set(key, [row]);
  }
  const compare = rowComparator(call.orderBy, env);
  const out: Value[][] = [];
  for (const partition of partitions.values()) {
    env.checkInterrupt();
    partition.sort(compare);
    const values = partitionValues(call, partition, compare, env);
    for (let i = 0; i < partition.length; i++) {
      partition[i].push(values[i]);
      out.push(partition[i]);
    }
  }
  return out;
}

/** For each row, the index of the last row of its frame. */
function frameEnds(call: WindowCall, rows: Value[][], compare: (a: Value[], b: Value[]) => number): number[] {
  const n = rows.length;
  if (call.frame.end === 'unbounded following' || call.orderBy.length === 0) return new Array(n).fill(n - 1);
  if (call.frame.mode === 'rows') return rows.map((_, i) => i);
  const ends = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--)
    ends[i] = i + 1 < n && compare(rows[i], rows[i + 1]) === 0 ? ends[i + 1] : i;
  return ends;
}

function partitionValues(
  call: WindowCall,
  rows: Value[][],
  compare: (a: Value[], b: Value[]) => number,
  env: ExecEnv,
): Value[] {
  const n = rows.length;
  const ends = frameEnds(call, rows, compare);
  const args = call.args.map(compileExpr);
  const arg = (i: number, row: Value[]) => args[i](row, env);
  if (call.fn.kind === 'aggregate') {
    const agg = call.fn.call;
    const def = agg.def;
    const filter = agg.filter ? compileExpr(agg.filter) : null;
    const out: Value[] = new Array(n);
    let state = def.init(agg.argTypes);
    let added = -1;
    for (let i = 0; i < n; i++) {
      // Frames only grow (they all start at the partition's first row): add rows up to the end.
      for (; added < ends[i]; ) {
        const row = rows[++added];
        if (filter && filter(row, env) !== true) continue;
        const values = agg.star ? [] : args.map((a) => a(row, env));
        if (def.strict !== false && values.some((v) => v === null)) continue;
        state = def.step(state, values, env.ctx);
      }
      out[i] = def.final(state, env.ctx);
    }
    return out;
  }
  const peersEnd = frameEnds({ ...call, frame: { mode: 'range', end: 'current row' } }, rows, compare);
  switch (call.fn.name) {
    case 'row_number':
      return rows.map((_, i) => BigInt(i + 1));
    case 'rank':
    case 'dense_rank':
    case 'percent_rank':
    case 'cume_dist': {
      const out: Value[] = new Array(n);
      let rank = 1;
      let dense = 1;
      for (let i = 0; i < n; i++) {
        if (i > 0 && compare(rows[i - 1], rows[i]) !== 0) {
          rank = i + 1;
          dense++;
        }
        const name = call.fn.name;
        if (name === 'rank') out[i] = BigInt(rank);
        else if (name === 'dense_rank') out[i] = BigInt(dense);
        else if (name === 'percent_rank') out[i] = n > 1 ? (rank - 1) / (n - 1) : 0;
        else out[i] = (peersEnd[i] + 1) / n;
      }
      return out;
    }
    case 'ntile':
      return rows.map((row, i) => {
        const buckets = Number(arg(0, row));
        if (!(buckets > 0))
          throw new SqlError(SqlState.InvalidParameterValue, 'argument of ntile must be greater than zero');
        // PostgreSQL gives the first n % buckets tiles one extra row.
        const per = Math.floor(n / buckets);
        const extra = n % buckets;
        const big = extra * (per + 1);
        return i < big ? Math.floor(i / (per + 1)) + 1 : extra + Math.floor((i - big) / Math.max(per, 1)) + 1;
      });
    case 'lag':
    case 'lead': {
      const sign = call.fn.name === 'lag' ? -1 : 1;
      return rows.map((row, i) => {
        const offset = args.length > 1 ? arg(1, row) : 1;
        if (offset === null) return null;
        const j = i + sign * Number(offset);
        if (j < 0 || j >= n) return args.length > 2 ? arg(2, row) : null;
        return arg(0, rows[j]);
      });
    }
    case 'first_value':
      return rows.map(() => arg(0, rows[0]));
    case 'last_value':
      return rows.map((_, i) => arg(0, rows[ends[i]]));
    case 'nth_value':
      return rows.map((row, i) => {
        const nth = Number(arg(1, row));
        if (!(nth > 0))
          throw new SqlError(
            SqlState.InvalidParameterValue,
            'argument of nth_value must be greater than zero',
          );
        return nth - 1 <= ends[i] ? arg(0, rows[nth - 1]) : null;
      });
  }
}
