/**
 * EXPLAIN: prints the plan tree in PostgreSQL's text layout ("->  " children, two-space
 * indents), naming the vector index a kNN query uses, as PostgreSQL does
 * ("Index Scan using items_embedding_idx on items"). Costs are not estimated, so they are
 * omitted, as with EXPLAIN (COSTS OFF). ANALYZE adds actual rows and time per node.
 */
import { bindDelete, bindInsert, bindUpdate } from '../bind/bind-dml.ts';
import { bindSelect } from '../bind/bind-select.ts';
import type { BoundExpr } from '../bind/bound-expr.ts';
import { BIND_EVAL_CONTEXT } from '../bind/coercion.ts';
import { execute } from '../exec/executor.ts';
import type { PlanNode } from '../plan/plan-nodes.ts';
import type { ExplainStmt } from '../sql/ast-utility.ts';
import { encodeText } from './encode.ts';
import type { RunContext } from './statement-runner.ts';
import { planQuery } from './statement-runner.ts';

function exprText(e: BoundExpr, names: readonly string[]): string {
  switch (e.kind) {
    case 'Column':
      return names[e.index] ?? e.name;
    case 'Const':
      return e.value === null
        ? 'NULL'
        : `'${encodeText(e.type, e.value, BIND_EVAL_CONTEXT)}'::${e.type.base}`;
    case 'Param':
      return `$${e.index + 1}`;
    case 'Call':
      return e.isOperator && e.args.length === 2
        ? `(${exprText(e.args[0], names)} ${e.name} ${exprText(e.args[1], names)})`
        : `${e.name}(${e.args.map((a) => exprText(a, names)).join(', ')})`;
    case 'Cast':
      return `(${exprText(e.arg, names)})::${e.type.base}`;
    case 'And':
    case 'Or':
      return `(${e.args.map((a) => exprText(a, names)).join(` ${e.kind.toUpperCase()} `)})`;
    case 'Not':
      return `(NOT ${exprText(e.arg, names)})`;
    case 'IsNull':
      return `(${exprText(e.arg, names)} IS ${e.not ? 'NOT ' : ''}NULL)`;
    default:
      return e.kind;
  }
}

function describe(node: PlanNode): { title: string; details: string[] } {
  const cols = (n: PlanNode) => n.columns.map((c) => c.name);
  switch (node.kind) {
    case 'SeqScan':
      return {
        title: `Seq Scan on ${node.table.name}${node.alias !== node.table.name ? ` ${node.alias}` : ''}`,
        details: [],
      };
    case 'VectorSearch': {
      const names = cols(node);
      const details = [
        `Order By: (${names[node.column]} ${node.index.operator} ${exprText(node.query, names)})`,
      ];
      if (node.filter) details.push(`Filter: ${exprText(node.filter, names)}`);
      return { title: `Index Scan using ${node.index.name} on ${node.table.name}`, details };
    }
    case 'Filter':
      return { title: 'Filter', details: [`Filter: ${exprText(node.predicate, cols(node.input))}`] };
    case 'Sort':
      return {
        title: 'Sort',
        details: [
          `Sort Key: ${node.keys.map((k) => `${exprText(k.expr, cols(node.input))}${k.desc ? ' DESC' : ''}`).join(', ')}`,
        ],
      };
    case 'Limit':
      return { title: 'Limit', details: [] };
    case 'Aggregate':
      return { title: node.groups.length > 0 ? 'HashAggregate' : 'Aggregate', details: [] };
    case 'Join':
      return {
        title: `Nested Loop${node.type === 'inner' || node.type === 'cross' ? '' : ` ${node.type[0].toUpperCase()}${node.type.slice(1)} Join`}`,
        details: [],
      };
    case 'Project':
      return { title: 'Result', details: [] };
    case 'Values':
      return { title: `Values Scan on "*VALUES*"`, details: [] };
    case 'FunctionScan':
      return { title: `Function Scan on ${node.def.name}`, details: [] };
    case 'SubqueryScan':
      return { title: `Subquery Scan on ${node.alias}`, details: [] };
    case 'CteScan':
      return { title: `CTE Scan on ${node.name}`, details: [] };
    case 'SetOp':
      return {
        title: node.op === 'union' ? (node.all ? 'Append' : 'HashAggregate') : `HashSetOp ${node.op}`,
        details: [],
      };
    case 'Distinct':
      return { title: 'Unique', details: [] };
    case 'RecursiveUnion':
      return { title: 'Recursive Union', details: [] };
    case 'WorkTableScan':
      return { title: `WorkTable Scan on ${node.name}`, details: [] };
    case 'ModifyTable':
      return { title: `${node.dml.kind} on ${node.dml.table.name}`, details: [] };
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
    default:
      return [];
  }
}

/** Project nodes are an implementation detail (PostgreSQL folds them into their input). */
function skipProjects(node: PlanNode): PlanNode {
  return node.kind === 'Project' && node.input.kind !== 'Result' ? skipProjects(node.input) : node;
}

function render(
  node: PlanNode,
  depth: number,
  lines: string[],
  stats: Map<PlanNode, { rows: number; ms: number }> | null,
) {
  const n = skipProjects(node);
  const { title, details } = describe(n);
  const stat = stats?.get(n);
  const actual = stat ? ` (actual time=${stat.ms.toFixed(3)} rows=${stat.rows} loops=1)` : '';
  const pad = depth === 0 ? '' : `${' '.repeat(depth * 6 - 6)}  ->  `;
  lines.push(`${pad}${title}${actual}`);
  const detailPad = depth === 0 ? '  ' : ' '.repeat(depth * 6 + 2);
  for (const d of details) lines.push(`${detailPad}${d}`);
  for (const child of children(n)) render(child, depth + 1, lines, stats);
}

export function explainPlan(stmt: ExplainStmt, rc: RunContext): string[] {
  const s = stmt.statement;
  let plan: PlanNode;
  if (s.kind === 'Select') plan = planQuery(bindSelect(s, null, rc.bc), rc);
  else if (s.kind === 'Insert') plan = planQuery(bindInsert(s, rc.bc).source, rc);
  else plan = planQuery((s.kind === 'Update' ? bindUpdate(s, rc.bc) : bindDelete(s, rc.bc)).scan, rc);
  const lines: string[] = [];
  let stats: Map<PlanNode, { rows: number; ms: number }> | null = null;
  let total = 0;
  if (stmt.analyze && s.kind === 'Select') {
    stats = new Map();
    const start = performance.now();
    const rows = execute(plan, rc.env);
    total = performance.now() - start;
    stats.set(skipProjects(plan), { rows: rows.length, ms: total });
  }
  render(plan, 0, lines, stats);
  if (stats) lines.push(`Execution Time: ${total.toFixed(3)} ms`);
  return lines;
}
