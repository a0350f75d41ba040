/**
 * Binds INSERT, UPDATE and DELETE into DML plans: the rows to write (as a plan), the
 * per-column assignment expressions with their coercions, ON CONFLICT and RETURNING.
 */
import type { Column, Table } from '../catalog/catalog-types.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { OutputColumn, PlanNode } from '../plan/plan-nodes.ts';
import type {
  DeleteStmt,
  Expr,
  InsertStmt,
  OnConflict,
  QualifiedName,
  SelectTarget,
  UpdateStmt,
} from '../sql/ast.ts';
import type { SqlType } from '../types/type.ts';
import type { BindContext } from './bind-context.ts';
import { bindExpr, type ExprOptions, resolveUnknownToText } from './bind-expr.ts';
import { bindSelect } from './bind-select.ts';
import type { BoundExpr } from './bound-expr.ts';
import { coerceAssignment, coerceBoolean } from './coercion.ts';
import { exprKey } from './expr-utils.ts';
import { conjuncts } from './expr-walk.ts';
import { outputName } from './output-name.ts';
import { Scope, type ScopeColumn } from './scope.ts';

/** Stands for DEFAULT in an INSERT row; replaced by the column default when writing. */
export const DEFAULT_VALUE = Symbol('DEFAULT');

export interface Returning {
  readonly exprs: readonly BoundExpr[];
  readonly columns: readonly OutputColumn[];
}

export interface InsertPlan {
  readonly kind: 'Insert';
  readonly table: Table;
  /** Table column positions the source rows provide, in source order. */
  readonly targets: readonly number[];
  readonly source: PlanNode;
  /** Default value expression per table column (null = NULL default, no sequence). */
  readonly defaults: readonly (BoundExpr | null)[];
  readonly onConflict: {
    readonly action: 'nothing' | 'update';
    /** Which unique indexes define a conflict (the arbiters). */
    readonly arbiters: ArbiterSpec;
    /** SET assignments, over [existing row ++ excluded row]. */
    readonly sets: readonly { readonly column: number; readonly expr: BoundExpr }[];
    readonly where: BoundExpr | null;
  } | null;
  readonly returning: Returning | null;
}

export interface UpdatePlan {
  readonly kind: 'Update';
  readonly table: Table;
  /** Rows: table columns then the row id. */
  readonly scan: PlanNode;
  readonly sets: readonly { readonly column: number; readonly expr: BoundExpr }[];
  readonly returning: Returning | null;
}

export interface DeletePlan {
  readonly kind: 'Delete';
  readonly table: Table;
  readonly scan: PlanNode;
  readonly returning: Returning | null;
}

export type DmlPlan = InsertPlan | UpdatePlan | DeletePlan;

function opts(bc: BindContext, clause: string): ExprOptions {
  return { aggs: null, clause, bindSubquery: (q, s) => bindSelect(q, s, bc) };
}

export function lookupTable(name: QualifiedName, bc: BindContext): Table {
  const table = bc.catalog.findTable(bc.database, name.schema, name.name, bc.searchPath);
  if (!table) {
    const shown = name.schema ? `${name.schema}.${name.name}` : name.name;
    throw new SqlError(SqlState.UndefinedTable, `relation "${shown}" does not exist`, {
      position: name.loc + 1,
    });
  }
  if (table.view) {
    throw new SqlError(SqlState.FeatureNotSupported, `cannot change view "${table.name}"`);
  }
  return table;
}

/** A table's columns as scope entries, at row positions starting from `offset`. */
export function tableScope(table: Table, qualifier: string, offset = 0): ScopeColumn[] {
  return table.columns.map((c, i) => ({
    qualifier,
    name: c.name,
    type: c.type,
    index: i + offset,
    tableOid: table.oid,
    attnum: c.attnum,
    hidden: false,
  }));
}

/**
 * Binds an expression over one table's row (an index expression, a kNN filter another node
 * shipped): its columns by name, no subqueries (`noSubquery` is the error's message).
 */
