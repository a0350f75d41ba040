/**
 * Expressions: libpg-query's raw expression nodes → Quiver's Expr union (ast.ts).
 * One small function per node kind, dispatched through a table keyed by node tag.
 */
import type * as pg from '@pgsql/types';
import type { Expr, FuncExpr, SortItem, SqlValueExpr, SubLinkExpr, WindowSpec } from './ast.ts';
import { constValue, convertTypeName } from './convert-literal.ts';
import { convertSelectNode } from './convert-select.ts';
import {
  as,
  type ConvertContext,
  type NodeBody,
  type NodeTag,
  strings,
  unsupported,
  unwrap,
} from './pg-node.ts';

type ExprConverter<K extends NodeTag> = (node: NodeBody<K>, ctx: ConvertContext) => Expr;

export function convertExpr(node: pg.Node, ctx: ConvertContext): Expr {
  const { tag, body } = unwrap(node);
  const convert = tag === undefined ? undefined : exprConverters[tag];
  if (convert === undefined) throw unsupportedExpr(tag, body, ctx);
  return (convert as (b: unknown, c: ConvertContext) => Expr)(body, ctx);
}

export function convertExprs(list: readonly pg.Node[] | undefined, ctx: ConvertContext): Expr[] {
  return (list ?? []).map((n) => convertExpr(n, ctx));
}

export function convertOptExpr(node: pg.Node | undefined, ctx: ConvertContext): Expr | null {
  return node === undefined ? null : convertExpr(node, ctx);
}

/** The operator of a (possibly OPERATOR(schema.op)-qualified) name list: its last part. */
export function operatorName(names: readonly pg.Node[] | undefined): string {
  const parts = strings(names);
  return parts[parts.length - 1] ?? '';
}

export function convertSortBy(node: pg.Node, ctx: ConvertContext): SortItem {
  const s = as(node, 'SortBy');
  if (s === undefined) throw unsupportedExpr(unwrap(node).tag, undefined, ctx);
  const dir = s.sortby_dir === 'SORTBY_ASC' ? 'asc' : s.sortby_dir === 'SORTBY_DESC' ? 'desc' : 'default';
  const nulls =
    s.sortby_nulls === 'SORTBY_NULLS_FIRST'
      ? 'first'
      : s.sortby_nulls === 'SORTBY_NULLS_LAST'
        ? 'last'
        : 'default';
  const using = s.sortby_dir === 'SORTBY_USING' ? operatorName(s.useOp) : null;
  return { expr: convertExpr(s.node!, ctx), dir, nulls, using };
}

export function convertFuncCall(f: pg.FuncCall, ctx: ConvertContext): FuncExpr {
  const loc = ctx.loc(f.location);
  let over: WindowSpec | undefined;
  if (f.over !== undefined) {
    // PostgreSQL checks DISTINCT before anything else about a window call.
    if (f.agg_distinct) throw unsupported('DISTINCT is not implemented for window functions', loc);
    over = convertWindow(f.over, ctx, loc);
  }
  if (f.agg_within_group) throw unsupported('WITHIN GROUP is not supported', loc);
  return {
    kind: 'Func',
    names: strings(f.funcname),
    args: convertExprs(f.args, ctx),
    star: f.agg_star ?? false,
    distinct: f.agg_distinct ?? false,
    orderBy: (f.agg_order ?? []).map((n) => convertSortBy(n, ctx)),
    filter: convertOptExpr(f.agg_filter, ctx),
    ...(f.func_variadic ? { variadic: true } : {}),
    ...(over ? { over } : {}),
    loc,
  };
}

// Frame option bits of PostgreSQL's WindowDef.frameOptions (parsenodes.h).
const FRAME = {
  rows: 0x4,
  groups: 0x8,
  startUnboundedPreceding: 0x20,
  endUnboundedFollowing: 0x100,
  endCurrentRow: 0x400,
} as const;

