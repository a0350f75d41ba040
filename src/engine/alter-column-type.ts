/**
 * ALTER TABLE … ALTER COLUMN c TYPE t [USING expr]. The table is rewritten the way an UPDATE
 * of every row would be: each visible row version is deleted and a converted copy inserted
 * by the ALTER's transaction. So ROLLBACK, the WAL record, recovery and read replicas need
 * nothing new — they already handle updates. The altered column stores its values under a
 * fresh attnum (Column.storedAs), so versions written before — sealed in segments or in
 * older WAL records — never have their old-type values read as the new type (they read as
 * null, and all of them are dead once the ALTER commits). Indexes that use the column are
 * built again over the new values; the others are kept and take the new versions as an
 * UPDATE's would. Several columns changed by one statement are converted in one pass, each
 * USING seeing the row as it was.
 */
import { bindDefault, bindOverTable } from '../bind/bind-dml.ts';
import type { BoundExpr } from '../bind/bound-expr.ts';
import { tryCoerce, typeDisplayName } from '../bind/coercion.ts';
import { resolveTypeName } from '../bind/resolve-type-name.ts';
import type { Column, IndexDef, Table } from '../catalog/catalog-types.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { compileExpr } from '../exec/compile-expr.ts';
import { deleteRow, writeRow } from '../exec/table-writer.ts';
import type { Expr, TypeNameAst } from '../sql/ast.ts';
import { storedAttnum } from '../storage/sealed-rows.ts';
import type { SqlType, Value } from '../types/type.ts';
import { rebindChecks } from './check-constraints.ts';
import { buildIndex, checkIndexDimensions, type IndexBuildContext, vectorOpclass } from './ddl-index.ts';
import { checkKeyTypes } from './foreign-key-ddl.ts';
import { indexUsesColumn, reboundIndex, refersToColumn, someAstNode } from './index-expressions.ts';
import type { RunContext } from './statement-runner.ts';

export interface ColumnTypeChange {
  readonly name: string;
  readonly newType: TypeNameAst;
  readonly using: Expr | null;
}

/** One column's change, bound against the table as it is before the statement. */
interface BoundChange {
  readonly column: Column;
  readonly at: number;
  readonly type: SqlType;
  readonly convert: (row: Value[]) => Value;
}

/** PostgreSQL 15 attnums stop at 1600: stored attnums above it never meet a catalog one. */
const MAX_ATTNUM = 1600;

export function alterColumnTypes(table: Table, changes: readonly ColumnTypeChange[], rc: RunContext): void {
  const bound = changes.map((change) => bindChange(table, change, rc));
  for (const change of bound) refuseViewsUsing(table, change.column, rc);
  const affected = table.indexes.filter((ix) =>
    bound.some((change) => indexUsesColumn(ix, change.at, change.column.name)),
  );
  for (const ix of affected) checkVectorIndexStillFits(ix, bound);
  const newType = (t: Table, column: Column) =>
    t === table ? bound.find((change) => change.column === column)?.type : undefined;
  for (const fk of [...table.foreignKeys, ...table.referencedBy]) checkKeyTypes(fk, newType);

  const store = table.store;
  const txn = rc.env.txn;
  // Converted copies of the visible rows, made before anything changes: a failed conversion
  // leaves the table as it was.
  const rewritten = new Map<number, Value[]>();
  for (const rowId of store.visibleRowIds(txn)) {
    const row = store.row(rowId);
    const copy = row.slice();
    for (const change of bound) copy[change.at] = change.convert(row);
    rewritten.set(rowId, copy);
  }
  for (const change of bound) {
    if (!change.column.notNull) continue;
    for (const row of rewritten.values()) {
      if (row[change.at] === null) {
        throw new SqlError(
          SqlState.NotNullViolation,
          `column "${change.column.name}" of relation "${table.name}" contains null values`,
          { schema: table.schema.name, table: table.name, column: change.column.name },
        );
      }
    }
  }

  const d = rc.ddl;
  const quiet: IndexBuildContext = { ...d, notice: () => undefined };
  const oldColumns = [...table.columns];
  const oldValues: [row: Value[], values: Value[]][] = [];
  const rebuilt: IndexDef[] = [];
  // Registered first: whatever part of the rewrite happened is put back (after the
  // transaction's own row versions were rolled back).
  d.onUndo(() => {
    for (const ix of rebuilt) d.catalog.dropIndex(ix);
    table.columns.splice(0, table.columns.length, ...oldColumns);
    for (const [row, values] of oldValues) bound.forEach((change, i) => (row[change.at] = values[i]));
    for (const ix of affected) {
      d.catalog.addIndex(ix);
      buildIndex(ix, quiet);
    }
  });
  for (const ix of affected) d.catalog.dropIndex(ix);
  let stored = Math.max(MAX_ATTNUM, ...table.columns.map(storedAttnum));
  for (const change of bound) {
    table.columns[change.at] = { ...change.column, type: change.type, storedAs: ++stored, missing: null };
  }
  // Versions held in memory keep their array (positional, now read with the new types).
  // The old versions of rewritten rows hold null, like sealed ones: they are deleted, and
  // an index built before COMMIT must not count their keys next to the new versions'.
  // Others (dead, or another transaction's) take the conversion when it works, else null.
  for (let rowId = 0; rowId < store.capacity; rowId++) {
    const row = store.inMemoryRow(rowId);
    if (!row || row.length === 0) continue;
    const converted = rewritten.has(rowId) ? null : bound.map((change) => convertOrNull(change, row));
    const values = bound.map((change, i) => {
      const old = row[change.at];
      row[change.at] = converted?.[i] ?? null;
      return old;
    });
    oldValues.push([row, values]);
  }
  // CHECK constraints are bound again over the new types and tested against every rewritten
  // row (a failure is PostgreSQL's "violated by some row", not a new row's violation).
  const undoChecks = rebindChecks(table, () => true, d, rewritten.values());
  d.onUndo(undoChecks);
  for (const rowId of rewritten.keys()) deleteRow(table, rowId, txn);
  for (const row of rewritten.values()) writeRow(table, row, { txn, ctx: d.ctx, checks: false });
  for (const ix of affected) {
    const next = rebound(ix, d);
    buildIndex(next, quiet);
    d.catalog.addIndex(next);
    rebuilt.push(next);
  }
}

