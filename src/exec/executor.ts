/**
 * Runs a plan tree. Operators materialize their output as arrays of rows, which keeps each
 * operator a few lines; the exception is a LIMIT over a scan (with filters, projections and
 * one sort between), which pulls rows one at a time and stops once it has enough, or keeps
 * only the best ones of a sort (`stream`).
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { PlanNode } from '../plan/plan-nodes.ts';
import { hashKey } from '../types/compare.ts';
import type { SqlType, Value } from '../types/type.ts';
import { countStar, runAggregate } from './aggregate.ts';
import { compileExpr } from './compile-expr.ts';
import { executeDml } from './dml.ts';
import type { ExecEnv } from './exec-env.ts';
import { indexRangeRows } from './index-range-scan.ts';
import { runIndexScan } from './index-scan.ts';
import { runJoin } from './join.ts';
import { sortRows, topRows } from './sort.ts';
import { runVectorSearch } from './vector-search.ts';
import { runWindow } from './window.ts';

export function rowKey(types: readonly SqlType[], row: readonly Value[], count = row.length): string {
  let key = '';
  for (let i = 0; i < count; i++) {
    const v = row[i];
    key += v === null ? '\u0000N' : `\u0001${String(hashKey(types[i], v))}`;
  }
  return key;
}

function evalCount(
  e: import('../bind/bound-expr.ts').BoundExpr | null,
  env: ExecEnv,
  what: 'LIMIT' | 'OFFSET',
) {
  if (!e) return null;
  const v = compileExpr(e)([], env);
  if (v === null) return null;
  const n = Number(v);
  if (n < 0) {
    throw what === 'LIMIT'
      ? new SqlError(SqlState.InvalidRowCountInLimitClause, 'LIMIT must not be negative')
      : new SqlError(SqlState.InvalidRowCountInResultOffsetClause, 'OFFSET must not be negative');
  }
  return n;
}

export function execute(node: PlanNode, env: ExecEnv): Value[][] {
  const stats = env.instrument;
  if (!stats) return executeNode(node, env);
  const start = performance.now();
  const rows = executeNode(node, env);
  record(stats, node, rows.length, performance.now() - start);
  return rows;
}

/**
 * The table scan under an aggregate of nothing but count(*) — no GROUP BY, no DISTINCT,
 * FILTER or ORDER BY in the calls, only projections between — or null.
 */
function countStarScan(node: PlanNode & { kind: 'Aggregate' }): (PlanNode & { kind: 'SeqScan' }) | null {
  if (node.groups.length > 0 || node.aggs.length === 0) return null;
  const plain = (a: (typeof node.aggs)[number]) =>
    a.star && !a.distinct && a.filter === null && a.orderBy.length === 0;
  if (!node.aggs.every(plain)) return null;
  let input = node.input;
  while (input.kind === 'Project' && !input.setReturning?.length) input = input.input;
  return input.kind === 'SeqScan' ? input : null;
}

/** EXPLAIN ANALYZE: one more execution ("loop") of `node` that gave `rows` rows in `ms`. */
function record(stats: NonNullable<ExecEnv['instrument']>, node: PlanNode, rows: number, ms: number): void {
  const s = stats.get(node);
  if (s) {
    s.rows += rows;
    s.ms += ms;
    s.loops++;
  } else stats.set(node, { rows, ms, loops: 1 });
}

/**
 * The rows of `node` one at a time, so that a LIMIT stops reading once it has its rows: a
 * scan, and the filters and projections over it, produce rows on demand (a `SELECT * FROM
 * big LIMIT 200` from a BI tool reads 200 rows, not the table). When at most `wanted` rows
 * will be read, a sort keeps only that many (a bounded heap: `ORDER BY created_at DESC
 * LIMIT 50` neither sorts nor holds the whole table). Other nodes need all their input
 * anyway and are materialized.
 */
function* stream(node: PlanNode, env: ExecEnv, wanted?: number): Generator<Value[]> {
  const rows = streamed(node, env, wanted);
  if (!rows) {
    yield* execute(node, env);
    return;
  }
  const stats = env.instrument;
  if (!stats) {
    yield* rows;
    return;
  }
  // EXPLAIN ANALYZE: the rows this node gave and the time spent producing them (its input's
  // included, as PostgreSQL counts), also when the consumer stops early.
  let count = 0;
  let ms = 0;
  try {
    for (;;) {
      const start = performance.now();
      const next = rows.next();
      ms += performance.now() - start;
      if (next.done) break;
      count++;
      yield next.value;
    }
  } finally {
    rows.return(undefined);
    record(stats, node, count, ms);
  }
}

