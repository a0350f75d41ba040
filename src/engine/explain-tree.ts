/**
 * Prints a plan tree in PostgreSQL's EXPLAIN text layout: node titles ("Index Scan using
 * items_embedding_idx on items", "Hash Join", "Sort"), "->  " children with six-space
 * indents, detail lines (Filter, Order By, Sort Key, Hash Cond, Group Key), and actual
 * rows/time per node for EXPLAIN ANALYZE. Project nodes are folded away, and a filter
 * directly over a scan prints as that scan's "Filter:" line, as PostgreSQL shows them.
 */

import type { IndexDef } from '../catalog/catalog-types.ts';
import type { PrefetchedSearch } from '../exec/exec-env.ts';
import type { PlanNode } from '../plan/plan-nodes.ts';
import { partlyHeld } from '../storage/vector/sharded-index.ts';
import { deparse, deparseKey } from './deparse-expr.ts';

export type Stats = Map<PlanNode, { rows: number; ms: number; loops: number }>;

/** How to print: column names qualified (plans with joins, as PostgreSQL), actual stats. */
interface Style {
  readonly qualify: boolean;
  readonly stats: Stats | null;
  /** Whether actual times are shown with the actual rows (EXPLAIN's TIMING). */
  readonly timing?: boolean;
  /** Index searches run ahead of execution: where a sharded index's parts ran. */
  readonly searched?: ReadonlyMap<PlanNode, PrefetchedSearch>;
  /** Nodes holding a shard of a sharded index (plain EXPLAIN: where its parts would run). */
  readonly holders?: (indexOid: number, shard: number) => readonly string[];
}

/** Column names as EXPLAIN prints them: qualified once the plan has more than one relation. */
function names(n: PlanNode, style: Style): string[] {
  return n.columns.map((c) => (style.qualify && c.qualifier ? `${c.qualifier}.${c.name}` : c.name));
}

export function hasJoin(n: PlanNode): boolean {
  return n.kind === 'Join' || children(n).some(hasJoin);
}

/** Sort keys point at projected columns; show the expressions behind them. */
function sortKeys(node: PlanNode & { kind: 'Sort' }, style: Style): string {
  const input = node.input;
  return node.keys
    .map((k) => {
      let text: string;
      if (input.kind === 'Project' && k.expr.kind === 'Column')
        text = deparseKey(input.exprs[k.expr.index], names(input.input, style));
      else text = deparseKey(k.expr, names(input, style));
      return `${text}${k.desc ? ' DESC' : ''}`;
    })
    .join(', ');
}

/** A scanned table's name, and its alias when it has another. */
const relation = (scan: { table: { name: string }; alias: string }) =>
  scan.alias !== scan.table.name ? `${scan.table.name} ${scan.alias}` : scan.table.name;

