/**
 * A kNN query's WHERE filter sent to the nodes that hold shards of a sharded vector index,
 * so that each applies it inside its own walk (src/cluster/index-shard-search.ts) and returns
 * its nearest rows that pass it, instead of the asking node asking for many more rows and
 * filtering them itself.
 *
 * The filter travels as SQL text over the table's columns (filter-sql.ts) with its `$n`
 * parameters' values, and the session state functions may read (time zone, statement
 * time). The asking node ships a filter only if binding that text over the table gives back
 * the very expression it planned (`shippableFilter`; each text is bound once and cached):
 * the holder binds the same text with the same code, so both evaluate one predicate. A
 * filter that fails the check is applied on the asking node, as before.
 */
import type { BoundExpr } from '../bind/bound-expr.ts';
import { BIND_EVAL_CONTEXT } from '../bind/coercion.ts';
import { childrenOf } from '../bind/expr-walk.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { Table } from '../catalog/catalog-types.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { compileExpr } from '../exec/compile-expr.ts';
import type { ExecEnv } from '../exec/exec-env.ts';
import { lookupRowIds } from '../exec/index-scan.ts';
import { staticEnv } from '../exec/static-env.ts';
import { findKeyLookup } from '../plan/rules/index-scan-rule.ts';
import type { SelectStmt } from '../sql/ast.ts';
import { parseSql } from '../sql/parser.ts';
import type { EvalContext } from '../types/registry-types.ts';
import { type SqlType, T, type Value } from '../types/type.ts';
import { textIn, textOut } from '../types/value-io.ts';
import { encodeText } from './encode.ts';
import { filterSql } from './filter-sql.ts';
import { EngineSession } from './session.ts';

/** A planned filter in the form other nodes bind. */
export interface ShippableFilter {
  readonly sql: string;
  /** Types of the parameters it uses, by index (others are `unknown`). */
  readonly paramTypes: readonly SqlType[];
  /** The table's columns as the text names them (a holder whose table differs refuses). */
  readonly columns: string;
}

/** What a holder is sent: the filter, its parameters' values and the session state it may read. */
interface ShippedFilter extends ShippableFilter {
  /** The fraction of the table's rows the asking node estimated to pass it. */
  readonly selectivity: number;
  /** Text forms (in BIND_EVAL_CONTEXT) of the parameters the filter uses; null elsewhere. */
  readonly params: readonly (string | null)[];
  readonly ctx: Pick<
    EvalContext,
    'dateStyle' | 'timeZone' | 'extraFloatDigits' | 'statementTimestamp' | 'transactionTimestamp'
  >;
}

/** The filter as other nodes can bind it, or null when they would not bind the same expression. */
export function shippableFilter(filter: BoundExpr, table: Table, catalog: Catalog): ShippableFilter | null {
  // A planned filter is asked about twice per search (whether it ships, then its message),
  // and once per execution of a prepared statement's plan.
  const known = shippable.get(filter);
  if (known !== undefined) return known;
  const result = checkedFilter(filter, table, catalog);
  shippable.set(filter, result);
  return result;
}

/** The answers of shippableFilter by planned filter (a plan is made again when its catalog changes). */
const shippable = new WeakMap<BoundExpr, ShippableFilter | null>();

function checkedFilter(filter: BoundExpr, table: Table, catalog: Catalog): ShippableFilter | null {
  const sql = filterSql(filter, table);
  if (sql === null) return null;
  const paramTypes: SqlType[] = [];
  for (const param of paramsOf(filter)) {
    while (paramTypes.length <= param.index) paramTypes.push(T.unknown);
    paramTypes[param.index] = param.type;
  }
  const candidate = { sql, paramTypes, columns: columnsOf(table) };
  const bound = boundFilter(candidate, table, catalog);
  return bound !== null && sameExpr(bound.expr, filter) ? candidate : null;
}