function convertWindow(w: pg.WindowDef, ctx: ConvertContext, loc: number): WindowSpec {
  if (w.name || w.refname) throw unsupported('named windows (WINDOW clause) are not supported', loc);
  const options = w.frameOptions ?? 0;
  if (options & FRAME.groups) throw unsupported('GROUPS frames are not supported', loc);
  const endsAtCurrent = (options & FRAME.endCurrentRow) !== 0;
  const endsUnbounded = (options & FRAME.endUnboundedFollowing) !== 0;
  if (!(options & FRAME.startUnboundedPreceding) || (!endsAtCurrent && !endsUnbounded)) {
    throw unsupported(
      'window frames other than from UNBOUNDED PRECEDING to CURRENT ROW or UNBOUNDED FOLLOWING are not supported',
      loc,
    );
  }
  return {
    partitionBy: convertExprs(w.partitionClause, ctx),
    orderBy: (w.orderClause ?? []).map((n) => convertSortBy(n, ctx)),
    frame: {
      mode: options & FRAME.rows ? 'rows' : 'range',
      end: endsAtCurrent ? 'current row' : 'unbounded following',
    },
  };
}

function convertAExpr(e: pg.A_Expr, ctx: ConvertContext): Expr {
  const loc = ctx.loc(e.location);
  const op = operatorName(e.name);
  const left = () => convertExpr(e.lexpr!, ctx);
  const rightList = () => convertExprs(as(e.rexpr, 'List')?.items, ctx);
  switch (e.kind) {
    case 'AEXPR_OP':
    case 'AEXPR_LIKE':
    case 'AEXPR_ILIKE':
    // SIMILAR TO is `~` against pg_catalog.similar_to_escape(pattern [, escape]), as PostgreSQL parses it.
    case 'AEXPR_SIMILAR':
      return {
        kind: 'Op',
        op,
        left: e.lexpr === undefined ? null : left(),
        right: convertExpr(e.rexpr!, ctx),
        loc,
      };
    case 'AEXPR_OP_ANY':
    case 'AEXPR_OP_ALL':
      return {
        kind: 'Op',
        op,
        left: left(),
        right: convertExpr(e.rexpr!, ctx),
        quantifier: e.kind === 'AEXPR_OP_ANY' ? 'any' : 'all',
        loc,
      };
    case 'AEXPR_DISTINCT':
    case 'AEXPR_NOT_DISTINCT': {
      const name = e.kind === 'AEXPR_DISTINCT' ? 'IS DISTINCT FROM' : 'IS NOT DISTINCT FROM';
      return { kind: 'Op', op: name, left: left(), right: convertExpr(e.rexpr!, ctx), loc };
    }
    case 'AEXPR_NULLIF':
      return { kind: 'NullIf', left: left(), right: convertExpr(e.rexpr!, ctx), loc };
    case 'AEXPR_IN':
      return { kind: 'InList', arg: left(), list: rightList(), not: op === '<>', loc };
    case 'AEXPR_BETWEEN':
    case 'AEXPR_NOT_BETWEEN':
    case 'AEXPR_BETWEEN_SYM':
    case 'AEXPR_NOT_BETWEEN_SYM': {
      const [low, high] = rightList();
      return {
        kind: 'Between',
        arg: left(),
        low,
        high,
        not: e.kind === 'AEXPR_NOT_BETWEEN' || e.kind === 'AEXPR_NOT_BETWEEN_SYM',
        symmetric: e.kind === 'AEXPR_BETWEEN_SYM' || e.kind === 'AEXPR_NOT_BETWEEN_SYM',
        loc,
      };
    }
    default:
      throw unsupported(`operator expression ${e.kind} is not supported`, loc);
  }
}

function convertColumnRef(c: pg.ColumnRef, ctx: ConvertContext): Expr {
  const loc = ctx.loc(c.location);
  const fields = c.fields ?? [];
  const last = fields[fields.length - 1];
  if (last !== undefined && as(last, 'A_Star') !== undefined) {
    return { kind: 'Star', qualifier: strings(fields.slice(0, -1)), loc };
  }
  return { kind: 'ColumnRef', names: strings(fields), loc };
}