/**
 * `node`'s rows produced on demand, or null for a node that needs all its input first.
 * (executeNode keeps its own loops for the same nodes: a materialized scan does not pay a
 * generator step per row.)
 */
function streamed(node: PlanNode, env: ExecEnv, wanted: number | undefined): Generator<Value[]> | null {
  switch (node.kind) {
    case 'SeqScan':
      return (function* () {
        const store = node.table.store;
        let n = 0;
        for (const rowId of store.visibleRowIds(env.txn)) {
          if ((++n & 4095) === 0) env.checkInterrupt();
          yield node.withRowId ? [...store.row(rowId), rowId] : store.row(rowId);
        }
      })();
    case 'Filter':
      return (function* () {
        const pred = compileExpr(node.predicate);
        let n = 0;
        for (const row of stream(node.input, env)) {
          if ((++n & 4095) === 0) env.checkInterrupt();
          if (pred(row, env) === true) yield row;
        }
      })();
    case 'Project':
      if (node.setReturning && node.setReturning.length > 0) return null;
      return (function* () {
        const exprs = node.exprs.map(compileExpr);
        // One row out per row in: what is wanted of it is wanted of its input.
        for (const row of stream(node.input, env, wanted)) yield exprs.map((f) => f(row, env));
      })();
    case 'IndexRangeScan':
      return indexRangeRows(node, env);
    case 'Sort':
      if (wanted === undefined) return null;
      return (function* () {
        yield* topRows(stream(node.input, env), node.keys, wanted, env);
      })();
    default:
      return null;
  }
}

function executeNode(node: PlanNode, env: ExecEnv): Value[][] {
  switch (node.kind) {
    case 'Result':
      return [[]];
    case 'Values':
      // A bulk INSERT's VALUES are mostly constants: they need no compiled closure each.
      return node.rows.map((r) => r.map((e) => (e.kind === 'Const' ? e.value : compileExpr(e)([], env))));
    case 'SeqScan': {
      const out: Value[][] = [];
      const store = node.table.store;
      let n = 0;
      for (const rowId of store.visibleRowIds(env.txn)) {
        if ((++n & 4095) === 0) env.checkInterrupt();
        out.push(node.withRowId ? [...store.row(rowId), rowId] : store.row(rowId));
      }
      return out;
    }
    case 'IndexScan':
      return runIndexScan(node, env);
    case 'IndexRangeScan':
      return [...indexRangeRows(node, env)];
    case 'VectorSearch':
      return runVectorSearch(node, env);
    case 'NearestFirst': {
      const rows = execute(node.input, env);
      const limit = evalCount(node.input.limit, env, 'LIMIT');
      return limit === null || rows.length >= limit ? rows : execute(node.full, env);
    }
    case 'Filter': {
      const pred = compileExpr(node.predicate);
      const input = execute(node.input, env);
      const out: Value[][] = [];
      for (let i = 0; i < input.length; i++) {
        if ((i & 4095) === 4095) env.checkInterrupt();
        if (pred(input[i], env) === true) out.push(input[i]);
      }
      return out;
    }
    case 'Project': {
      const exprs = node.exprs.map(compileExpr);
      const input = execute(node.input, env);
      if (node.setReturning && node.setReturning.length > 0)
        return projectSet(input, exprs, node.setReturning, env);
      const out = new Array<Value[]>(input.length);
      for (let i = 0; i < input.length; i++) {
        if ((i & 4095) === 4095) env.checkInterrupt();
        const row = input[i];
        out[i] = exprs.map((f) => f(row, env));
      }
      return out;
    }
    case 'Join':
      return runJoin(node, env, execute);
    case 'Aggregate': {
      // count(*) alone over a table needs how many rows it sees, not the rows: sealed rows
      // are not read back from their segments.
      const scan = countStarScan(node);
      if (scan) {
        const start = performance.now();
        const seen = scan.table.store.countVisible(env.txn);
        if (env.instrument) record(env.instrument, scan, seen, performance.now() - start);
        return countStar(node, seen, env);
      }
      return runAggregate(node, execute(node.input, env), env);
    }
    case 'Window':
      return runWindow(node, execute(node.input, env), env);
    case 'Sort':
      return sortRows(execute(node.input, env), node.keys, env);
    case 'Limit': {
      const limit = evalCount(node.limit, env, 'LIMIT');
      const offset = evalCount(node.offset, env, 'OFFSET') ?? 0;
      if (limit !== null) {
        const out: Value[][] = [];
        if (limit === 0) return out;
        let skipped = 0;
        for (const row of stream(node.input, env, offset + limit)) {
          if (skipped < offset) skipped++;
          else if (out.push(row) === limit) break;
        }
        return out;
      }
      // LIMIT ALL (or NULL): every row after the offset.
      return execute(node.input, env).slice(offset);
    }
    case 'Distinct': {
      const keys = (node.onKeys ?? []).map(compileExpr);
      const types = (node.onKeys ?? []).map((k) => k.type);
      const seen = new Set<string>();
      const out: Value[][] = [];
      for (const row of execute(node.input, env)) {
        const key = rowKey(
          types,
          keys.map((k) => k(row, env)),
        );
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(row);
      }
      return out;
    }
    case 'SetOp':
      return runSetOp(node, env);
    case 'FunctionScan': {
      const args = node.args.map((a) => compileExpr(a)([], env));
      if (node.def.strict !== false && args.some((a) => a === null)) return [];
      const result = node.def.fn(args, env.ctx, node.argTypes);
      const values = node.def.returnsSet ? (result as Value[]) : [result];
      return values.map((v, i) => (node.withOrdinality ? [v, BigInt(i + 1)] : [v]));
    }
    case 'CteScan': {
      let rows = env.cteRows.get(node.cte);
      if (!rows) {
        rows = execute(node.cte.plan, env);
        env.cteRows.set(node.cte, rows);
      }
      return rows;
    }
    case 'Rows':
      return node.produce();
    case 'RecursiveUnion':
      return runRecursiveUnion(node, env);
    case 'WorkTableScan':
      return env.cteRows.get(node.workTable) ?? [];
    case 'ModifyTable':
      return executeDml(node.dml, env).returning;
    case 'SubqueryScan':
      return execute(node.input, env);
  }
}

