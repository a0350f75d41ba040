/**
 * SELECT / VALUES / set operations, FROM items, WITH clauses and target lists.
 */
import type * as pg from '@pgsql/types';
import type {
  Alias,
  Cte,
  Expr,
  FromItem,
  QualifiedName,
  SelectStmt,
  SelectTarget,
  WithClause,
} from './ast.ts';
import { convertDelete, convertInsert, convertUpdate } from './convert-dml.ts';
import { convertExpr, convertExprs, convertFuncCall, convertOptExpr, convertSortBy } from './convert-expr.ts';
import { as, type ConvertContext, strings, unsupported, unwrap } from './pg-node.ts';

/** A `{SelectStmt: …}` node (subquery, CTE body, INSERT source); `loc` stands in for its missing location. */
export function convertSelectNode(node: pg.Node, ctx: ConvertContext, loc: number): SelectStmt {
  const s = as(node, 'SelectStmt');
  if (s === undefined)
    throw unsupported(`${unwrap(node).tag ?? 'this statement'} is not supported here`, loc);
  return convertSelect(s, ctx, loc);
}

export function convertSelect(s: pg.SelectStmt, ctx: ConvertContext, loc: number): SelectStmt {
  if (s.intoClause !== undefined) {
    throw unsupported('SELECT INTO is not supported', loc, 'Use CREATE TABLE … AS SELECT instead.');
  }
  if ((s.windowClause?.length ?? 0) > 0)
    throw unsupported('named windows (WINDOW clause) are not supported', loc);
  if (s.limitOption === 'LIMIT_OPTION_WITH_TIES')
    throw unsupported('FETCH … WITH TIES is not supported', loc);
  const setOp =
    s.op === undefined || s.op === 'SETOP_NONE'
      ? null
      : {
          op:
            s.op === 'SETOP_UNION'
              ? ('union' as const)
              : s.op === 'SETOP_INTERSECT'
                ? ('intersect' as const)
                : ('except' as const),
          all: s.all ?? false,
          left: convertSelect(s.larg!, ctx, loc),
          right: convertSelect(s.rarg!, ctx, loc),
        };
  return {
    kind: 'Select',
    with: convertWith(s.withClause, ctx),
    setOp,
    values:
      s.valuesLists === undefined ? null : s.valuesLists.map((l) => convertExprs(as(l, 'List')?.items, ctx)),
    distinct: convertDistinct(s.distinctClause, ctx),
    targets: convertTargets(s.targetList, ctx),
    from: (s.fromClause ?? []).map((n) => convertFromItem(n, ctx)),
    where: convertOptExpr(s.whereClause, ctx),
    groupBy: (s.groupClause ?? []).map((n) => convertGroupItem(n, ctx)),
    having: convertOptExpr(s.havingClause, ctx),
    orderBy: (s.sortClause ?? []).map((n) => convertSortBy(n, ctx)),
    limit: convertLimit(s.limitCount, ctx),
    offset: convertOptExpr(s.limitOffset, ctx),
    locking: lockingOf(s.lockingClause),
    loc,
  };
}

const LOCK_STRENGTH: Record<string, string> = {
  LCS_FORKEYSHARE: 'FOR KEY SHARE',
  LCS_FORSHARE: 'FOR SHARE',
  LCS_FORNOKEYUPDATE: 'FOR NO KEY UPDATE',
  LCS_FORUPDATE: 'FOR UPDATE',
};

/** The first locking clause as PostgreSQL names it ('FOR UPDATE'); null without one. */
function lockingOf(clauses: pg.Node[] | undefined): string | null {
  if (!clauses || clauses.length === 0) return null;
  const strength = as(clauses[0], 'LockingClause')?.strength;
  return LOCK_STRENGTH[strength ?? ''] ?? 'FOR UPDATE';
}

/** `[{}]` is plain DISTINCT; anything else lists the DISTINCT ON expressions. */
function convertDistinct(list: pg.Node[] | undefined, ctx: ConvertContext): Expr[] | null {
  if (list === undefined) return null;
  if (list.length === 1 && unwrap(list[0]).tag === undefined) return [];
  return convertExprs(list, ctx);
}

/** LIMIT ALL and LIMIT NULL both mean "no limit". */
function convertLimit(node: pg.Node | undefined, ctx: ConvertContext): Expr | null {
  if (node === undefined || as(node, 'A_Const')?.isnull) return null;
  return convertExpr(node, ctx);
}

function convertGroupItem(node: pg.Node, ctx: ConvertContext): Expr {
  const g = as(node, 'GroupingSet');
  if (g !== undefined)
    throw unsupported('GROUPING SETS, ROLLUP and CUBE are not supported', ctx.loc(g.location));
  return convertExpr(node, ctx);
}

/** SELECT and RETURNING lists. */
export function convertTargets(list: pg.Node[] | undefined, ctx: ConvertContext): SelectTarget[] {
  return (list ?? []).map((n) => {
    const t = as(n, 'ResTarget')!;
    return { expr: convertExpr(t.val!, ctx), alias: t.name ?? null, loc: ctx.loc(t.location) };
  });
}

