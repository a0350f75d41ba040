/**
 * Binds FROM items (tables, views, WITH references, subqueries, functions, joins) into plan
 * nodes plus the scope of columns they make visible.
 */
import { findSystemRelation } from '../catalog/system-relations.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { OutputColumn, PlanNode } from '../plan/plan-nodes.ts';
import type { Alias, FromItem, SelectStmt } from '../sql/ast.ts';
import { T } from '../types/type.ts';
import type { BindContext } from './bind-context.ts';
import { bindExpr, bindFunctionCall, bindOperator } from './bind-expr.ts';
import type { BoundExpr } from './bound-expr.ts';
import { coerceBoolean } from './coercion.ts';
import { Scope, type ScopeColumn, tableoidColumn } from './scope.ts';

export interface BoundFrom {
  readonly plan: PlanNode;
  readonly scope: Scope;
}

export type SubqueryBinder = (query: SelectStmt, outer: Scope | null) => PlanNode;

function scopeFrom(
  columns: readonly OutputColumn[],
  qualifier: string | null,
  alias: Alias | null,
  parent: Scope | null,
  relationOid?: number,
) {
  const names = alias?.columns ?? [];
  const cols: ScopeColumn[] = columns.map((c, i) => ({
    qualifier,
    name: names[i] ?? c.name,
    type: c.type,
    index: i,
    tableOid: c.tableOid,
    attnum: c.attnum,
    hidden: false,
  }));
  // Tables and catalogs (not subqueries, functions or views) have the system column tableoid.
  if (relationOid !== undefined) cols.push(tableoidColumn(qualifier, relationOid));
  return new Scope(cols, parent);
}

function renameColumns(columns: readonly OutputColumn[], alias: Alias | null): OutputColumn[] {
  const names = alias?.columns ?? [];
  return columns.map((c, i) => ({ ...c, name: names[i] ?? c.name }));
}

export function bindFromItem(
  item: FromItem,
  outer: Scope | null,
  bc: BindContext,
  bindSub: SubqueryBinder,
): BoundFrom {
  const bound = bindItem(item, outer, bc, bindSub);
  if (item.kind === 'Join') return bound;
  // Remember which FROM item each output column came from (EXPLAIN qualifies names with it).
  const qualifier =
    item.alias?.name ??
    (item.kind === 'Table'
      ? item.name.name
      : item.kind === 'Function'
        ? item.func.names[item.func.names.length - 1]
        : '');
  const columns = bound.plan.columns.map((c) => ({ ...c, qualifier }));
  return { plan: { ...bound.plan, columns } as PlanNode, scope: bound.scope };
}

