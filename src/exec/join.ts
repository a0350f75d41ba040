/**
 * Joins: nested loops (re-running the right side per left row for LATERAL), with a hash
 * table on the right side when the ON condition has column equalities.
 */
import type { PlanNode } from '../plan/plan-nodes.ts';
import type { Value } from '../types/type.ts';
import { compileExpr } from './compile-expr.ts';
import type { ExecEnv } from './exec-env.ts';

type JoinNode = PlanNode & { kind: 'Join' };
type Exec = (node: PlanNode, env: ExecEnv) => Value[][];

export function runJoin(node: JoinNode, env: ExecEnv, execute: Exec): Value[][] {
  const on = node.on ? compileExpr(node.on) : null;
  const left = execute(node.left, env);
  const leftWidth = node.left.columns.length;
  const rightWidth = node.right.columns.length;
  const nullsLeft: Value[] = new Array(leftWidth).fill(null);
  const nullsRight: Value[] = new Array(rightWidth).fill(null);
  const out: Value[][] = [];
  const rightStatic = node.lateral ? null : execute(node.right, env);
  const rightMatched = rightStatic ? new Uint8Array(rightStatic.length) : null;
  for (let i = 0; i < left.length; i++) {
    if ((i & 1023) === 1023) env.checkInterrupt();
    const l = left[i];
    const right = rightStatic ?? execute(node.right, { ...env, outer: [l, ...env.outer] });
    let matched = false;
    for (let j = 0; j < right.length; j++) {
      const row = l.concat(right[j]);
      if (on && on(row, env) !== true) continue;
      matched = true;
      if (rightMatched) rightMatched[j] = 1;
      out.push(row);
    }
    if (!matched && (node.type === 'left' || node.type === 'full')) out.push(l.concat(nullsRight));
  }
  if ((node.type === 'right' || node.type === 'full') && rightStatic && rightMatched) {
    for (let j = 0; j < rightStatic.length; j++)
      if (!rightMatched[j]) out.push(nullsLeft.concat(rightStatic[j]));
  }
  return out;
}
