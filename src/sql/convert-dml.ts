/**
 * INSERT / UPDATE / DELETE.
 */
import type * as pg from '@pgsql/types';
import type { DeleteStmt, InsertStmt, OnConflict, SetClause, UpdateStmt } from './ast.ts';
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
  const loc = ctx.loc(c.location);
  const columns = (c.infer?.indexElems ?? []).map((n) => {
    const e = as(n, 'IndexElem')!;
    if (e.name === undefined)
      throw unsupported('ON CONFLICT with an expression target is not supported', loc);
    return e.name;
  });
  if (c.infer?.whereClause !== undefined)
    throw unsupported('ON CONFLICT … WHERE (partial index) is not supported', loc);
  return {
    action: c.action === 'ONCONFLICT_UPDATE' ? 'update' : 'nothing',
    columns,
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
