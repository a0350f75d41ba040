/**
 * Binds VALUES lists and UNION/INTERSECT/EXCEPT: columns are coerced to a common type per
 * position (PostgreSQL's select_common_type), then ORDER BY/LIMIT apply to the result.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { OutputColumn, PlanNode } from '../plan/plan-nodes.ts';
import type { SelectStmt } from '../sql/ast.ts';
import { compareValues } from '../types/compare.ts';
import { T, type Value } from '../types/type.ts';
import type { BindContext } from './bind-context.ts';
import { bindExpr } from './bind-expr.ts';
import type { BoundExpr, SortKey } from './bound-expr.ts';
import { commonType, tryCoerce } from './coercion.ts';
import { Scope } from './scope.ts';

type SelectBinder = (stmt: SelectStmt, outer: Scope | null, bc: BindContext) => PlanNode;

function coerceColumn(e: BoundExpr, type: OutputColumn['type'], bc: BindContext, what: string): BoundExpr {
  const out = tryCoerce(e, type, 'implicit', bc);
  if (!out) {
    throw new SqlError(
      SqlState.DatatypeMismatch,
      `${what} types ${e.type.base} and ${type.base} cannot be matched`,
    );
  }
  return out;
}

export function bindValues(
  stmt: SelectStmt,
  outer: Scope | null,
  bc: BindContext,
  bindSelect: SelectBinder,
): PlanNode {
  const scope = new Scope([], outer);
  const opts = {
    aggs: null,
    clause: 'VALUES',
    bindSubquery: (q: SelectStmt, s: Scope) => bindSelect(q, s, bc),
  };
  const rows = stmt.values!.map((row) => row.map((e) => bindExpr(e, scope, bc, opts)));
  const width = rows[0].length;
  if (rows.some((r) => r.length !== width)) {
    throw new SqlError(SqlState.SyntaxError, 'VALUES lists must all be the same length', {
      position: stmt.loc + 1,
    });
  }
  const types = Array.from({ length: width }, (_, c) =>
    commonType(
      rows.map((r) => r[c]),
      'VALUES',
      stmt.loc,
    ),
  );
  const coerced = rows.map((r) => r.map((e, c) => coerceColumn(e, types[c], bc, 'VALUES')));
  const columns = types.map((type, i) => ({ name: `column${i + 1}`, type, tableOid: 0, attnum: 0 }));
  const plan: PlanNode = { kind: 'Values', rows: coerced, columns };
  return finishSetResult(stmt, plan, bc, bindSelect);
}

function castProject(plan: PlanNode, types: readonly OutputColumn['type'][], bc: BindContext): PlanNode {
  if (plan.columns.every((c, i) => c.type === types[i])) return plan;
  const exprs = plan.columns.map((c, i) =>
    coerceColumn({ kind: 'Column', type: c.type, index: i, name: c.name }, types[i], bc, 'UNION'),
  );
  return {
    kind: 'Project',
    input: plan,
    exprs,
    columns: plan.columns.map((c, i) => ({ ...c, type: types[i] })),
  };
}

export function bindSetOp(
  stmt: SelectStmt,
  outer: Scope | null,
  bc: BindContext,
  bindSelect: SelectBinder,
): PlanNode {
  const op = stmt.setOp!;
  const left = bindSelect(op.left, outer, bc);
  const right = bindSelect(op.right, outer, bc);
  const name = op.op.toUpperCase();
  if (left.columns.length !== right.columns.length) {
    throw new SqlError(SqlState.SyntaxError, `each ${name} query must have the same number of columns`);
  }
  const types = left.columns.map((c, i) => {
    const pair: BoundExpr[] = [
      { kind: 'Column', type: c.type, index: i, name: c.name },
      { kind: 'Column', type: right.columns[i].type, index: i, name: c.name },
    ];
    const t = commonType(pair, name, stmt.loc);
    return t.base === 'unknown' ? T.text : t;
  });
  const columns = left.columns.map((c, i) => ({ name: c.name, type: types[i], tableOid: 0, attnum: 0 }));
  const plan: PlanNode = {
    kind: 'SetOp',
    op: op.op,
    all: op.all,
    left: castProject(left, types, bc),
    right: castProject(right, types, bc),
    columns,
  };
  return finishSetResult(stmt, plan, bc, bindSelect);
}

/** ORDER BY (output names or positions only) and LIMIT/OFFSET over a VALUES or set-op result. */
function finishSetResult(
  stmt: SelectStmt,
  input: PlanNode,
  bc: BindContext,
  bindSelect: SelectBinder,
): PlanNode {
  let plan = input;
  if (stmt.orderBy.length > 0) {
    const keys: SortKey[] = stmt.orderBy.map((item) => {
      let at = -1;
      if (item.expr.kind === 'Const' && item.expr.value.type === 'integer')
        at = Number(item.expr.value.value) - 1;
      else if (item.expr.kind === 'ColumnRef' && item.expr.names.length === 1) {
        const name = item.expr.names[0];
        at = plan.columns.findIndex((c) => c.name === name);
      }
      if (at < 0 || at >= plan.columns.length) {
        throw new SqlError(SqlState.FeatureNotSupported, 'invalid UNION/INTERSECT/EXCEPT ORDER BY clause', {
          position: item.expr.loc + 1,
          detail: 'Only result column names can be used, not expressions or functions.',
        });
      }
      const type = plan.columns[at].type;
      const desc = item.dir === 'desc';
      return {
        expr: { kind: 'Column', type, index: at, name: plan.columns[at].name },
        desc,
        nullsFirst: item.nulls === 'default' ? desc : item.nulls === 'first',
        compare: (a: Value, b: Value) => compareValues(type, a, b),
      };
    });
    plan = { kind: 'Sort', input: plan, keys, columns: plan.columns };
  }
  if (stmt.limit || stmt.offset) {
    const scope = new Scope([]);
    const opts = {
      aggs: null,
      clause: 'LIMIT',
      bindSubquery: (q: SelectStmt, s: Scope) => bindSelect(q, s, bc),
    };
    const toInt8 = (e: BoundExpr | null) => (e ? (tryCoerce(e, T.int8, 'implicit', bc) ?? e) : null);
    const limit = toInt8(stmt.limit ? bindExpr(stmt.limit, scope, bc, opts) : null);
    const offset = toInt8(stmt.offset ? bindExpr(stmt.offset, scope, bc, opts) : null);
    plan = { kind: 'Limit', input: plan, limit, offset, columns: plan.columns };
  }
  return plan;
}