export function convertRangeVar(r: pg.RangeVar, ctx: ConvertContext): QualifiedName {
  const loc = ctx.loc(r.location);
  if (r.catalogname !== undefined) {
    const full = [r.catalogname, r.schemaname, r.relname].join('.');
    throw unsupported(`cross-database references are not implemented: ${full}`, loc);
  }
  return { schema: r.schemaname ?? null, name: r.relname ?? '', loc };
}

export function convertAlias(a: pg.Alias | undefined): Alias | null {
  return a === undefined ? null : { name: a.aliasname ?? '', columns: strings(a.colnames) };
}

export function convertFromItem(node: pg.Node, ctx: ConvertContext): FromItem {
  const { tag, body } = unwrap(node);
  switch (tag) {
    case 'RangeVar': {
      const r = body as pg.RangeVar;
      return { kind: 'Table', name: convertRangeVar(r, ctx), alias: convertAlias(r.alias) };
    }
    case 'RangeSubselect': {
      const r = body as pg.RangeSubselect;
      return {
        kind: 'Subquery',
        query: convertSelectNode(r.subquery!, ctx, ctx.stmtLoc),
        alias: convertAlias(r.alias),
        lateral: r.lateral ?? false,
        loc: -1,
      };
    }
    case 'JoinExpr':
      return convertJoin(body as pg.JoinExpr, ctx);
    case 'RangeFunction':
      return convertRangeFunction(body as pg.RangeFunction, ctx);
    case 'RangeTableSample':
      throw unsupported('TABLESAMPLE is not supported', ctx.loc((body as pg.RangeTableSample).location));
    default:
      throw unsupported(`${tag ?? 'this'} in FROM is not supported`, ctx.stmtLoc);
  }
}

function convertJoin(j: pg.JoinExpr, ctx: ConvertContext): FromItem {
  const using = strings(j.usingClause);
  const natural = j.isNatural ?? false;
  let type: 'inner' | 'left' | 'right' | 'full' | 'cross';
  switch (j.jointype) {
    case 'JOIN_LEFT':
      type = 'left';
      break;
    case 'JOIN_RIGHT':
      type = 'right';
      break;
    case 'JOIN_FULL':
      type = 'full';
      break;
    default:
      // CROSS JOIN is an inner join without a condition.
      type = j.quals === undefined && using.length === 0 && !natural ? 'cross' : 'inner';
  }
  if (j.join_using_alias !== undefined)
    throw unsupported('JOIN USING … AS alias is not supported', ctx.stmtLoc);
  return {
    kind: 'Join',
    type,
    left: convertFromItem(j.larg!, ctx),
    right: convertFromItem(j.rarg!, ctx),
    on: convertOptExpr(j.quals, ctx),
    using,
    natural,
    alias: convertAlias(j.alias),
  };
}

function convertRangeFunction(r: pg.RangeFunction, ctx: ConvertContext): FromItem {
  // functions = [List[funcCall, coldeflist-or-{}]]
  const functions = r.functions ?? [];
  const first = as(functions[0], 'List')?.items ?? [];
  const call = as(first[0], 'FuncCall');
  const loc = call === undefined ? ctx.stmtLoc : ctx.loc(call.location);
  if (r.is_rowsfrom || functions.length !== 1) throw unsupported('ROWS FROM is not supported', loc);
  if ((r.coldeflist?.length ?? 0) > 0 || as(first[1], 'List') !== undefined) {
    throw unsupported('column definition lists for functions in FROM are not supported', loc);
  }
  if (call === undefined) throw unsupported('only function calls are supported as functions in FROM', loc);
  return {
    kind: 'Function',
    func: convertFuncCall(call, ctx),
    alias: convertAlias(r.alias),
    lateral: r.lateral ?? false,
    withOrdinality: r.ordinality ?? false,
  };
}

export function convertWith(w: pg.WithClause | undefined, ctx: ConvertContext): WithClause | null {
  if (w === undefined) return null;
  return { recursive: w.recursive ?? false, ctes: (w.ctes ?? []).map((n) => convertCte(n, ctx)) };
}

function convertCte(node: pg.Node, ctx: ConvertContext): Cte {
  const c = as(node, 'CommonTableExpr')!;
  const loc = ctx.loc(c.location);
  if (c.search_clause !== undefined || c.cycle_clause !== undefined) {
    throw unsupported('SEARCH and CYCLE clauses are not supported', loc);
  }
  const q = c.ctequery!;
  const { tag, body } = unwrap(q);
  let query: Cte['query'];
  if (tag === 'InsertStmt') query = convertInsert(body as pg.InsertStmt, ctx, loc);
  else if (tag === 'UpdateStmt') query = convertUpdate(body as pg.UpdateStmt, ctx, loc);
  else if (tag === 'DeleteStmt') query = convertDelete(body as pg.DeleteStmt, ctx, loc);
  else query = convertSelectNode(q, ctx, loc);
  return { name: c.ctename ?? '', columns: strings(c.aliascolnames), query, loc };
}
