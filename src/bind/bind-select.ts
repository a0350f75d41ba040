/**
 * Binds a SELECT (or VALUES, or a set operation) into a logical plan:
 *   FROM → Filter(WHERE) → [Aggregate → Filter(HAVING)] → Project(targets + sort junk)
 *        → Sort → Distinct → Limit → [Project dropping junk]
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { OutputColumn, PlanNode } from '../plan/plan-nodes.ts';
import type { Expr, SelectStmt, SelectTarget, SortItem } from '../sql/ast.ts';
import { compareValues } from '../types/compare.ts';
import { T, type Value } from '../types/type.ts';
import type { BindContext } from './bind-context.ts';
import { bindExpr, type ExprOptions, resolveUnknownToText } from './bind-expr.ts';
import { bindFromItem } from './bind-from.ts';
import { bindSetOp, bindValues } from './bind-set-op.ts';
import { bindWith } from './bind-with.ts';
import type { AggCall, BoundExpr, SortKey, WindowCall } from './bound-expr.ts';
import { coerceBoolean, tryCoerce } from './coercion.ts';
import { exprKey, rewriteOverAggregate } from './expr-utils.ts';
import { outputName } from './output-name.ts';
import { projectWithSets } from './project-set.ts';
import { Scope } from './scope.ts';
import { replaceWindowRefs, rewriteWindowOverAggregate } from './window-refs.ts';

/**
 * `keepUnknownTargets`: leave untyped literals in the select list untyped (the top-level
 * SELECT of INSERT … SELECT, whose columns take the target columns' types, as in PostgreSQL);
 * everywhere else they resolve to text.
 */
export function bindSelect(
  stmt: SelectStmt,
  outer: Scope | null,
  bc: BindContext,
  keepUnknownTargets = false,
): PlanNode {
  const pushed = bindWith(stmt.with, bc, bindSelect);
  try {
    if (stmt.setOp) return bindSetOp(stmt, outer, bc, bindSelect);
    if (stmt.values) return bindValues(stmt, outer, bc, bindSelect);
    return bindSimpleSelect(stmt, outer, bc, keepUnknownTargets);
  } finally {
    if (pushed) bc.ctes.pop();
  }
}

export function subqueryBinder(bc: BindContext) {
  return (query: SelectStmt, outer: Scope | null) => bindSelect(query, outer, bc);
}

function exprOptions(bc: BindContext, aggs: { aggs: AggCall[] } | null, clause: string): ExprOptions {
  return { aggs, clause, bindSubquery: (q, s) => bindSelect(q, s, bc) };
}

/** Expands `*` / `t.*` and binds each select-list entry. */
function bindTargets(
  targets: readonly SelectTarget[],
  scope: Scope,
  bc: BindContext,
  opts: ExprOptions,
  keepUnknown = false,
) {
  const exprs: BoundExpr[] = [];
  const columns: OutputColumn[] = [];
  for (const t of targets) {
    if (t.expr.kind === 'Star') {
      const qualifier = t.expr.qualifier.length > 0 ? t.expr.qualifier[t.expr.qualifier.length - 1] : null;
      const cols = scope.columns.filter(
        (c) => !c.hidden && (qualifier === null || c.qualifier === qualifier),
      );
      if (qualifier !== null && !scope.hasQualifier(qualifier)) {
        throw new SqlError(SqlState.UndefinedTable, `missing FROM-clause entry for table "${qualifier}"`, {
          position: t.expr.loc + 1,
        });
      }
      if (qualifier === null && scope.columns.every((c) => c.systemValue !== undefined)) {
        throw new SqlError(SqlState.SyntaxError, 'SELECT * with no tables specified is not valid', {
          position: t.expr.loc + 1,
        });
      }
      for (const c of cols) {
        exprs.push({ kind: 'Column', type: c.type, index: c.index, name: c.name });
        columns.push({ name: c.name, type: c.type, tableOid: c.tableOid, attnum: c.attnum });
      }
      continue;
    }
    const bound = bindExpr(t.expr, scope, bc, opts);
    const e = keepUnknown ? bound : resolveUnknownToText(bound, bc);
    exprs.push(e);
    const src = e.kind === 'Column' ? scope.columns.find((c) => c.index === e.index) : undefined;
    columns.push({
      name: t.alias ?? outputName(t.expr),
      type: e.type,
      tableOid: src && t.expr.kind === 'ColumnRef' ? src.tableOid : 0,
      attnum: src && t.expr.kind === 'ColumnRef' ? src.attnum : 0,
    });
  }
  return { exprs, columns };
}

function bindFrom(stmt: SelectStmt, outer: Scope | null, bc: BindContext): { plan: PlanNode; scope: Scope } {
  if (stmt.from.length === 0) return { plan: { kind: 'Result', columns: [] }, scope: new Scope([], outer) };
  let item = stmt.from[0];
  for (let i = 1; i < stmt.from.length; i++) {
    item = {
      kind: 'Join',
      type: 'cross',
      left: item,
      right: stmt.from[i],
      on: null,
      using: [],
      natural: false,
      alias: null,
    };
  }
  return bindFromItem(item, outer, bc, subqueryBinder(bc));
}