export function bindOverTable(
  expr: Expr,
  table: Table,
  bc: BindContext,
  clause: string,
  noSubquery: string,
): BoundExpr {
  return bindExpr(expr, new Scope(tableScope(table, table.name)), bc, {
    aggs: null,
    clause,
    bindSubquery: () => {
      throw new SqlError(SqlState.FeatureNotSupported, noSubquery);
    },
  });
}

function columnIndex(table: Table, name: string, loc: number): number {
  const at = table.columns.findIndex((c) => c.name === name);
  if (at < 0) {
    throw new SqlError(
      SqlState.UndefinedColumn,
      `column "${name}" of relation "${table.name}" does not exist`,
      {
        position: loc + 1,
      },
    );
  }
  return at;
}

export function bindDefault(column: Column, bc: BindContext): BoundExpr | null {
  if (column.sequence) {
    const next = bc.sessionFunctions.resolve(
      'nextval',
      [{ kind: 'Const', type: { base: 'regclass', typmod: -1, isArray: false }, value: column.sequence.oid }],
      bc,
      -1,
    )!;
    // nextval is bigint; a serial (int4) or smallserial column stores its own type's value.
    return coerceAssignment(next, column.type, bc, column.name, -1);
  }
  if (!column.default) return null;
  const e = bindExpr(column.default, new Scope([]), bc, opts(bc, 'DEFAULT expressions'));
  return coerceAssignment(e, column.type, bc, column.name, column.default.loc);
}

function bindReturning(targets: readonly SelectTarget[], scope: Scope, bc: BindContext): Returning | null {
  if (targets.length === 0) return null;
  const exprs: BoundExpr[] = [];
  const columns: OutputColumn[] = [];
  for (const t of targets) {
    if (t.expr.kind === 'Star') {
      for (const c of scope.columns) {
        if (c.hidden) continue;
        exprs.push({ kind: 'Column', type: c.type, index: c.index, name: c.name });
        columns.push({ name: c.name, type: c.type, tableOid: c.tableOid, attnum: c.attnum });
      }
      continue;
    }
    const e = resolveUnknownToText(bindExpr(t.expr, scope, bc, opts(bc, 'RETURNING')), bc);
    exprs.push(e);
    columns.push({ name: t.alias ?? outputName(t.expr), type: e.type, tableOid: 0, attnum: 0 });
  }
  return { exprs, columns };
}

function coerceSource(e: Expr, bound: BoundExpr, column: Column, bc: BindContext): BoundExpr {
  if (e.kind === 'Default') return { kind: 'Const', type: column.type, value: DEFAULT_VALUE };
  return coerceAssignment(bound, column.type, bc, column.name, e.loc);
}

