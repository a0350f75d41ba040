/**
 * An execution environment for expressions that depend only on the row they are given
 * (index expressions, column defaults): no parameters, no outer rows, no subqueries, never
 * interrupted.
 */
import type { EvalContext } from '../types/registry-types.ts';
import type { ExecEnv } from './exec-env.ts';

export function staticEnv(ctx: EvalContext): ExecEnv {
  return {
    params: [],
    outer: [],
    ctx,
    txn: 0,
    setting: () => '',
    cteRows: new Map(),
    runSubquery: () => [],
    checkInterrupt: () => {},
    deferSleep: () => {},
  };
}