function limitExpr(e: Expr | null, scope: Scope, bc: BindContext, clause: string): BoundExpr | null {
  if (!e) return null;
  const bound = bindExpr(e, scope, bc, exprOptions(bc, null, clause));
  const out = tryCoerce(bound, T.int8, 'implicit', bc);
  if (!out) {
    throw new SqlError(
      SqlState.DatatypeMismatch,
      `argument of ${clause} must be type bigint, not type ${bound.type.base}`,
      {
        position: e.loc + 1,
      },
    );
  }
  return out;
}

function bindSimpleSelect(
  stmt: SelectStmt,
  outer: Scope | null,
  bc: BindContext,
  keepUnknown: boolean,
): PlanNode {
  const from = bindFrom(stmt, outer, bc);
  let plan = from.plan;
  const scope = from.scope;
  if (stmt.where) {
    const pred = bindExpr(stmt.where, scope, bc, exprOptions(bc, null, 'WHERE'));
    plan = {
      kind: 'Filter',
      input: plan,
      predicate: coerceBoolean(pred, bc, 'WHERE', stmt.where.loc),
      columns: plan.columns,
    };
  }
  const collector: { aggs: AggCall[]; windows: WindowCall[] } = { aggs: [], windows: [] };
  const targets = bindTargets(stmt.targets, scope, bc, exprOptions(bc, collector, 'SELECT'), keepUnknown);
  const groups = stmt.groupBy.map((g) => bindGroupItem(g, stmt, targets.exprs, scope, bc));
  let having = stmt.having
    ? coerceBoolean(
        bindExpr(stmt.having, scope, bc, exprOptions(bc, { aggs: collector.aggs }, 'HAVING')),
        bc,
        'HAVING',
        stmt.having.loc,
      )
    : null;
  const sort = bindSortItems(stmt.orderBy, targets, scope, bc, collector, stmt.distinct !== null);
  const distinctOn =
    stmt.distinct && stmt.distinct.length > 0
      ? stmt.distinct.map((d) => bindSortLike(d, targets, scope, bc, collector))
      : null;

  let exprs = [...targets.exprs, ...sort.junk];
  let distinctExprs = distinctOn;
  if (collector.aggs.length > 0 || groups.length > 0) {
    const keys = groups.map(exprKey);
    const outCols: OutputColumn[] = [
      ...groups.map((g, i) => ({ name: `group${i}`, type: g.type, tableOid: 0, attnum: 0 })),
      ...collector.aggs.map((a) => ({ name: a.name, type: a.type, tableOid: 0, attnum: 0 })),
    ];
    plan = { kind: 'Aggregate', input: plan, groups, aggs: collector.aggs, columns: outCols };
    const rewrite = (e: BoundExpr) => rewriteOverAggregate(e, keys, groups.length);
    try {
      collector.windows = collector.windows.map((w) => rewriteWindowOverAggregate(w, rewrite));
      exprs = exprs.map(rewrite);
      distinctExprs = distinctExprs?.map(rewrite) ?? null;
      having = having ? rewrite(having) : null;
    } catch (err) {
      throw err instanceof SqlError ? err.at(stmt.loc + 1) : err;
    }
    if (having) plan = { kind: 'Filter', input: plan, predicate: having, columns: plan.columns };
  } else if (having) {
    throw new SqlError(SqlState.GroupingError, 'HAVING without aggregates or GROUP BY is not supported');
  }
  if (collector.windows.length > 0) {
    // Window functions run over the (grouped) rows; the select list then reads their outputs.
    const width = plan.columns.length;
    const columns: OutputColumn[] = [
      ...plan.columns,
      ...collector.windows.map((w, i) => ({ name: `window${i}`, type: w.type, tableOid: 0, attnum: 0 })),
    ];
    plan = { kind: 'Window', input: plan, calls: collector.windows, columns };
    const toColumn = (e: BoundExpr) => replaceWindowRefs(e, width);
    exprs = exprs.map(toColumn);
    distinctExprs = distinctExprs?.map(toColumn) ?? null;
  }
  const junkColumns: OutputColumn[] = sort.junk.map((j, i) => ({
    name: `?sort${i}?`,
    type: j.type,
    tableOid: 0,
    attnum: 0,
  }));
  plan = projectWithSets(plan, exprs, [...targets.columns, ...junkColumns]);
  if (sort.keys.length > 0) plan = { kind: 'Sort', input: plan, keys: sort.keys, columns: plan.columns };
  if (stmt.distinct) {
    const onKeys = distinctExprs
      ? distinctExprs.map((d) => projectRef(d, exprs))
      : targets.columns.map((c, i): BoundExpr => ({ kind: 'Column', type: c.type, index: i, name: c.name }));
    // PostgreSQL runs DISTINCT ON as Sort + Unique: without ORDER BY the rows come out in
    // ascending order of the ON keys (clients such as drizzle-kit rely on that order).
    if (distinctExprs && sort.keys.length === 0) {
      const keys = onKeys.map(
        (expr): SortKey => ({
          expr,
          desc: false,
          nullsFirst: false,
          compare: (a: Value, b: Value) => compareValues(expr.type, a, b),
        }),
      );
      plan = { kind: 'Sort', input: plan, keys, columns: plan.columns };
    }
    plan = { kind: 'Distinct', input: plan, onKeys, columns: plan.columns };
  }
  const limit = limitExpr(stmt.limit, scope, bc, 'LIMIT');
  const offset = limitExpr(stmt.offset, scope, bc, 'OFFSET');
  if (limit || offset) plan = { kind: 'Limit', input: plan, limit, offset, columns: plan.columns };
  if (sort.junk.length > 0) {
    const keep = targets.columns.map(
      (c, i): BoundExpr => ({ kind: 'Column', type: c.type, index: i, name: c.name }),
    );
    plan = { kind: 'Project', input: plan, exprs: keep, columns: targets.columns };
  }
  return plan;
}