export function bindInsert(stmt: InsertStmt, bc: BindContext): InsertPlan {
  if (stmt.with) throw new SqlError(SqlState.FeatureNotSupported, 'WITH in INSERT is not supported');
  const table = lookupTable(stmt.table, bc);
  const targets =
    stmt.columns.length > 0
      ? stmt.columns.map((c) => columnIndex(table, c.name, c.loc))
      : table.columns.map((_, i) => i);
  const seen = new Set<number>();
  stmt.columns.forEach((c, i) => {
    if (seen.has(targets[i])) {
      throw new SqlError(SqlState.DuplicateColumn, `column "${c.name}" specified more than once`, {
        position: c.loc + 1,
      });
    }
    seen.add(targets[i]);
  });
  let source: PlanNode;
  const targetCols = targets.map((t) => table.columns[t]);
  const empty = new Scope([]);
  if (!stmt.source) {
    source = {
      kind: 'Values',
      rows: [targets.map((t) => ({ kind: 'Const', type: table.columns[t].type, value: DEFAULT_VALUE }))],
      columns: [],
    };
  } else if (
    stmt.source.values &&
    !stmt.source.setOp &&
    stmt.source.orderBy.length === 0 &&
    !stmt.source.limit
  ) {
    const valuesOptions = opts(bc, 'VALUES');
    const rows = stmt.source.values.map((row) => {
      if (row.length > targets.length) {
        throw new SqlError(SqlState.SyntaxError, 'INSERT has more expressions than target columns', {
          position: row[targets.length].loc + 1,
        });
      }
      return row.map((e, i) =>
        coerceSource(
          e,
          e.kind === 'Default' ? (null as never) : bindExpr(e, empty, bc, valuesOptions),
          targetCols[i],
          bc,
        ),
      );
    });
    const width = rows[0]?.length ?? 0;
    if (width < targets.length && stmt.columns.length > 0) {
      throw new SqlError(SqlState.SyntaxError, 'INSERT has more target columns than expressions', {
        position: stmt.columns[width].loc + 1,
      });
    }
    source = {
      kind: 'Values',
      rows,
      columns: rows[0].map((e, i) => ({ name: `column${i + 1}`, type: e.type, tableOid: 0, attnum: 0 })),
    };
  } else {
    const plan = bindSelect(stmt.source, null, bc, true);
    if (plan.columns.length > targets.length) {
      throw new SqlError(SqlState.SyntaxError, 'INSERT has more expressions than target columns');
    }
    const exprs = plan.columns.map((c, i) =>
      coerceAssignment(
        { kind: 'Column', type: c.type, index: i, name: c.name },
        targetCols[i].type,
        bc,
        targetCols[i].name,
        stmt.loc,
      ),
    );
    source = { kind: 'Project', input: plan, exprs, columns: plan.columns };
  }
  const defaults = table.columns.map((c) => bindDefault(c, bc));
  const scope = new Scope(tableScope(table, stmt.alias ?? table.name));
  let onConflict: InsertPlan['onConflict'] = null;
  if (stmt.onConflict) {
    const oc = stmt.onConflict;
    const arbiters = bindArbiters(oc, table, bc);
    if (oc.action === 'update' && arbiters.kind === 'any') {
      throw new SqlError(
        SqlState.SyntaxError,
        'ON CONFLICT DO UPDATE requires inference specification or constraint name',
        {
          hint: 'For example, ON CONFLICT (column_name).',
        },
      );
    }
    const excluded = tableScope(table, 'excluded', table.columns.length);
    const both = new Scope([...tableScope(table, stmt.alias ?? table.name), ...excluded]);
    const sets = oc.set.map((s) => {
      const column = columnIndex(table, s.column, s.loc);
      const col = table.columns[column];
      const e =
        s.expr.kind === 'Default'
          ? (defaults[column] ?? { kind: 'Const' as const, type: col.type, value: null })
          : coerceAssignment(bindExpr(s.expr, both, bc, opts(bc, 'UPDATE')), col.type, bc, col.name, s.loc);
      return { column, expr: e };
    });
    const where = oc.where
      ? coerceBoolean(bindExpr(oc.where, both, bc, opts(bc, 'WHERE')), bc, 'WHERE', oc.where.loc)
      : null;
    onConflict = { action: oc.action, arbiters, sets, where };
  }
  return {
    kind: 'Insert',
    table,
    targets,
    source,
    defaults,
    onConflict,
    returning: bindReturning(stmt.returning, scope, bc),
  };
}

/**
 * ON CONFLICT's arbiter indexes, as PostgreSQL infers them: a named constraint's index; the
 * unique indexes whose keys are exactly the target's columns and expressions (a partial one
 * only when the target's WHERE implies its own: has each of its conjuncts); or, with no
 * target, every unique index.
 */
export type ArbiterSpec =
  | { readonly kind: 'any' }
  | { readonly kind: 'constraint'; readonly name: string }
  | {
      readonly kind: 'keys';
      readonly columns: readonly number[];
      /** exprKey of each target expression. */
      readonly exprKeys: readonly string[];
      /** exprKey of each conjunct of the target's WHERE, null without one. */
      readonly whereKeys: readonly string[] | null;
    };