/** `x[i][j:k].f`: each run of subscripts or of field names becomes one Subscript node, preserving order. */
function convertIndirection(ind: pg.A_Indirection, ctx: ConvertContext): Expr {
  let expr = convertExpr(ind.arg!, ctx);
  const loc = expr.loc;
  let subscripts: { lower: Expr | null; upper: Expr | null; slice: boolean }[] = [];
  let fields: string[] = [];
  const flush = () => {
    if (subscripts.length > 0 || fields.length > 0)
      expr = { kind: 'Subscript', arg: expr, subscripts, fields, loc };
    subscripts = [];
    fields = [];
  };
  for (const step of ind.indirection ?? []) {
    const { tag, body } = unwrap(step);
    if (tag === 'A_Indices') {
      if (fields.length > 0) flush();
      const i = body as pg.A_Indices;
      const slice = i.is_slice ?? false;
      subscripts.push({ lower: convertOptExpr(i.lidx, ctx), upper: convertOptExpr(i.uidx, ctx), slice });
    } else if (tag === 'String') {
      if (subscripts.length > 0) flush();
      fields.push((body as pg.String).sval ?? '');
    } else {
      throw unsupported('row expansion with .* is not supported here', loc);
    }
  }
  flush();
  return expr;
}

function convertSubLink(s: pg.SubLink, ctx: ConvertContext): SubLinkExpr {
  const loc = ctx.loc(s.location);
  const query = convertSelectNode(s.subselect!, ctx, loc);
  const test = convertOptExpr(s.testexpr, ctx);
  switch (s.subLinkType) {
    case 'EXISTS_SUBLINK':
      return { kind: 'SubLink', linkType: 'exists', test: null, op: null, query, loc };
    case 'ANY_SUBLINK':
    case 'ALL_SUBLINK': {
      // `x IN (SELECT …)` carries no operator name: it is `= ANY`.
      const op = s.operName === undefined ? '=' : operatorName(s.operName);
      const linkType = s.subLinkType === 'ANY_SUBLINK' ? 'any' : 'all';
      return { kind: 'SubLink', linkType, test, op, query, loc };
    }
    case 'EXPR_SUBLINK':
      return { kind: 'SubLink', linkType: 'expr', test: null, op: null, query, loc };
    case 'ARRAY_SUBLINK':
      return { kind: 'SubLink', linkType: 'array', test: null, op: null, query, loc };
    default:
      throw unsupported('row comparison with a subquery is not supported', loc);
  }
}

const SQL_VALUE_NAMES: Record<NonNullable<pg.SQLValueFunction['op']>, SqlValueExpr['name']> = {
  SVFOP_CURRENT_DATE: 'current_date',
  SVFOP_CURRENT_TIME: 'current_time',
  SVFOP_CURRENT_TIME_N: 'current_time',
  SVFOP_CURRENT_TIMESTAMP: 'current_timestamp',
  SVFOP_CURRENT_TIMESTAMP_N: 'current_timestamp',
  SVFOP_LOCALTIME: 'localtime',
  SVFOP_LOCALTIME_N: 'localtime',
  SVFOP_LOCALTIMESTAMP: 'localtimestamp',
  SVFOP_LOCALTIMESTAMP_N: 'localtimestamp',
  SVFOP_CURRENT_ROLE: 'current_role',
  SVFOP_CURRENT_USER: 'current_user',
  SVFOP_USER: 'user',
  SVFOP_SESSION_USER: 'session_user',
  SVFOP_CURRENT_CATALOG: 'current_catalog',
  SVFOP_CURRENT_SCHEMA: 'current_schema',
};

const BOOL_TESTS: Record<
  NonNullable<pg.BooleanTest['booltesttype']>,
  'true' | 'not true' | 'false' | 'not false' | 'unknown' | 'not unknown'
> = {
  IS_TRUE: 'true',
  IS_NOT_TRUE: 'not true',
  IS_FALSE: 'false',
  IS_NOT_FALSE: 'not false',
  IS_UNKNOWN: 'unknown',
  IS_NOT_UNKNOWN: 'not unknown',
};

