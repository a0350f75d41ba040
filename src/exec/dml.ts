/**
 * Executes INSERT / UPDATE / DELETE plans. UPDATE writes a new row version and marks the
 * old one deleted (DESIGN §3: UPDATE = delete + insert). Returns the affected count and the
 * RETURNING rows.
 */
import {
  type ArbiterSpec,
  DEFAULT_VALUE,
  type DeletePlan,
  type DmlPlan,
  type InsertPlan,
  type UpdatePlan,
} from '../bind/bind-dml.ts';
import type { IndexDef, Table } from '../catalog/catalog-types.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { Value } from '../types/type.ts';
import { compileExpr } from './compile-expr.ts';
import type { ExecEnv } from './exec-env.ts';
import { execute } from './executor.ts';
import { type ForeignKeyChecks, foreignKeyChecks } from './foreign-keys.ts';
import {
  checkConstraints,
  checkNotNull,
  deleteRow,
  findConflict,
  uniqueViolation,
  writeRow,
} from './table-writer.ts';

export interface DmlResult {
  readonly count: number;
  readonly returning: Value[][];
}

export function executeDml(plan: DmlPlan, env: ExecEnv): DmlResult {
  const fks = foreignKeyChecks(plan.table, env);
  const result = plan.kind === 'Insert' ? executeInsert(plan, env, fks) : executeChanges(plan, env, fks);
  fks?.finish();
  return result;
}

function executeChanges(
  plan: UpdatePlan | DeletePlan,
  env: ExecEnv,
  fks: ForeignKeyChecks | null,
): DmlResult {
  const rows = execute(plan.scan, env);
  const width = plan.table.columns.length;
  const sets =
    plan.kind === 'Update' ? plan.sets.map((s) => ({ column: s.column, fn: compileExpr(s.expr) })) : [];
  const returning = plan.returning?.exprs.map(compileExpr) ?? null;
  const out: Value[][] = [];
  let count = 0;
  for (const scanned of rows) {
    env.checkInterrupt();
    const rowId = scanned[width] as number;
    const old = scanned.slice(0, width);
    let result = old;
    if (plan.kind === 'Update') {
      const next = old.slice();
      for (const s of sets) next[s.column] = s.fn(old, env);
      deleteRow(plan.table, rowId, env.txn);
      const newId = writeRow(plan.table, next, { txn: env.txn, ctx: env.ctx, replacing: rowId });
      fks?.written(plan.table, next, newId, old);
      fks?.deleted(plan.table, old, next);
      result = next;
    } else {
      deleteRow(plan.table, rowId, env.txn);
      fks?.deleted(plan.table, old, null);
    }
    count++;
    if (returning) out.push(returning.map((f) => f(result, env)));
  }
  return { count, returning: out };
}