function bindArbiters(oc: OnConflict, table: Table, bc: BindContext): ArbiterSpec {
  if (oc.constraint !== null) {
    if (!table.indexes.some((ix) => ix.constraint === oc.constraint)) {
      throw new SqlError(
        SqlState.UndefinedObject,
        `constraint "${oc.constraint}" for table "${table.name}" does not exist`,
      );
    }
    return { kind: 'constraint', name: oc.constraint };
  }
  if (oc.columns.length === 0 && oc.exprs.length === 0) return { kind: 'any' };
  const columns = oc.columns.map((name) => {
    const at = table.columns.findIndex((c) => c.name === name);
    if (at < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${name}" does not exist`);
    return at;
  });
  const overTable = (e: Expr) =>
    bindOverTable(e, table, bc, 'index expressions', 'cannot use subquery in index expression');
  const exprKeys = oc.exprs.map((e) => exprKey(overTable(e)));
  const where = oc.inferWhere
    ? coerceBoolean(
        bindOverTable(oc.inferWhere, table, bc, 'index predicates', 'cannot use subquery in index predicate'),
        bc,
        'WHERE',
        oc.inferWhere.loc,
      )
    : null;
  return { kind: 'keys', columns, exprKeys, whereKeys: where ? conjuncts(where).map(exprKey) : null };
}

function bindScan(
  table: Table,
  alias: string | null,
  where: Expr | null,
  bc: BindContext,
): { scan: PlanNode; scope: Scope } {
  const qualifier = alias ?? table.name;
  const cols = tableScope(table, qualifier);
  const columns: OutputColumn[] = [
    ...table.columns.map((c) => ({
      name: c.name,
      type: c.type as SqlType,
      tableOid: table.oid,
      attnum: c.attnum,
    })),
    { name: 'ctid', type: { base: 'int8', typmod: -1, isArray: false }, tableOid: 0, attnum: 0 },
  ];
  const scope = new Scope(cols);
  let scan: PlanNode = { kind: 'SeqScan', table, alias: qualifier, withRowId: true, columns };
  if (where) {
    const pred = coerceBoolean(bindExpr(where, scope, bc, opts(bc, 'WHERE')), bc, 'WHERE', where.loc);
    scan = { kind: 'Filter', input: scan, predicate: pred, columns };
  }
  return { scan, scope };
}

export function bindUpdate(stmt: UpdateStmt, bc: BindContext): UpdatePlan {
  if (stmt.with || stmt.from.length > 0) {
    throw new SqlError(SqlState.FeatureNotSupported, 'UPDATE with WITH or FROM is not supported');
  }
  const table = lookupTable(stmt.table, bc);
  const { scan, scope } = bindScan(table, stmt.alias, stmt.where, bc);
  const sets = stmt.set.map((s) => {
    const column = columnIndex(table, s.column, s.loc);
    const col = table.columns[column];
    const expr =
      s.expr.kind === 'Default'
        ? (bindDefault(col, bc) ?? { kind: 'Const' as const, type: col.type, value: null })
        : coerceAssignment(
            bindExpr(s.expr, scope, bc, opts(bc, 'UPDATE')),
            col.type,
            bc,
            col.name,
            s.expr.loc,
          );
    return { column, expr };
  });
  return { kind: 'Update', table, scan, sets, returning: bindReturning(stmt.returning, scope, bc) };
}

export function bindDelete(stmt: DeleteStmt, bc: BindContext): DeletePlan {
  if (stmt.with || stmt.using.length > 0) {
    throw new SqlError(SqlState.FeatureNotSupported, 'DELETE with WITH or USING is not supported');
  }
  const table = lookupTable(stmt.table, bc);
  const { scan, scope } = bindScan(table, stmt.alias, stmt.where, bc);
  return { kind: 'Delete', table, scan, returning: bindReturning(stmt.returning, scope, bc) };
}