function runSetOp(node: PlanNode & { kind: 'SetOp' }, env: ExecEnv): Value[][] {
  const types = node.columns.map((c) => c.type);
  const left = execute(node.left, env);
  const right = execute(node.right, env);
  if (node.op === 'union' && node.all) return [...left, ...right];
  const counts = new Map<string, number>();
  if (node.op === 'union') {
    const seen = new Set<string>();
    const out: Value[][] = [];
    for (const row of [...left, ...right]) {
      const key = rowKey(types, row);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(row);
      }
    }
    return out;
  }
  for (const row of right) {
    const key = rowKey(types, row);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const out: Value[][] = [];
  const emitted = new Set<string>();
  for (const row of left) {
    const key = rowKey(types, row);
    const c = counts.get(key) ?? 0;
    if (node.op === 'intersect') {
      if (c > 0 && (node.all || !emitted.has(key))) {
        out.push(row);
        emitted.add(key);
        if (node.all) counts.set(key, c - 1);
      }
    } else if (c > 0 && node.all) {
      counts.set(key, c - 1);
    } else if (c === 0 && (node.all || !emitted.has(key))) {
      out.push(row);
      emitted.add(key);
    }
  }
  return out;
}

/** Select list with set-returning calls: rows zipped across the calls, padded with NULL. */
function projectSet(
  input: Value[][],
  exprs: ((row: Value[], env: ExecEnv) => Value)[],
  setReturning: readonly number[],
  env: ExecEnv,
): Value[][] {
  const out: Value[][] = [];
  for (const row of input) {
    env.checkInterrupt();
    const values = exprs.map((f) => f(row, env));
    let n = 0;
    for (const i of setReturning) {
      const set = values[i] === null ? [] : (values[i] as Value[]);
      values[i] = set;
      n = Math.max(n, set.length);
    }
    for (let r = 0; r < n; r++) {
      out.push(values.map((v, i) => (setReturning.includes(i) ? ((v as Value[])[r] ?? null) : v)));
    }
  }
  return out;
}

function runRecursiveUnion(node: PlanNode & { kind: 'RecursiveUnion' }, env: ExecEnv): Value[][] {
  const types = node.columns.map((c) => c.type);
  const seen = new Set<string>();
  const fresh = (rows: Value[][]) => {
    if (node.all) return rows;
    return rows.filter((row) => {
      const key = rowKey(types, row);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  };
  let working = fresh(execute(node.anchor, env));
  const result = [...working];
  while (working.length > 0) {
    env.checkInterrupt();
    env.cteRows.set(node.workTable, working);
    working = fresh(execute(node.recursive, env));
    for (const row of working) result.push(row);
  }
  env.cteRows.delete(node.workTable);
  return result;
}
