/**
 * INSERT / UPDATE / DELETE.
 */
import type * as pg from '@pgsql/types';
import type { DeleteStmt, Expr, InsertStmt, OnConflict, SetClause, UpdateStmt } from './ast.ts';
import { convertExpr, convertOptExpr } from './convert-expr.ts';
import {
  convertFromItem,
  convertRangeVar,
  convertSelectNode,
  convertTargets,
  convertWith,
} from './convert-select.ts';
import { as, type ConvertContext, unsupported } from './pg-node.ts';

export function convertInsert(s: pg.InsertStmt, ctx: ConvertContext, loc: number): InsertStmt {
  if (s.override !== undefined && s.override !== 'OVERRIDING_NOT_SET') {
    throw unsupported('OVERRIDING … VALUE is not supported', loc);
  }
  const columns = (s.cols ?? []).map((n) => {
    const t = as(n, 'ResTarget')!;
    const colLoc = ctx.loc(t.location);
    if ((t.indirection?.length ?? 0) > 0) throw assignmentToPart(colLoc);
    return { name: t.name ?? '', loc: colLoc };
  });
  return {
    kind: 'Insert',
    with: convertWith(s.withClause, ctx),
    table: convertRangeVar(s.relation!, ctx),
    alias: s.relation?.alias?.aliasname ?? null,
    columns,
    source: s.selectStmt === undefined ? null : convertSelectNode(s.selectStmt, ctx, loc),
    onConflict: s.onConflictClause === undefined ? null : convertOnConflict(s.onConflictClause, ctx),
    returning: convertTargets(s.returningList, ctx),
    loc,
  };
}

function convertOnConflict(c: pg.OnConflictClause, ctx: ConvertContext): OnConflict {
  const columns: string[] = [];
  const exprs: Expr[] = [];
  for (const n of c.infer?.indexElems ?? []) {
    const e = as(n, 'IndexElem')!;
    if (e.name !== undefined) columns.push(e.name);
    else exprs.push(convertExpr(e.expr!, ctx));
  }
  return {
    action: c.action === 'ONCONFLICT_UPDATE' ? 'update' : 'nothing',
    columns,
    exprs,
    inferWhere: convertOptExpr(c.infer?.whereClause, ctx),
    constraint: c.infer?.conname ?? null,
    set: convertSetClauses(c.targetList, ctx),
    where: convertOptExpr(c.whereClause, ctx),
  };
}

/** UPDATE … SET and ON CONFLICT DO UPDATE SET lists. */
function convertSetClauses(list: pg.Node[] | undefined, ctx: ConvertContext): SetClause[] {
  return (list ?? []).map((n) => {
    const t = as(n, 'ResTarget')!;
    const loc = ctx.loc(t.location);
    if ((t.indirection?.length ?? 0) > 0) throw assignmentToPart(loc);
    if (as(t.val, 'MultiAssignRef') !== undefined) {
      throw unsupported('multiple-column assignment SET (a, b) = (…) is not supported', loc);
    }
    return { column: t.name ?? '', expr: convertExpr(t.val!, ctx), loc };
  });
}

function assignmentToPart(loc: number) {
  return unsupported('assignment to array elements or composite fields is not supported', loc);
}

export function convertUpdate(s: pg.UpdateStmt, ctx: ConvertContext, loc: number): UpdateStmt {
  return {
    kind: 'Update',
    with: convertWith(s.withClause, ctx),
    table: convertRangeVar(s.relation!, ctx),
    alias: s.relation?.alias?.aliasname ?? null,
    set: convertSetClauses(s.targetList, ctx),
    from: (s.fromClause ?? []).map((n) => convertFromItem(n, ctx)),
    where: convertOptExpr(s.whereClause, ctx),
    returning: convertTargets(s.returningList, ctx),
    loc,
  };
}

export function convertDelete(s: pg.DeleteStmt, ctx: ConvertContext, loc: number): DeleteStmt {
  return {
    kind: 'Delete',
    with: convertWith(s.withClause, ctx),
    table: convertRangeVar(s.relation!, ctx),
    alias: s.relation?.alias?.aliasname ?? null,
    using: (s.usingClause ?? []).map((n) => convertFromItem(n, ctx)),
    where: convertOptExpr(s.whereClause, ctx),
    returning: convertTargets(s.returningList, ctx),
    loc,
  };
}