const exprConverters: { [K in NodeTag]?: ExprConverter<K> } = {
  A_Const: (c, ctx) => ({ kind: 'Const', value: constValue(c), loc: ctx.loc(c.location) }),
  ColumnRef: convertColumnRef,
  ParamRef: (p, ctx) => {
    const index = p.number ?? 0;
    ctx.paramCount = Math.max(ctx.paramCount, index);
    return { kind: 'Param', index, loc: ctx.loc(p.location) };
  },
  A_Expr: convertAExpr,
  BoolExpr: (b, ctx) => ({
    kind: 'Bool',
    op: b.boolop === 'AND_EXPR' ? 'and' : b.boolop === 'OR_EXPR' ? 'or' : 'not',
    args: convertExprs(b.args, ctx),
    loc: ctx.loc(b.location),
  }),
  NullTest: (n, ctx) => ({
    kind: 'NullTest',
    arg: convertExpr(n.arg!, ctx),
    not: n.nulltesttype === 'IS_NOT_NULL',
    loc: ctx.loc(n.location),
  }),
  BooleanTest: (b, ctx) => ({
    kind: 'BooleanTest',
    arg: convertExpr(b.arg!, ctx),
    test: BOOL_TESTS[b.booltesttype ?? 'IS_TRUE'],
    loc: ctx.loc(b.location),
  }),
  TypeCast: (t, ctx) => {
    const type = convertTypeName(t.typeName!, ctx);
    // `int4 '3'` has no cast location of its own; point at the type name as PostgreSQL does.
    const loc = t.location !== undefined && t.location >= 0 ? ctx.loc(t.location) : type.loc;
    return { kind: 'Cast', arg: convertExpr(t.arg!, ctx), type, loc };
  },
  // PostgreSQL's default collation semantics: COLLATE is accepted and dropped.
  CollateClause: (c, ctx) => convertExpr(c.arg!, ctx),
  FuncCall: convertFuncCall,
  CaseExpr: (c, ctx) => ({
    kind: 'Case',
    arg: convertOptExpr(c.arg, ctx),
    whens: (c.args ?? []).map((w) => {
      const cw = as(w, 'CaseWhen')!;
      return { when: convertExpr(cw.expr!, ctx), then: convertExpr(cw.result!, ctx) };
    }),
    else: convertOptExpr(c.defresult, ctx),
    loc: ctx.loc(c.location),
  }),
  SubLink: convertSubLink,
  CoalesceExpr: (c, ctx) => ({ kind: 'Coalesce', args: convertExprs(c.args, ctx), loc: ctx.loc(c.location) }),
  MinMaxExpr: (m, ctx) => ({
    kind: 'MinMax',
    op: m.op === 'IS_LEAST' ? 'least' : 'greatest',
    args: convertExprs(m.args, ctx),
    loc: ctx.loc(m.location),
  }),
  A_ArrayExpr: (a, ctx) => ({
    kind: 'Array',
    elements: convertExprs(a.elements, ctx),
    loc: ctx.loc(a.location),
  }),
  A_Indirection: convertIndirection,
  SQLValueFunction: (s, ctx) => {
    const op = s.op ?? 'SVFOP_CURRENT_DATE';
    const precision =
      op.endsWith('_N') && s.typmod !== undefined && s.typmod >= 0 ? { precision: s.typmod } : {};
    return { kind: 'SqlValue', name: SQL_VALUE_NAMES[op], ...precision, loc: ctx.loc(s.location) };
  },
  RowExpr: (r, ctx) => ({ kind: 'Row', args: convertExprs(r.args, ctx), loc: ctx.loc(r.location) }),
  SetToDefault: (d, ctx) => ({ kind: 'Default', loc: ctx.loc(d.location) }),
};

function unsupportedExpr(tag: NodeTag | undefined, body: unknown, ctx: ConvertContext) {
  const location = (body as { location?: number } | undefined)?.location;
  const loc = location === undefined || location < 0 ? ctx.stmtLoc : ctx.loc(location);
  switch (tag) {
    case 'GroupingFunc':
      return unsupported('GROUPING is not supported', loc);
    case 'XmlExpr':
    case 'XmlSerialize':
      return unsupported('XML functions are not supported', loc);
    case 'CurrentOfExpr':
      return unsupported('WHERE CURRENT OF is not supported', loc);
    case 'MultiAssignRef':
      return unsupported('multiple-column assignment is not supported', loc);
    default:
      if (tag?.startsWith('Json')) return unsupported('SQL/JSON functions are not supported', loc);
      return unsupported(`expression type ${tag ?? 'unknown'} is not supported`, loc);
  }
}