function bindChange(table: Table, change: ColumnTypeChange, rc: RunContext): BoundChange {
  const bc = rc.bc;
  const at = table.columns.findIndex((c) => c.name === change.name);
  if (at < 0) {
    throw new SqlError(
      SqlState.UndefinedColumn,
      `column "${change.name}" of relation "${table.name}" does not exist`,
    );
  }
  const column = table.columns[at];
  const type = resolveTypeName(change.newType, bc);
  const source: BoundExpr = change.using
    ? bindOverTable(
        change.using,
        table,
        bc,
        'transform expressions',
        'cannot use subquery in transform expression',
      )
    : { kind: 'Column', type: column.type, index: at, name: column.name };
  const coerced = tryCoerce(source, type, 'assignment', bc);
  if (!coerced) {
    throw new SqlError(
      SqlState.DatatypeMismatch,
      change.using
        ? `result of USING clause for column "${column.name}" cannot be cast automatically to type ${typeDisplayName(type)}`
        : `column "${column.name}" cannot be cast automatically to type ${typeDisplayName(type)}`,
      {
        hint: change.using
          ? 'You might need to add an explicit cast.'
          : `You might need to specify "USING ${column.name}::${typeDisplayName(type, true)}".`,
      },
    );
  }
  // The default stays as written and is coerced at each INSERT; it must be able to be.
  const defaultExpr = bindDefault(column, bc);
  if (defaultExpr && !tryCoerce(defaultExpr, type, 'assignment', bc)) {
    throw new SqlError(
      SqlState.DatatypeMismatch,
      `default for column "${column.name}" cannot be cast automatically to type ${typeDisplayName(type)}`,
    );
  }
  const compiled = compileExpr(coerced);
  return { column, at, type, convert: (row) => compiled(row, rc.env) };
}

function convertOrNull(change: BoundChange, row: Value[]): Value {
  try {
    return change.convert(row);
  } catch {
    return null;
  }
}

/**
 * A vector index over the column must accept its new type (as PostgreSQL re-creating the
 * index checks the operator class). Sharded indexes are built by the cluster nodes: not here.
 */
function checkVectorIndexStillFits(ix: IndexDef, changes: readonly BoundChange[]): void {
  if (ix.method === 'btree' || ix.method === 'gin') return;
  if ((ix.options.shards ?? 1) > 1) {
    throw new SqlError(
      SqlState.FeatureNotSupported,
      `cannot alter type of a column used by sharded index "${ix.name}"`,
    );
  }
  const change = changes.find((c) => ix.columns[0] === c.at);
  if (!change) return;
  vectorOpclass(ix.method, ix.opclasses[0], change.type);
  checkIndexDimensions(ix.method, change.type);
}

/**
 * `ix` over the table's columns with their new types (expression and WHERE bound again).
 * It is a new index, with a new OID, as in PostgreSQL: a vector index file stored for the
 * old one must not be taken for it by recovery or a read replica.
 */
function rebound(ix: IndexDef, d: RunContext['ddl']): IndexDef {
  return { ...reboundIndex(ix, ix.columns, d.bc, d.ctx), oid: d.catalog.allocateOid() };
}

/**
 * PostgreSQL refuses to change a column a view reads. Views are kept as their query, so
 * this looks for one that names the table and the column (or `*`).
 */
function refuseViewsUsing(table: Table, column: Column, rc: RunContext): void {
  for (const view of rc.bc.catalog.tables()) {
    if (!view.view) continue;
    const query = view.view.query;
    if (!namesTable(query, table.name)) continue;
    if (!refersToColumn(query, column.name) && !hasStar(query)) continue;
    throw new SqlError(SqlState.FeatureNotSupported, 'cannot alter type of a column used by a view or rule', {
      detail: `rule _RETURN on view ${view.name} depends on column "${column.name}"`,
    });
  }
}

function namesTable(node: unknown, name: string): boolean {
  return someAstNode(node, (n) => n.kind === 'Table' && (n.name as { name: string }).name === name);
}

function hasStar(node: unknown): boolean {
  return someAstNode(node, (n) => n.kind === 'Star');
}
