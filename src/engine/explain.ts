/**
 * EXPLAIN: prints the plan tree in PostgreSQL's text layout ("->  " children, two-space
 * indents), naming the vector index a kNN query uses, as PostgreSQL does
 * ("Index Scan using items_embedding_idx on items"). Costs are not estimated, so they are
 * omitted, as with EXPLAIN (COSTS OFF). ANALYZE adds actual rows and time per node.
 */
import { bindDelete, bindInsert, bindUpdate, type DmlPlan } from '../bind/bind-dml.ts';
import { bindSelect } from '../bind/bind-select.ts';
import { executeDml } from '../exec/dml.ts';
import { execute } from '../exec/executor.ts';
import type { PlanNode } from '../plan/plan-nodes.ts';
import type { ExplainStmt } from '../sql/ast-utility.ts';
import { hasJoin, render, type Stats } from './explain-tree.ts';
import type { RunContext } from './statement-runner.ts';
import { planQuery } from './statement-runner.ts';

/** `planned`: the query planned ahead (EXPLAIN ANALYZE, whose index searches ran ahead). */
export function explainPlan(
  stmt: ExplainStmt,
  rc: RunContext,
  planned?: { readonly plan: PlanNode; readonly planningMs: number },
): string[] {
  const s = stmt.statement;
  if (s.kind === 'Execute')
    throw new Error('EXPLAIN EXECUTE reached the planner without its prepared statement');
  const planStart = performance.now();
  let plan: PlanNode;
  let dml: DmlPlan | null = null;
  if (planned) plan = planned.plan;
  else if (s.kind === 'Select') plan = planQuery(bindSelect(s, null, rc.bc), rc);
  else {
    dml =
      s.kind === 'Insert'
        ? bindInsert(s, rc.bc)
        : s.kind === 'Update'
          ? bindUpdate(s, rc.bc)
          : bindDelete(s, rc.bc);
    const input = planQuery(dml.kind === 'Insert' ? dml.source : dml.scan, rc);
    dml = dml.kind === 'Insert' ? { ...dml, source: input } : { ...dml, scan: input };
    plan = { kind: 'ModifyTable', dml, columns: [] };
  }
  const planningMs = planned?.planningMs ?? performance.now() - planStart;
  const qualify = hasJoin(plan);
  const lines: string[] = [];
  if (!stmt.analyze) {
    const catalog = rc.ddl.catalog;
    render(plan, 0, lines, {
      qualify,
      stats: null,
      holders: (oid, shard) => catalog.indexShardPlacement(oid, shard).holders,
    });
    if (stmt.summary) lines.push(`Planning Time: ${planningMs.toFixed(3)} ms`);
    return lines;
  }
  const stats: Stats = new Map();
  const env = { ...rc.env, instrument: stats };
  const start = performance.now();
  if (dml) executeDml(dml, env);
  else execute(plan, env);
  const total = performance.now() - start;
  if (dml) stats.set(plan, { rows: 0, ms: total, loops: 1 });
  render(plan, 0, lines, { qualify, stats, timing: stmt.timing, searched: rc.env.prefetched });
  if (!stmt.summary) return lines;
  // Where a replica's statement spent time before it ran (PostgreSQL has no such wait).
  if (rc.replicaWaitMs !== undefined) lines.push(`Replica Wait Time: ${rc.replicaWaitMs.toFixed(3)} ms`);
  lines.push(`Planning Time: ${planningMs.toFixed(3)} ms`);
  lines.push(`Execution Time: ${total.toFixed(3)} ms`);
  return lines;
}
