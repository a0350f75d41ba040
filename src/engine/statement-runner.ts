/**
 * Runs one statement inside the session's transaction and returns what the client sees:
 * result columns, rows and the command tag. Statement kinds dispatch through one table.
 */
import type { BindContext } from '../bind/bind-context.ts';
import { bindDelete, bindInsert, bindUpdate, type DmlPlan, lookupTable } from '../bind/bind-dml.ts';
import { bindSelect } from '../bind/bind-select.ts';
import type { Table } from '../catalog/catalog-types.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { executeDml } from '../exec/dml.ts';
import type { ExecEnv } from '../exec/exec-env.ts';
import { execute } from '../exec/executor.ts';
import { wideRange } from '../exec/index-range-scan.ts';
import { optimize } from '../plan/optimize.ts';
import type { OutputColumn, PlanNode } from '../plan/plan-nodes.ts';
import type { Statement } from '../sql/ast-utility.ts';
import { T, type Value } from '../types/type.ts';
import { createIndexStatement, createSequence, createTable, type DdlContext, drop, truncate } from './ddl.ts';
import { explainPlan } from './explain.ts';
import { truncateSet } from './foreign-key-ddl.ts';

export interface Outcome {
  readonly columns: readonly OutputColumn[] | null;
  readonly rows: Value[][];
  readonly tag: string;
}

export interface RunContext {
  readonly bc: BindContext;
  readonly env: ExecEnv;
  readonly ddl: DdlContext;
  /** Session-level statements (SET/SHOW/transactions/…) are handled by the session. */
  readonly utility: (stmt: Statement) => Outcome | null;
  /**
   * Moves the running transaction's new rows of `table` out of memory into a segment ahead
   * of COMMIT (a long COPY keeps its memory bounded); absent when nothing is stored.
   */
  readonly spill?: (table: Table) => Promise<void>;
  /**
   * On a read replica: how long the statement waited for the replica to apply the commits
   * its `quiver.consistency` asks for (EXPLAIN ANALYZE reports it).
   */
  readonly replicaWaitMs?: number;
}

export function planQuery(plan: PlanNode, rc: RunContext): PlanNode {
  return optimize(plan, {
    enableSeqscan: rc.bc.setting('enable_seqscan') === 'on',
    enableIndexscan: rc.bc.setting('enable_indexscan') === 'on',
    enableHashjoin: rc.bc.setting('enable_hashjoin') === 'on',
    wideRange,
  });
}

/** A statement bound and planned once, reusable while the catalog and settings stay put. */
export type CompiledStatement =
  | { readonly kind: 'query'; readonly plan: PlanNode }
  | { readonly kind: 'dml'; readonly plan: DmlPlan }
  /** EXPLAIN ANALYZE of a query: planned ahead so its index searches run ahead too. */
  | { readonly kind: 'explain'; readonly plan: PlanNode; readonly planningMs: number };

/** Binds and plans a query or DML statement; other statements are not compiled (null). */
export function compileStatement(stmt: Statement, rc: RunContext): CompiledStatement | null {
  switch (stmt.kind) {
    case 'Select':
      return { kind: 'query', plan: planQuery(bindSelect(stmt, null, rc.bc), rc) };
    case 'Insert':
    case 'Update':
    case 'Delete': {
      const plan =
        stmt.kind === 'Insert'
          ? bindInsert(stmt, rc.bc)
          : stmt.kind === 'Update'
            ? bindUpdate(stmt, rc.bc)
            : bindDelete(stmt, rc.bc);
      return {
        kind: 'dml',
        plan:
          plan.kind === 'Insert'
            ? { ...plan, source: planQuery(plan.source, rc) }
            : { ...plan, scan: planQuery(plan.scan, rc) },
      };
    }
    case 'Explain': {
      if (!stmt.analyze || stmt.statement.kind !== 'Select') return null;
      const started = performance.now();
      const plan = planQuery(bindSelect(stmt.statement, null, rc.bc), rc);
      return { kind: 'explain', plan, planningMs: performance.now() - started };
    }
    default:
      return null;
  }
}

/** Output columns a statement will produce (Describe), or null for none. */
export function describeStatement(
  stmt: Statement,
  compiled: CompiledStatement | null,
): readonly OutputColumn[] | null {
  if (compiled?.kind === 'query') return compiled.plan.columns;
  if (compiled?.kind === 'dml') return compiled.plan.returning?.columns ?? null;
  switch (stmt.kind) {
    case 'Show':
      return [{ name: stmt.name, type: T.text, tableOid: 0, attnum: 0 }];
    case 'Explain':
      return [{ name: 'QUERY PLAN', type: T.text, tableOid: 0, attnum: 0 }];
    default:
      return null;
  }
}

export function runStatement(stmt: Statement, rc: RunContext, compiled?: CompiledStatement | null): Outcome {
  const utility = rc.utility(stmt);
  if (utility) return utility;
  const c = compiled ?? compileStatement(stmt, rc);
  if (c?.kind === 'query') {
    const rows = execute(c.plan, rc.env);
    return { columns: c.plan.columns, rows, tag: `SELECT ${rows.length}` };
  }
  if (c?.kind === 'dml') {
    const result = executeDml(c.plan, rc.env);
    const tag =
      c.plan.kind === 'Insert' ? `INSERT 0 ${result.count}` : `${c.plan.kind.toUpperCase()} ${result.count}`;
    return { columns: c.plan.returning?.columns ?? null, rows: result.returning, tag };
  }
  switch (stmt.kind) {
    case 'CreateTable':
      return { columns: null, rows: [], tag: createTable(stmt, rc.ddl) };
    case 'CreateSequence':
      return { columns: null, rows: [], tag: createSequence(stmt, rc.ddl) };
    case 'CreateIndex':
      return { columns: null, rows: [], tag: createIndexStatement(stmt, rc.ddl) };
    case 'Drop':
      return { columns: null, rows: [], tag: drop(stmt, rc.ddl) };
    case 'Truncate': {
      const tables = truncateSet(
        stmt.tables.map((t) => lookupTable(t, rc.bc)),
        stmt.cascade,
        rc.ddl,
      );
      truncate(tables, rc.ddl, rc.env.txn);
      if (stmt.restartIdentity) {
        for (const t of tables)
          for (const c of t.columns)
            if (c.sequence) Object.assign(c.sequence, { next: c.sequence.start, called: false });
      }
      return { columns: null, rows: [], tag: 'TRUNCATE TABLE' };
    }
    case 'Explain': {
      const lines = explainPlan(stmt, rc, c?.kind === 'explain' ? c : undefined);
      return {
        columns: [{ name: 'QUERY PLAN', type: T.text, tableOid: 0, attnum: 0 }],
        rows: lines.map((l) => [l]),
        tag: 'EXPLAIN',
      };
    }
    case 'NoOp':
      return { columns: null, rows: [], tag: stmt.tag };
    default:
      throw new SqlError(SqlState.FeatureNotSupported, `${stmt.kind} is not supported yet`);
  }
}
