/**
 * PREPARE, EXECUTE and DEALLOCATE from libpg-query's parse tree.
 *
 * The $n inside a PREPARE belong to the prepared statement and those inside EXECUTE's
 * arguments to nobody, so neither counts towards the parameters of the statement that
 * carries them: as in PostgreSQL, `PREPARE q AS SELECT $1` sent through the extended
 * protocol takes no Bind parameters.
 */
import type * as pg from '@pgsql/types';
import type { ExecuteStmt, PreparableStmt, PrepareStmt, StrayParam } from './ast-prepare.ts';
import { convertDelete, convertInsert, convertUpdate } from './convert-dml.ts';
import { convertExprs } from './convert-expr.ts';
import { convertTypeName } from './convert-literal.ts';
import { convertSelect } from './convert-select.ts';
import { as, type ConvertContext, type StatementConverters, unsupported, unwrap } from './pg-node.ts';

/** The statement PREPARE … AS names; the grammar admits only these, and EXPLAIN the same. */
export function convertPreparable(
  node: pg.Node,
  ctx: ConvertContext,
  loc: number,
  what: string,
): PreparableStmt {
  const { tag, body } = unwrap(node);
  if (tag === 'SelectStmt') return convertSelect(body as pg.SelectStmt, ctx, loc);
  if (tag === 'InsertStmt') return convertInsert(body as pg.InsertStmt, ctx, loc);
  if (tag === 'UpdateStmt') return convertUpdate(body as pg.UpdateStmt, ctx, loc);
  if (tag === 'DeleteStmt') return convertDelete(body as pg.DeleteStmt, ctx, loc);
  throw unsupported(`${what} is only supported for SELECT, INSERT, UPDATE and DELETE`, loc);
}

function convertPrepare(s: pg.PrepareStmt, ctx: ConvertContext, loc: number): PrepareStmt {
  const outer = ctx.paramCount;
  ctx.paramCount = 0;
  const paramTypes = (s.argtypes ?? []).map((n) => convertTypeName(as(n, 'TypeName')!, ctx));
  const statement = convertPreparable(s.query!, ctx, loc, 'PREPARE');
  const paramCount = ctx.paramCount;
  ctx.paramCount = outer;
  return { kind: 'Prepare', name: s.name ?? '', paramTypes, statement, paramCount, source: ctx.sql };
}

export function convertExecute(s: pg.ExecuteStmt, ctx: ConvertContext, loc: number): ExecuteStmt {
  const outer = ctx.paramCount;
  const args = convertExprs(s.params, ctx);
  ctx.paramCount = outer;
  return { kind: 'Execute', name: s.name ?? '', args, strayParam: firstParamRef(s.params, ctx), loc };
}

/** The leftmost $n anywhere inside `nodes` (a walk over the raw JSON tree), or null. */
function firstParamRef(nodes: readonly pg.Node[] | undefined, ctx: ConvertContext): StrayParam | null {
  let first: pg.ParamRef | null = null;
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    const ref = (value as { ParamRef?: pg.ParamRef }).ParamRef;
    if (ref !== undefined) {
      if (first === null || (ref.location ?? 0) < (first.location ?? 0)) first = ref;
      return;
    }
    for (const child of Object.values(value)) visit(child);
  };
  visit(nodes);
  const found = first as pg.ParamRef | null;
  return found === null ? null : { index: found.number ?? 0, loc: ctx.loc(found.location) };
}

export const preparedStatementConverters: StatementConverters = {
  PrepareStmt: convertPrepare,
  ExecuteStmt: convertExecute,
  DeallocateStmt: (s) => ({ kind: 'Deallocate', name: s.isall ? null : (s.name ?? null) }),
};
