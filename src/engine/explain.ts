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
import { deparse, deparseKey } from './deparse-expr.ts';
import type { RunContext } from './statement-runner.ts';
import { planQuery } from './statement-runner.ts';

type Stats = Map<PlanNode, { rows: number; ms: number; loops: number }>;

function names(n: PlanNode): string[] {
  return n.columns.map((c) => c.name);
}

/** Sort keys point at projected columns; show the expressions behind them. */
function sortKeys(node: PlanNode & { kind: 'Sort' }): string {
  const input = node.input;
  return node.keys
    .map((k) => {
      let text: string;
      if (input.kind === 'Project' && k.expr.kind === 'Column')
        text = deparseKey(input.exprs[k.expr.index], names(input.input));
      else text = deparseKey(k.expr, names(input));
      return `${text}${k.desc ? ' DESC' : ''}`;
    })
    .join(', ');
}

function scanTitle(node: PlanNode): string | null {
  switch (node.kind) {
    case 'SeqScan':
      return `Seq Scan on ${node.table.name}${node.alias !== node.table.name ? ` ${node.alias}` : ''}`;
    case 'VectorSearch':
      return `Index Scan using ${node.index.name} on ${node.table.name}${node.alias !== node.table.name ? ` ${node.alias}` : ''}`;
    case 'Values':
      return 'Values Scan on "*VALUES*"';
    case 'FunctionScan':
      return `Function Scan on ${node.def.name}`;
    case 'SubqueryScan':
      return `Subquery Scan on ${node.alias}`;
    case 'CteScan':
      return `CTE Scan on ${node.name}`;
    case 'WorkTableScan':
      return `WorkTable Scan on ${node.name}`;
    case 'Rows':
      return `Function Scan on ${node.label}`;
    case 'Result':
      return 'Result';
    default:
      return null;
  }
}

function describe(node: PlanNode): { title: string; details: string[] } {
  const scan = scanTitle(node);
  if (scan !== null) {
    const details: string[] = [];
    if (node.kind === 'VectorSearch') {
      const n = names(node);
      details.push(`Order By: (${n[node.column]} ${node.index.operator} ${deparse(node.query, n)})`);
      if (node.filter) details.push(`Filter: ${deparse(node.filter, n)}`);
    }
    return { title: scan, details };
  }
  switch (node.kind) {
    case 'Filter':
      return { title: 'Result', details: [`Filter: ${deparse(node.predicate, names(node.input))}`] };
    case 'Sort':
      return { title: 'Sort', details: [`Sort Key: ${sortKeys(node)}`] };
    case 'Limit':
      return { title: 'Limit', details: [] };
    case 'Aggregate': {
      if (node.groups.length === 0) return { title: 'Aggregate', details: [] };
      const keys = node.groups.map((g) => deparseKey(g, names(node.input))).join(', ');
      return { title: 'HashAggregate', details: [`Group Key: ${keys}`] };
    }
    case 'Join': {
      const kind =
        node.type === 'inner' || node.type === 'cross'
          ? ''
          : ` ${node.type[0].toUpperCase()}${node.type.slice(1)} Join`;
      const details = node.on
        ? [`Join Filter: ${deparse(node.on, [...names(node.left), ...names(node.right)])}`]
        : [];
      return { title: `Nested Loop${kind}`, details };
    }
    case 'SetOp':
      return {
        title:
          node.op === 'union'
            ? node.all
              ? 'Append'
              : 'HashAggregate'
            : `HashSetOp ${node.op[0].toUpperCase()}${node.op.slice(1)}`,
        details: [],
      };
    case 'Distinct':
      return { title: 'Unique', details: [] };
    case 'RecursiveUnion':
      return { title: 'Recursive Union', details: [] };
    case 'ModifyTable':
      return { title: `${node.dml.kind} on ${node.dml.table.name}`, details: [] };
    case 'Project':
      return { title: 'Result', details: [] };
    default:
      return { title: node.kind, details: [] };
  }
}

function children(node: PlanNode): PlanNode[] {
  switch (node.kind) {
    case 'Join':
    case 'SetOp':
      return [node.left, node.right];
    case 'Filter':
    case 'Project':
    case 'Aggregate':
    case 'Sort':
    case 'Limit':
    case 'Distinct':
    case 'SubqueryScan':
      return [node.input];
    case 'CteScan':
      return [node.cte.plan];
    case 'RecursiveUnion':
      return [node.anchor, node.recursive];
    case 'ModifyTable':
      return [node.dml.kind === 'Insert' ? node.dml.source : node.dml.scan];
    default:
      return [];
  }
}

/** Project nodes are an implementation detail (PostgreSQL folds them into their input). */
function skipProjects(node: PlanNode): PlanNode {
  return node.kind === 'Project' && node.input.kind !== 'Result' ? skipProjects(node.input) : node;
}

function actual(stats: Stats | null, ...nodes: PlanNode[]): string {
  const stat = nodes.map((n) => stats?.get(n)).find((x) => x !== undefined);
  if (!stat) return '';
  const ms = (stat.ms / stat.loops).toFixed(3);
  return ` (actual time=${ms}..${ms} rows=${Math.round(stat.rows / stat.loops)} loops=${stat.loops})`;
}

function render(node: PlanNode, depth: number, lines: string[], stats: Stats | null) {
  let n = skipProjects(node);
  const extra: string[] = [];
  const measured: PlanNode[] = [node, n];
  // A filter directly over a scan is shown as the scan's "Filter:" line, as PostgreSQL does.
  if (n.kind === 'Filter' && scanTitle(skipProjects(n.input)) !== null) {
    extra.push(`Filter: ${deparse(n.predicate, names(n.input))}`);
    n = skipProjects(n.input);
    measured.push(n);
  }
  const { title, details } = describe(n);
  const pad = depth === 0 ? '' : `${' '.repeat(depth * 6 - 6)}  ->  `;
  lines.push(`${pad}${title}${actual(stats, ...measured)}`);
  const detailPad = depth === 0 ? '  ' : ' '.repeat(depth * 6 + 2);
  for (const d of [...details, ...extra]) lines.push(`${detailPad}${d}`);
  for (const child of children(n)) render(child, depth + 1, lines, stats);
}

export function explainPlan(stmt: ExplainStmt, rc: RunContext): string[] {
  const s = stmt.statement;
  const planStart = performance.now();
  let plan: PlanNode;
  let dml: DmlPlan | null = null;
  if (s.kind === 'Select') plan = planQuery(bindSelect(s, null, rc.bc), rc);
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
  const planningMs = performance.now() - planStart;
  const lines: string[] = [];
  if (!stmt.analyze) {
    render(plan, 0, lines, null);
    return lines;
  }
  const stats: Stats = new Map();
  const env = { ...rc.env, instrument: stats };
  const start = performance.now();
  if (dml) executeDml(dml, env);
  else execute(plan, env);
  const total = performance.now() - start;
  if (dml) stats.set(plan, { rows: 0, ms: total, loops: 1 });
  render(plan, 0, lines, stats);
  lines.push(`Planning Time: ${planningMs.toFixed(3)} ms`);
  lines.push(`Execution Time: ${total.toFixed(3)} ms`);
  return lines;
}