/** The message a holder gets for `filter` in one execution. */
export function encodeShippedFilter(
  filter: ShippableFilter,
  selectivity: number,
  params: readonly Value[],
  ctx: EvalContext,
): Uint8Array {
  const shipped: ShippedFilter = {
    ...filter,
    selectivity,
    params: filter.paramTypes.map((type, i) =>
      type.base === 'unknown' || params[i] === null || params[i] === undefined
        ? null
        : textOut(type, params[i], BIND_EVAL_CONTEXT),
    ),
    ctx: {
      dateStyle: ctx.dateStyle,
      timeZone: ctx.timeZone,
      extraFloatDigits: ctx.extraFloatDigits,
      statementTimestamp: ctx.statementTimestamp,
      transactionTimestamp: ctx.transactionTimestamp,
    },
  };
  return new TextEncoder().encode(JSON.stringify(shipped));
}

/** A shipped filter on the holder. */
export interface FilterHere {
  passes(row: Value[]): boolean;
  /** The fraction of rows the asking node estimated to pass it. */
  readonly selectivity: number;
  /**
   * When a btree index here gives the filter's key (`tenant_id = $1`, `id IN (…)`): the
   * only rows that can pass it, ascending, whatever their visibility.
   */
  keyedRows(): readonly number[] | null;
}

/**
 * The holder's side: the shipped filter as a predicate over `table`'s rows. Throws 57P03
 * when this node cannot apply it as the asking node meant it — its table is not the one the
 * filter was written for, the text does not bind, a parameter does not read back — so
 * another holder, or in the end the asking node's exact search, answers instead.
 */
export function shippedPredicate(bytes: Uint8Array, table: Table, catalog: Catalog): FilterHere {
  const shipped = JSON.parse(new TextDecoder().decode(bytes)) as ShippedFilter;
  if (shipped.columns !== columnsOf(table)) {
    throw new SqlError(
      SqlState.CannotConnectNow,
      `table "${table.name}" differs from the one the filter names`,
    );
  }
  const bound = boundFilter(shipped, table, catalog);
  if (bound === null) {
    throw new SqlError(SqlState.CannotConnectNow, 'the filter does not bind here');
  }
  const params = shipped.paramTypes.map((type, i) => {
    const text = shipped.params[i];
    if (text === null || text === undefined) return null;
    try {
      return textIn(type, text, BIND_EVAL_CONTEXT);
    } catch (error) {
      if (!(error instanceof SqlError)) throw error;
      throw new SqlError(SqlState.CannotConnectNow, `could not apply the filter here: ${error.message}`);
    }
  });
  const env = { ...staticEnv({ ...BIND_EVAL_CONTEXT, ...shipped.ctx }), params };
  const { predicate } = bound;
  const lookup = findKeyLookup(table, bound.expr)?.lookup ?? null;
  return {
    passes: (row) => predicate(row, env) === true,
    selectivity: shipped.selectivity,
    keyedRows: () => (lookup ? lookupRowIds(lookup, env) : null),
  };
}

interface BoundFilter {
  readonly expr: BoundExpr;
  readonly predicate: (row: Value[], env: ExecEnv) => Value;
}

/**
 * Filters bound from their text, per table, by text, parameter types and the table's
 * columns (null: it does not bind). Both sides bind each text once: a statement planned
 * anew per execution (an unnamed prepared statement) renders the same text, and only the
 * cheap comparison with the planned expression is repeated.
 */
const boundFilters = new WeakMap<Table, Map<string, BoundFilter | null>>();
const BOUND_PER_TABLE = 256;

function boundFilter(filter: ShippableFilter, table: Table, catalog: Catalog): BoundFilter | null {
  let byText = boundFilters.get(table);
  if (!byText) {
    byText = new Map();
    boundFilters.set(table, byText);
  }
  const key = `${filter.columns} ${JSON.stringify(filter.paramTypes)} ${filter.sql}`;
  let bound = byText.get(key);
  if (bound === undefined) {
    try {
      const expr = bindFilter(filter, table, catalog);
      bound = { expr, predicate: compileExpr(expr) };
    } catch {
      bound = null;
    }
    if (byText.size >= BOUND_PER_TABLE) byText.delete(byText.keys().next().value!);
    byText.set(key, bound);
  }
  return bound;
}