function scanTitle(node: PlanNode): string | null {
  switch (node.kind) {
    case 'SeqScan':
      return `Seq Scan on ${relation(node)}`;
    case 'IndexScan':
      return `Index Scan using ${node.lookup.index.name} on ${relation(node)}`;
    case 'IndexRangeScan': {
      // Backward: against the index's own order (a DESC key is stored descending).
      const indexDesc = ((node.index.keyOptions?.[0] ?? 0) & 1) === 1;
      const backward = node.order !== null && node.order.desc !== indexDesc;
      return `Index Scan${backward ? ' Backward' : ''} using ${node.index.name} on ${relation(node)}`;
    }
    case 'VectorSearch':
      return `Index Scan using ${node.index.name} on ${relation(node)}`;
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

function describe(node: PlanNode, style: Style): { title: string; details: string[] } {
  const scan = scanTitle(node);
  if (scan !== null) {
    const details: string[] = [];
    // PostgreSQL names the index's own columns unqualified here (an outer row's, qualified).
    if (node.kind === 'IndexScan')
      details.push(`Index Cond: ${deparse(node.lookup.cond, names(node, { ...style, qualify: false }))}`);
    if (node.kind === 'IndexRangeScan' && node.cond)
      details.push(`Index Cond: ${deparse(node.cond, names(node, { ...style, qualify: false }))}`);
    if (node.kind === 'VectorSearch') {
      const n = names(node, style);
      details.push(`Order By: (${deparse(node.key, n)} ${node.index.operator} ${deparse(node.query, n)})`);
      if (node.filter) details.push(`Filter: ${deparse(node.filter, n)}`);
      const searched = style.stats ? style.searched?.get(node) : undefined;
      if (searched) details.push(...fragmentLines(searched, style.timing !== false));
      else if (!style.stats && style.holders) details.push(...placementLines(node.index, style.holders));
    }
    return { title: scan, details };
  }
  switch (node.kind) {
    case 'Filter':
      return { title: 'Result', details: [`Filter: ${deparse(node.predicate, names(node.input, style))}`] };
    case 'Sort':
      return { title: 'Sort', details: [`Sort Key: ${sortKeys(node, style)}`] };
    case 'Limit':
      return { title: 'Limit', details: [] };
    case 'Aggregate': {
      if (node.groups.length === 0) return { title: 'Aggregate', details: [] };
      const keys = node.groups.map((g) => deparseKey(g, names(node.input, style))).join(', ');
      return { title: 'HashAggregate', details: [`Group Key: ${keys}`] };
    }
    case 'Join': {
      const both = [...names(node.left, style), ...names(node.right, style)];
      const outer =
        node.type === 'inner' || node.type === 'cross'
          ? ''
          : ` ${node.type[0].toUpperCase()}${node.type.slice(1)}`;
      if (node.hashKeys) {
        const keys = node.hashKeys;
        const right = names(node.right, style);
        const conds = keys.left.map(
          (l, i) => `(${deparse(l, names(node.left, style))} = ${deparse(keys.right[i], right)})`,
        );
        return { title: `Hash${outer} Join`, details: [`Hash Cond: ${conds.join(' AND ')}`] };
      }
      const details = node.on ? [`Join Filter: ${deparse(node.on, both)}`] : [];
      return { title: `Nested Loop${outer ? `${outer} Join` : ''}`, details };
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
    case 'Window':
      return { title: 'WindowAgg', details: [] };
    case 'RecursiveUnion':
      return { title: 'Recursive Union', details: [] };
    case 'ModifyTable':
      return { title: `${node.dml.kind} on ${node.dml.table.name}`, details: [] };
    case 'Project':
      // Over a Result (a SELECT without FROM): PostgreSQL's one Result node, or ProjectSet
      // over it when a set-returning function expands the rows.
      return { title: node.setReturning?.length ? 'ProjectSet' : 'Result', details: [] };
    default:
      return { title: node.kind, details: [] };
  }
}

function children(node: PlanNode): PlanNode[] {
  // PostgreSQL computes a SELECT without FROM in the Result node itself.
  if (node.kind === 'Project' && node.input.kind === 'Result' && !node.setReturning?.length) return [];
  switch (node.kind) {
    case 'Join':
    case 'SetOp':
      return [node.left, node.right];
    case 'Filter':
    case 'Project':
    case 'Aggregate':
    case 'Window':
    case 'Sort':
    case 'Limit':
    case 'Distinct':
    case 'SubqueryScan':
    case 'NearestFirst':
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
export function skipProjects(node: PlanNode): PlanNode {
  // A kNN query over a join shows the plan it tries first (its fallback is the query as written).
  if (node.kind === 'NearestFirst') return skipProjects(node.input);
  return node.kind === 'Project' && node.input.kind !== 'Result' ? skipProjects(node.input) : node;
}

function actual(style: Style, ...nodes: PlanNode[]): string {
  const { stats } = style;
  if (!stats) return '';
  const stat = nodes.map((n) => stats.get(n)).find((x) => x !== undefined);
  // A node its parent never asked for a row (under LIMIT 0, say).
  if (!stat) return ' (never executed)';
  const rows = `rows=${Math.round(stat.rows / stat.loops)} loops=${stat.loops}`;
  if (style.timing === false) return ` (actual ${rows})`;
  const ms = (stat.ms / stat.loops).toFixed(3);
  return ` (actual time=${ms}..${ms} ${rows})`;
}

/**
 * A sharded index's search across the nodes (Quiver's own lines; PostgreSQL has no such
 * node): one line per node that searched shards, and why it was searched exactly instead.
 */
function fragmentLines(searched: PrefetchedSearch, timing: boolean): string[] {
  const lines = (searched.fragments ?? []).map((f) => {
    const where = f.node === null ? 'this node' : `node ${f.node}`;
    const shards = `${f.shards.length === 1 ? 'shard' : 'shards'} ${f.shards.join(', ')}`;
    return `Shards Searched: ${shards} on ${where} (rows=${f.rows}${timing ? ` time=${f.ms.toFixed(3)} ms` : ''})`;
  });
  if (searched.exactly) lines.push(`Searched Exactly: ${searched.exactly}`);
  return lines;
}

/**
 * Where a sharded index's shards would be searched: nothing for an index whose shards are
 * all on this node (as standalone), else the shards here and the holders of each other one.
 */
function placementLines(index: IndexDef, holders: NonNullable<Style['holders']>): string[] {
  const sharded = index.vector?.index;
  if (!partlyHeld(sharded)) return [];
  const parts = [`${sharded.heldShards().join(', ') || 'none'} on this node`];
  for (const shard of sharded.missingShards()) {
    const nodes = holders(index.oid, shard);
    parts.push(`${shard} on ${nodes.length > 0 ? [...nodes].sort().join(' or ') : 'no node (exact search)'}`);
  }
  return [`Shards: ${parts.join('; ')}`];
}

export function render(node: PlanNode, depth: number, lines: string[], style: Style): void {
  let n = skipProjects(node);
  const extra: string[] = [];
  const measured: PlanNode[] = [node, n];
  // A filter directly over a scan is shown as the scan's "Filter:" line, as PostgreSQL does.
  if (n.kind === 'Filter' && scanTitle(skipProjects(n.input)) !== null) {
    extra.push(`Filter: ${deparse(n.predicate, names(n.input, style))}`);
    const kept = style.stats?.get(n);
    n = skipProjects(n.input);
    measured.push(n);
    const read = style.stats?.get(n);
    if (kept && read)
      extra.push(`Rows Removed by Filter: ${Math.round((read.rows - kept.rows) / kept.loops)}`);
  }
  const { title, details } = describe(n, style);
  const pad = depth === 0 ? '' : `${' '.repeat(depth * 6 - 6)}  ->  `;
  lines.push(`${pad}${title}${actual(style, ...measured)}`);
  const detailPad = depth === 0 ? '  ' : ' '.repeat(depth * 6 + 2);
  for (const d of [...details, ...extra]) lines.push(`${detailPad}${d}`);
  if (n.kind === 'Join' && n.hashKeys) {
    // PostgreSQL shows the hashed (right) side under a Hash node.
    render(n.left, depth + 1, lines, style);
    lines.push(`${' '.repeat(depth * 6)}  ->  Hash`);
    render(n.right, depth + 2, lines, style);
    return;
  }
  for (const child of children(n)) render(child, depth + 1, lines, style);
}
