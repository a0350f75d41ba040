/**
 * GROUP BY and aggregates: hash grouping on the group key values, one state per aggregate
 * call per group. DISTINCT and ORDER BY inside an aggregate buffer the group's inputs first.
 */
import type { AggCall } from '../bind/bound-expr.ts';
import type { PlanNode } from '../plan/plan-nodes.ts';
import type { Value } from '../types/type.ts';
import { type Compiled, compileExpr } from './compile-expr.ts';
import type { ExecEnv } from './exec-env.ts';
import { rowKey } from './executor.ts';
import { rowComparator } from './sort.ts';

type AggregateNode = PlanNode & { kind: 'Aggregate' };

interface CompiledAgg {
  readonly call: AggCall;
  readonly args: Compiled[];
  readonly filter: Compiled | null;
  /** Buffered (distinct/ordered) aggregates collect their argument rows first. */
  readonly buffered: boolean;
}

interface Group {
  readonly keys: Value[];
  readonly states: unknown[];
  readonly buffers: Value[][][];
}

/** The one row of an aggregate of count(*) calls only (no GROUP BY) over `rows` input rows. */
export function countStar(node: AggregateNode, rows: number, env: ExecEnv): Value[][] {
  return [
    node.aggs.map((call) => {
      let state = call.def.init(call.argTypes);
      for (let i = 0; i < rows; i++) state = call.def.step(state, [], env.ctx);
      return call.def.final(state, env.ctx);
    }),
  ];
}

export function runAggregate(node: AggregateNode, input: Value[][], env: ExecEnv): Value[][] {
  const groupExprs = node.groups.map(compileExpr);
  const groupTypes = node.groups.map((g) => g.type);
  const aggs: CompiledAgg[] = node.aggs.map((call) => ({
    call,
    args: call.args.map(compileExpr),
    filter: call.filter ? compileExpr(call.filter) : null,
    buffered: call.distinct || call.orderBy.length > 0,
  }));
  const groups = new Map<string, Group>();
  const newGroup = (keys: Value[]): Group => ({
    keys,
    states: aggs.map((a) => a.call.def.init(a.call.argTypes)),
    buffers: aggs.map(() => []),
  });
  for (let i = 0; i < input.length; i++) {
    if ((i & 4095) === 4095) env.checkInterrupt();
    const row = input[i];
    const keys = groupExprs.map((g) => g(row, env));
    const key = rowKey(groupTypes, keys);
    let group = groups.get(key);
    if (!group) {
      group = newGroup(keys);
      groups.set(key, group);
    }
    for (let a = 0; a < aggs.length; a++) {
      const agg = aggs[a];
      if (agg.filter && agg.filter(row, env) !== true) continue;
      const args = agg.args.map((f) => f(row, env));
      if (agg.buffered) {
        const sortVals = agg.call.orderBy.map((k) => compileExpr(k.expr)(row, env));
        group.buffers[a].push([...args, ...sortVals]);
        continue;
      }
      if (agg.call.def.strict !== false && args.some((v) => v === null)) continue;
      group.states[a] = agg.call.def.step(group.states[a], args, env.ctx);
    }
  }
  // Aggregates without GROUP BY return one row even for empty input.
  if (groups.size === 0 && node.groups.length === 0) groups.set('', newGroup([]));
  const out: Value[][] = [];
  for (const group of groups.values()) {
    for (let a = 0; a < aggs.length; a++) if (aggs[a].buffered) finishBuffered(aggs[a], group, a, env);
    out.push([...group.keys, ...aggs.map((agg, a) => agg.call.def.final(group.states[a], env.ctx))]);
  }
  return out;
}

function finishBuffered(agg: CompiledAgg, group: Group, a: number, env: ExecEnv): void {
  const nArgs = agg.args.length;
  let rows = group.buffers[a];
  if (agg.call.orderBy.length > 0) {
    const keys = agg.call.orderBy.map((k, i) => ({
      ...k,
      expr: { kind: 'Column' as const, type: k.expr.type, index: nArgs + i, name: '' },
    }));
    rows = rows.sort(rowComparator(keys, env));
  }
  if (agg.call.distinct) {
    const seen = new Set<string>();
    const types = agg.call.argTypes;
    rows = rows.filter((r) => {
      const key = rowKey(types, r, nArgs);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  for (const r of rows) {
    const args = r.slice(0, nArgs);
    if (agg.call.def.strict !== false && args.some((v) => v === null)) continue;
    group.states[a] = agg.call.def.step(group.states[a], args, env.ctx);
  }
}