/** Binds the filter's text over `table` as a session of its database would. */
function bindFilter(filter: ShippableFilter, table: Table, catalog: Catalog): BoundExpr {
  const parsed = parseSql(`SELECT WHERE ${filter.sql}`);
  const stmt = parsed[0]?.stmt as SelectStmt | undefined;
  if (parsed.length !== 1 || stmt?.kind !== 'Select' || !stmt.where) {
    throw new SqlError(SqlState.SyntaxError, 'a shipped filter must be one WHERE condition');
  }
  return sessionFor(catalog, table.schema.database.name).rowFilter(stmt.where, table, [...filter.paramTypes]);
}

/** A session per catalog and database that binds filters (no client, default settings). */
const sessions = new WeakMap<Catalog, Map<string, EngineSession>>();

function sessionFor(catalog: Catalog, database: string): EngineSession {
  let byDatabase = sessions.get(catalog);
  if (!byDatabase) {
    byDatabase = new Map();
    sessions.set(catalog, byDatabase);
  }
  let session = byDatabase.get(database);
  if (!session) {
    session = new EngineSession({ catalog, serverVersion: '', storage: null }, 'quiver', database, 0, {});
    byDatabase.set(database, session);
  }
  return session;
}

function columnsOf(table: Table): string {
  return JSON.stringify(
    table.columns.map((c) => [c.attnum, c.name, c.type.base, c.type.typmod, c.type.isArray]),
  );
}

function paramsOf(e: BoundExpr): (BoundExpr & { kind: 'Param' })[] {
  if (e.kind === 'Param') return [e];
  return childrenOf(e).flatMap(paramsOf);
}

/**
 * Whether two bound expressions compute the same thing: the same shape, types, constants,
 * columns and parameters, and the same operators and functions (a call is resolved from its
 * name and argument types, so equal names over equal arguments are the same implementation).
 */
export function sameExpr(a: BoundExpr, b: BoundExpr): boolean {
  if (a.kind !== b.kind || !sameType(a.type, b.type)) return false;
  const all = (x: readonly BoundExpr[], y: readonly BoundExpr[]) =>
    x.length === y.length && x.every((e, i) => sameExpr(e, y[i]));
  switch (a.kind) {
    case 'Const': {
      const c = b as typeof a;
      if (a.value === null || c.value === null) return a.value === c.value;
      return (
        encodeText(a.type, a.value, BIND_EVAL_CONTEXT) === encodeText(c.type, c.value, BIND_EVAL_CONTEXT)
      );
    }
    case 'Param':
    case 'Column':
      return a.index === (b as typeof a).index;
    case 'Call': {
      const c = b as typeof a;
      return (
        a.name === c.name &&
        a.isOperator === c.isOperator &&
        a.strict === c.strict &&
        a.volatile === c.volatile &&
        all(a.args, c.args)
      );
    }
    case 'Cast':
      return a.explicit === (b as typeof a).explicit && sameExpr(a.arg, (b as typeof a).arg);
    case 'IsNull':
      return a.not === (b as typeof a).not && sameExpr(a.arg, (b as typeof a).arg);
    case 'BoolTest':
      return a.test === (b as typeof a).test && sameExpr(a.arg, (b as typeof a).arg);
    case 'MinMax':
      return a.op === (b as typeof a).op && all(a.args, (b as typeof a).args);
    case 'QuantifiedArray': {
      const c = b as typeof a;
      return (
        a.quantifier === c.quantifier &&
        a.operator === c.operator &&
        sameExpr(a.arg, c.arg) &&
        sameExpr(a.array, c.array)
      );
    }
    case 'Case': {
      const c = b as typeof a;
      return (
        a.whens.length === c.whens.length &&
        a.whens.every((w, i) => sameExpr(w.when, c.whens[i].when) && sameExpr(w.then, c.whens[i].then)) &&
        (a.else === null ? c.else === null : c.else !== null && sameExpr(a.else, c.else))
      );
    }
    case 'And':
    case 'Or':
    case 'Coalesce':
    case 'ArrayCtor':
    case 'Not':
      return all(childrenOf(a), childrenOf(b));
    default:
      // Never shipped (filter-sql.ts gives no text for them).
      return false;
  }
}

function sameType(a: SqlType, b: SqlType): boolean {
  return a.base === b.base && a.typmod === b.typmod && a.isArray === b.isArray;
}