function bindItem(item: FromItem, outer: Scope | null, bc: BindContext, bindSub: SubqueryBinder): BoundFrom {
  switch (item.kind) {
    case 'Table': {
      const { schema, name, loc } = item.name;
      const qualifier = item.alias?.name ?? name;
      if (!schema) {
        for (let i = bc.ctes.length - 1; i >= 0; i--) {
          const cte = bc.ctes[i].get(name);
          if (cte) {
            const columns = renameColumns(cte.columns, item.alias);
            const plan: PlanNode = cte.workTable
              ? { kind: 'WorkTableScan', name, workTable: cte.workTable, columns }
              : { kind: 'CteScan', name, cte, columns };
            return { plan, scope: scopeFrom(columns, qualifier, null, outer) };
          }
        }
      }
      const system = findSystemRelation(schema, name);
      if (system) {
        const columns: OutputColumn[] = system.columns.map((c) => ({
          name: c.name,
          type: c.type,
          tableOid: 0,
          attnum: 0,
        }));
        const plan: PlanNode = {
          kind: 'Rows',
          label: system.name,
          produce: () => system.rows(bc.system),
          columns,
        };
        return { plan, scope: scopeFrom(columns, qualifier, item.alias, outer, system.oid) };
      }
      const table = bc.catalog.findTable(bc.database, schema, name, bc.searchPath);
      if (!table) {
        const shown = schema ? `${schema}.${name}` : name;
        throw new SqlError(SqlState.UndefinedTable, `relation "${shown}" does not exist`, {
          position: loc + 1,
        });
      }
      if (table.view) {
        const plan = bindSub(table.view.query as SelectStmt, null);
        const columns = renameColumns(plan.columns, item.alias);
        return {
          plan: { kind: 'SubqueryScan', input: plan, alias: qualifier, columns },
          scope: scopeFrom(columns, qualifier, null, outer),
        };
      }
      const columns: OutputColumn[] = table.columns.map((c) => ({
        name: c.name,
        type: c.type,
        tableOid: table.oid,
        attnum: c.attnum,
      }));
      const plan: PlanNode = { kind: 'SeqScan', table, alias: qualifier, withRowId: false, columns };
      return { plan, scope: scopeFrom(columns, qualifier, item.alias, outer, table.oid) };
    }
    case 'Subquery': {
      if (!item.alias) {
        throw new SqlError(SqlState.SyntaxError, 'subquery in FROM must have an alias', {
          position: item.loc + 1,
        });
      }
      const plan = bindSub(item.query, outer);
      const columns = renameColumns(plan.columns, item.alias);
      return {
        plan: { kind: 'SubqueryScan', input: plan, alias: item.alias.name, columns },
        scope: scopeFrom(columns, item.alias.name, null, outer),
      };
    }
    case 'Function': {
      // Arguments see only outer queries' columns (LATERAL-free FROM): as outer references.
      const fnScope = new Scope([], outer);
      const call = bindFunctionCall(item.func, fnScope, bc, {
        aggs: null,
        clause: 'FROM clause',
        bindSubquery: (q, s) => bindSub(q, s),
      });
      const fname = item.func.names[item.func.names.length - 1];
      const qualifier = item.alias?.name ?? fname;
      if (call.kind !== 'Call') {
        throw new SqlError(SqlState.FeatureNotSupported, `function ${fname} is not supported in FROM`);
      }
      const def = call.def;
      if (!def)
        throw new SqlError(SqlState.FeatureNotSupported, `function ${fname} is not supported in FROM`);
      const colName = item.alias?.columns[0] ?? item.alias?.name ?? fname;
      const columns: OutputColumn[] = [{ name: colName, type: call.type, tableOid: 0, attnum: 0 }];
      if (item.withOrdinality) {
        columns.push({ name: item.alias?.columns[1] ?? 'ordinality', type: T.int8, tableOid: 0, attnum: 0 });
      }
      const plan: PlanNode = {
        kind: 'FunctionScan',
        def,
        args: call.args,
        argTypes: call.args.map((a) => a.type),
        withOrdinality: item.withOrdinality,
        columns,
      };
      return { plan, scope: scopeFrom(columns, qualifier, null, outer) };
    }
    case 'Join':
      return bindJoin(item, outer, bc, bindSub);
  }
}

function bindJoin(
  item: FromItem & { kind: 'Join' },
  outer: Scope | null,
  bc: BindContext,
  bindSub: SubqueryBinder,
) {
  const left = bindFromItem(item.left, outer, bc, bindSub);
  const lateral = (item.right.kind === 'Subquery' || item.right.kind === 'Function') && item.right.lateral;
  const right = bindFromItem(item.right, lateral ? left.scope : outer, bc, bindSub);
  const offset = left.plan.columns.length;
  const usingNames = item.natural
    ? left.scope.columns
        .filter((c) => c.systemValue === undefined && right.scope.columns.some((r) => r.name === c.name))
        .map((c) => c.name)
    : item.using;
  const rightCols = right.scope.columns.map((c) => ({
    ...c,
    index: c.index + offset,
    hidden: c.hidden || usingNames.includes(c.name),
  }));
  const scope = new Scope([...left.scope.columns, ...rightCols], outer);
  const opts = {
    aggs: null,
    clause: 'JOIN conditions',
    bindSubquery: (q: SelectStmt, s: Scope) => bindSub(q, s),
  };
  let on: BoundExpr | null = null;
  if (usingNames.length > 0) {
    const conds = usingNames.map((name) => {
      const l = left.scope.lookupLocal(name, null, -1);
      const r = right.scope.lookupLocal(name, null, -1);
      if (!l || !r) {
        throw new SqlError(
          SqlState.UndefinedColumn,
          `column "${name}" specified in USING clause does not exist in ${l ? 'right' : 'left'} table`,
        );
      }
      return bindOperator(
        '=',
        { kind: 'Column', type: l.type, index: l.index, name },
        { kind: 'Column', type: r.type, index: r.index + offset, name },
        bc,
        -1,
      );
    });
    on = conds.length === 1 ? conds[0] : { kind: 'And', type: T.bool, args: conds };
  } else if (item.on) {
    on = coerceBoolean(bindExpr(item.on, scope, bc, opts), bc, 'JOIN/ON', item.on.loc);
  }
  const columns = [...left.plan.columns, ...right.plan.columns];
  const type = item.type === 'cross' && on ? 'inner' : item.type;
  const plan: PlanNode = {
    kind: 'Join',
    type,
    left: left.plan,
    right: right.plan,
    on,
    lateral,
    hashKeys: null,
    columns,
  };
  return { plan, scope };
}