function executeInsert(plan: InsertPlan, env: ExecEnv, fks: ForeignKeyChecks | null): DmlResult {
  const table = plan.table;
  const source = execute(plan.source, env);
  const defaults = plan.defaults.map((d) => (d ? compileExpr(d) : null));
  const returning = plan.returning?.exprs.map(compileExpr) ?? null;
  const out: Value[][] = [];
  let count = 0;
  const targetSet = new Set(plan.targets);
  // Chosen at the first row (a statement inserting nothing raises no 42P10), then kept.
  let arbiters: IndexDef[] | null = null;
  for (const src of source) {
    env.checkInterrupt();
    const row: Value[] = new Array(table.columns.length).fill(null);
    for (let c = 0; c < table.columns.length; c++) {
      if (!targetSet.has(c)) row[c] = defaults[c] ? defaults[c]!([], env) : null;
    }
    plan.targets.forEach((c, i) => {
      const v = i < src.length ? src[i] : DEFAULT_VALUE;
      const col = table.columns[c];
      if (col.identity === 'always' && v !== DEFAULT_VALUE) {
        throw new SqlError(
          SqlState.GeneratedAlways,
          `cannot insert a non-DEFAULT value into column "${col.name}"`,
          {
            detail: `Column "${col.name}" is an identity column defined as GENERATED ALWAYS.`,
            hint: 'Use OVERRIDING SYSTEM VALUE to override.',
          },
        );
      }
      row[c] = v === DEFAULT_VALUE ? (defaults[c] ? defaults[c]!([], env) : null) : v;
    });
    if (plan.onConflict) {
      // The proposed row meets NOT NULL and CHECK before conflicts are looked for, as in
      // PostgreSQL's ExecInsert (a violating row fails even when it would have conflicted).
      checkNotNull(table, row, env.ctx);
      checkConstraints(table, row, env.ctx);
      arbiters ??= arbiterIndexes(table, plan.onConflict.arbiters);
      const conflict = findAnyConflict(plan, arbiters, row, env);
      if (conflict) {
        if (plan.onConflict.action === 'nothing') continue;
        const updated = applyConflictUpdate(plan, conflict.rowId, row, env, fks);
        if (updated) {
          count++;
          if (returning) out.push(returning.map((f) => f(updated, env)));
        }
        continue;
      }
    }
    const rowId = writeRow(table, row, { txn: env.txn, ctx: env.ctx });
    fks?.written(table, row, rowId, null);
    count++;
    if (returning) out.push(returning.map((f) => f(row, env)));
  }
  return { count, returning: out };
}

/** The unique indexes whose conflicts ON CONFLICT handles (the others raise 23505 as usual). */
function arbiterIndexes(table: Table, spec: ArbiterSpec): IndexDef[] {
  const found = table.indexes.filter((ix) => ix.unique && isArbiter(ix, spec));
  if (spec.kind === 'keys' && found.length === 0) {
    throw new SqlError(
      SqlState.InvalidColumnReference,
      'there is no unique or exclusion constraint matching the ON CONFLICT specification',
    );
  }
  return found;
}

function isArbiter(index: IndexDef, spec: ArbiterSpec): boolean {
  if (spec.kind === 'any') return true;
  if (spec.kind === 'constraint') return index.constraint === spec.name;
  const sameKeys =
    index.expressionKey === null
      ? spec.exprKeys.length === 0 &&
        new Set(spec.columns).size === index.columns.length &&
        spec.columns.every((c) => index.columns.includes(c))
      : spec.columns.length === 0 && spec.exprKeys.every((k) => k === index.expressionKey);
  if (!sameKeys) return false;
  const where = spec.whereKeys;
  return !index.predicate || (where !== null && index.predicate.conjunctKeys.every((k) => where.includes(k)));
}

function findAnyConflict(
  plan: InsertPlan,
  arbiters: readonly IndexDef[],
  row: Value[],
  env: ExecEnv,
): { rowId: number } | null {
  for (const index of arbiters) {
    const rowId = findConflict(index, row, env.txn);
    if (rowId >= 0) {
      if (!plan.table.store.isVisible(rowId, env.txn)) throw uniqueViolation(index, row, env.ctx);
      return { rowId };
    }
  }
  return null;
}

function applyConflictUpdate(
  plan: InsertPlan,
  rowId: number,
  excluded: Value[],
  env: ExecEnv,
  fks: ForeignKeyChecks | null,
): Value[] | null {
  const oc = plan.onConflict!;
  const table = plan.table;
  const old = table.store.row(rowId);
  const both = [...old, ...excluded];
  if (oc.where && compileExpr(oc.where)(both, env) !== true) return null;
  const next = old.slice();
  for (const s of oc.sets) next[s.column] = compileExpr(s.expr)(both, env);
  deleteRow(table, rowId, env.txn);
  const newId = writeRow(table, next, { txn: env.txn, ctx: env.ctx, replacing: rowId });
  fks?.written(table, next, newId, old);
  fks?.deleted(table, old, next);
  return next;
}
