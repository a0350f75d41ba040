/**
 * Joins: a hash join when the planner found equi-join keys (hash table on the right side),
 * otherwise nested loops (re-running the right side per left row for LATERAL). The whole ON
 * condition is checked on every candidate pair either way.
 */
import type { PlanNode } from '../plan/plan-nodes.ts';
import type { Value } from '../types/type.ts';
import { type Compiled, compileExpr } from './compile-expr.ts';
import type { ExecEnv } from './exec-env.ts';
import { rowKey } from './executor.ts';

type JoinNode = PlanNode & { kind: 'Join' };
type Exec = (node: PlanNode, env: ExecEnv) => Value[][];

/** Right rows (by index) that may match a left row. */
type Candidates = (left: Value[]) => Iterable<number>;

export function runJoin(node: JoinNode, env: ExecEnv, execute: Exec): Value[][] {
  const on = node.on ? compileExpr(node.on) : null;
  const left = execute(node.left, env);
  if (node.lateral) return lateralLoop(node, left, on, env, execute);
  const right = execute(node.right, env);
  const candidates = node.hashKeys ? hashCandidates(node, right, env) : allRows(right.length);
  const nullsLeft: Value[] = new Array(node.left.columns.length).fill(null);
  const nullsRight: Value[] = new Array(node.right.columns.length).fill(null);
  const rightMatched = new Uint8Array(right.length);
  const out: Value[][] = [];
  for (let i = 0; i < left.length; i++) {
    if ((i & 1023) === 1023) env.checkInterrupt();
    const l = left[i];
    let matched = false;
    for (const j of candidates(l)) {
      const row = l.concat(right[j]);
      if (on && on(row, env) !== true) continue;
      matched = true;
      rightMatched[j] = 1;
      out.push(row);
    }
    if (!matched && (node.type === 'left' || node.type === 'full')) out.push(l.concat(nullsRight));
  }
  if (node.type === 'right' || node.type === 'full') {
    for (let j = 0; j < right.length; j++) if (!rightMatched[j]) out.push(nullsLeft.concat(right[j]));
  }
  return out;
}

function allRows(count: number): Candidates {
  const all = Array.from({ length: count }, (_, j) => j);
  return () => all;
}

function hashCandidates(node: JoinNode, right: Value[][], env: ExecEnv): Candidates {
  const keys = node.hashKeys!;
  const types = keys.left.map((k) => k.type);
  const rightKeys = keys.right.map(compileExpr);
  const leftKeys = keys.left.map(compileExpr);
  const table = new Map<string, number[]>();
  for (let j = 0; j < right.length; j++) {
    const values = rightKeys.map((k) => k(right[j], env));
    if (values.some((v) => v === null)) continue;
    const key = rowKey(types, values);
    const list = table.get(key);
    if (list) list.push(j);
    else table.set(key, [j]);
  }
  const none: number[] = [];
  return (l) => {
    const values = leftKeys.map((k) => k(l, env));
    if (values.some((v) => v === null)) return none;
    return table.get(rowKey(types, values)) ?? none;
  };
}

function lateralLoop(
  node: JoinNode,
  left: Value[][],
  on: Compiled | null,
  env: ExecEnv,
  execute: Exec,
): Value[][] {
  const nullsRight: Value[] = new Array(node.right.columns.length).fill(null);
  const out: Value[][] = [];
  for (let i = 0; i < left.length; i++) {
    if ((i & 1023) === 1023) env.checkInterrupt();
    const l = left[i];
    let matched = false;
    for (const r of execute(node.right, { ...env, outer: [l, ...env.outer] })) {
      const row = l.concat(r);
      if (on && on(row, env) !== true) continue;
      matched = true;
      out.push(row);
    }
    if (!matched && (node.type === 'left' || node.type === 'full')) out.push(l.concat(nullsRight));
  }
  return out;
}