/** A DISTINCT ON key expressed over the projected row (adds nothing: must match a target). */
function projectRef(e: BoundExpr, exprs: readonly BoundExpr[]): BoundExpr {
  const at = exprs.findIndex((x) => exprKey(x) === exprKey(e));
  if (at < 0) {
    throw new SqlError(
      SqlState.InvalidColumnReference,
      'SELECT DISTINCT ON expressions must match initial ORDER BY expressions',
    );
  }
  return { kind: 'Column', type: e.type, index: at, name: '?distinct?' };
}

function bindGroupItem(
  g: Expr,
  stmt: SelectStmt,
  targets: BoundExpr[],
  scope: Scope,
  bc: BindContext,
): BoundExpr {
  if (g.kind === 'Const' && g.value.type === 'integer') {
    const n = Number(g.value.value);
    if (n < 1 || n > targets.length) {
      throw new SqlError(SqlState.InvalidColumnReference, `GROUP BY position ${n} is not in select list`, {
        position: g.loc + 1,
      });
    }
    return targets[n - 1];
  }
  if (g.kind === 'ColumnRef' && g.names.length === 1 && !scope.lookupLocal(g.names[0], null, g.loc)) {
    const at = stmt.targets.findIndex((t) => t.alias === g.names[0]);
    if (at >= 0) return targets[at];
  }
  return bindExpr(g, scope, bc, exprOptions(bc, null, 'GROUP BY'));
}

function bindSortLike(
  e: Expr,
  targets: { exprs: BoundExpr[]; columns: OutputColumn[] },
  scope: Scope,
  bc: BindContext,
  collector: { aggs: AggCall[] },
): BoundExpr {
  if (e.kind === 'Const' && e.value.type === 'integer') {
    const n = Number(e.value.value);
    if (n < 1 || n > targets.exprs.length) {
      throw new SqlError(SqlState.InvalidColumnReference, `ORDER BY position ${n} is not in select list`, {
        position: e.loc + 1,
      });
    }
    return targets.exprs[n - 1];
  }
  if (e.kind === 'ColumnRef' && e.names.length === 1) {
    const matches = targets.columns.map((c, i) => (c.name === e.names[0] ? i : -1)).filter((i) => i >= 0);
    if (matches.length === 1) return targets.exprs[matches[0]];
    if (
      matches.length > 1 &&
      !matches.every((i) => exprKey(targets.exprs[i]) === exprKey(targets.exprs[matches[0]]))
    ) {
      throw new SqlError(SqlState.AmbiguousColumn, `ORDER BY "${e.names[0]}" is ambiguous`, {
        position: e.loc + 1,
      });
    }
    if (matches.length > 1) return targets.exprs[matches[0]];
  }
  return resolveUnknownToText(bindExpr(e, scope, bc, exprOptions(bc, collector, 'ORDER BY')), bc);
}

function bindSortItems(
  items: readonly SortItem[],
  targets: { exprs: BoundExpr[]; columns: OutputColumn[] },
  scope: Scope,
  bc: BindContext,
  collector: { aggs: AggCall[] },
  distinct: boolean,
): { keys: SortKey[]; junk: BoundExpr[] } {
  const keys: SortKey[] = [];
  const junk: BoundExpr[] = [];
  const targetKeys = targets.exprs.map(exprKey);
  for (const item of items) {
    const e = bindSortLike(item.expr, targets, scope, bc, collector);
    let at = targetKeys.indexOf(exprKey(e));
    if (at < 0) {
      if (distinct) {
        throw new SqlError(
          SqlState.InvalidColumnReference,
          'for SELECT DISTINCT, ORDER BY expressions must appear in select list',
          {
            position: item.expr.loc + 1,
          },
        );
      }
      at = targets.exprs.length + junk.length;
      junk.push(e);
      targetKeys.push(exprKey(e));
    }
    const desc = item.using ? item.using === '>' : item.dir === 'desc';
    const type = e.type;
    keys.push({
      expr: { kind: 'Column', type, index: at, name: '?sort?' },
      desc,
      nullsFirst: item.nulls === 'default' ? desc : item.nulls === 'first',
      compare: (a: Value, b: Value) => compareValues(type, a, b),
    });
  }
  return { keys, junk };
}
