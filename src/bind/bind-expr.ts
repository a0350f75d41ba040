/**
 * Binds AST expressions: resolves names against scopes, types literals, resolves operators
 * and functions (src/types/resolve.ts) and inserts coercions.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { ConstValue, Expr, FuncExpr } from '../sql/ast.ts';
import { compareValues } from '../types/compare.ts';
import { aggregatesNamed } from '../types/registry.ts';
import { resolveAggregate, resolveFunction, resolveOperator } from '../types/resolve.ts';
import { arrayOf, elementOf, type SqlType, sqlType, T, type Value } from '../types/type.ts';
import type { BindContext } from './bind-context.ts';
import { bindSpecialExpr } from './bind-special-expr.ts';
import { bindWindowCall } from './bind-window.ts';
import type { AggCall, BoundExpr } from './bound-expr.ts';
import { coerceBoolean, coerceExplicit, isUnknown, tryCoerce, typeDisplayName } from './coercion.ts';
import { resolveTypeName } from './resolve-type-name.ts';
import type { Scope } from './scope.ts';

/** Collects aggregate calls while binding a select list / HAVING / ORDER BY. */
export interface AggCollector {
  readonly aggs: AggCall[];
}

export interface ExprOptions {
  /** Where aggregates may appear; null = not allowed (message names the clause). */
  readonly aggs: AggCollector | null;
  /** Clause name for "aggregate functions are not allowed in …" errors. */
  readonly clause: string;
  /** Binds a subquery with `scope` as its outer scope (supplied by the select binder). */
  readonly bindSubquery: (
    query: import('../sql/ast.ts').SelectStmt,
    outer: Scope,
  ) => import('../plan/plan-nodes.ts').PlanNode;
  /** Inside an aggregate's arguments (nested aggregates are an error). */
  readonly insideAggregate?: boolean;
  /** Inside a window call's arguments or window definition (nested windows are an error). */
  readonly insideWindow?: boolean;
}

/** count(*): counts rows, not values. */
const COUNT_STAR = {
  def: {
    name: 'count',
    args: [],
    result: T.int8,
    strict: false,
    init: () => 0n,
    step: (state: unknown) => (state as bigint) + 1n,
    final: (state: unknown) => state,
  },
  argTypes: [] as SqlType[],
  resultType: T.int8,
} as unknown as ReturnType<typeof resolveAggregate>;

export function constType(v: ConstValue): { type: SqlType; value: Value } {
  switch (v.type) {
    case 'string':
      return { type: T.unknown, value: v.value };
    case 'bool':
      return { type: T.bool, value: v.value };
    case 'null':
      return { type: T.unknown, value: null };
    case 'bitstring':
      return { type: T.unknown, value: v.value };
    case 'integer': {
      const n = Number(v.value);
      if (Number.isInteger(n) && n >= -2147483648 && n <= 2147483647) return { type: T.int4, value: n };
      const b = BigInt(v.value);
      if (b >= -(2n ** 63n) && b < 2n ** 63n) return { type: T.int8, value: b };
      return numericConst(v.value);
    }
    case 'float':
      return numericConst(v.value);
  }
}

function numericConst(text: string): { type: SqlType; value: Value } {
  return { type: T.numeric, value: tryCoerceNumeric(text) };
}

function tryCoerceNumeric(text: string): Value {
  const c = tryCoerce({ kind: 'Const', type: T.unknown, value: text }, T.numeric, 'explicit', DUMMY_BC);
  return c && c.kind === 'Const' ? c.value : null;
}

const DUMMY_BC = { paramTypes: [] } as unknown as BindContext;

function columnNotFound(names: readonly string[], loc: number, scope: Scope): SqlError {
  if (names.length >= 2) {
    const qualifier = names[names.length - 2];
    if (!scope.anyHasQualifier(qualifier)) {
      return new SqlError(SqlState.UndefinedTable, `missing FROM-clause entry for table "${qualifier}"`, {
        position: loc + 1,
      });
    }
    return new SqlError(
      SqlState.UndefinedColumn,
      `column ${qualifier}.${names[names.length - 1]} does not exist`,
      {
        position: loc + 1,
      },
    );
  }
  return new SqlError(SqlState.UndefinedColumn, `column "${names[0]}" does not exist`, { position: loc + 1 });
}

export function bindColumnRef(names: readonly string[], loc: number, scope: Scope): BoundExpr {
  const name = names[names.length - 1];
  const qualifier = names.length >= 2 ? names[names.length - 2] : null;
  const found = scope.lookup(name, qualifier, loc);
  if (!found) throw columnNotFound(names, loc, scope);
  const { column, levels } = found;
  if (column.systemValue !== undefined)
    return { kind: 'Const', type: column.type, value: column.systemValue };
  if (levels === 0) {
    return {
      kind: 'Column',
      type: column.type,
      index: column.index,
      name: column.name,
      qualifier: column.qualifier ?? undefined,
    };
  }
  return { kind: 'Outer', type: column.type, levels, index: column.index, name: column.name };
}

/** Builds an operator call, coercing unknown operands and reporting PostgreSQL's errors. */
export function bindOperator(
  op: string,
  left: BoundExpr | null,
  right: BoundExpr,
  bc: BindContext,
  loc: number,
): BoundExpr {
  let resolved: ReturnType<typeof resolveOperator>;
  try {
    resolved = resolveOperator(op, left ? left.type : null, right.type);
  } catch (err) {
    throw err instanceof SqlError ? err.at(loc + 1) : err;
  }
  const args: BoundExpr[] = [];
  if (left) args.push(coerceArg(left, resolved.leftType!, bc, loc));
  args.push(coerceArg(right, resolved.rightType, bc, loc));
  const def = resolved.def;
  const fn = def.specialize ? def.specialize(args.map((a) => a.type)) : def.fn;
  return {
    kind: 'Call',
    type: resolved.resultType,
    name: op,
    isOperator: true,
    fn: left ? (a, ctx) => fn(a[0], a[1], ctx) : (a, ctx) => fn(null, a[0], ctx),
    args,
    strict: def.strict !== false,
    volatile: false,
  };
}

function coerceArg(e: BoundExpr, target: SqlType, bc: BindContext, loc: number): BoundExpr {
  const out = tryCoerce(e, target, 'implicit', bc);
  if (out) return out;
  throw new SqlError(
    SqlState.DatatypeMismatch,
    `cannot coerce ${typeDisplayName(e.type)} to ${typeDisplayName(target)}`,
    {
      position: loc + 1,
    },
  );
}

export function bindFunctionCall(f: FuncExpr, scope: Scope, bc: BindContext, opts: ExprOptions): BoundExpr {
  const name = f.names[f.names.length - 1];
  const schema = f.names.length > 1 ? f.names[0] : null;
  // Functions are global; information_schema's helpers (_pg_expandarray) are among them.
  const builtinSchema = schema === 'pg_catalog' || schema === 'information_schema' || schema === 'public';
  if (schema && !builtinSchema && !bc.database.schemas.has(schema)) {
    throw new SqlError(SqlState.InvalidSchemaName, `schema "${schema}" does not exist`, {
      position: f.loc + 1,
    });
  }
  if (f.over) return bindWindowCall(f, scope, bc, opts);
  if (aggregatesNamed(name).length > 0 || f.star) return bindAggregate(f, name, scope, bc, opts);
  if (f.distinct || f.orderBy.length > 0 || f.filter) {
    throw new SqlError(
      SqlState.WrongObjectType,
      `DISTINCT specified, but ${name} is not an aggregate function`,
      { position: f.loc + 1 },
    );
  }
  const args = f.args.map((a) => bindExpr(a, scope, bc, opts));
  const session = bc.sessionFunctions.resolve(name, args, bc, f.loc);
  if (session) return session;
  let resolved: ReturnType<typeof resolveFunction>;
  try {
    resolved = resolveFunction(
      name,
      args.map((a) => a.type),
    );
  } catch (err) {
    throw err instanceof SqlError ? err.at(f.loc + 1) : err;
  }
  const coerced = args.map((a, i) => coerceArg(a, resolved.argTypes[i] ?? a.type, bc, f.loc));
  const def = resolved.def;
  if (def.returnsSet && !opts.clause.startsWith('FROM') && opts.clause !== 'SELECT') {
    throw new SqlError(
      SqlState.FeatureNotSupported,
      `set-returning function ${name}() is only supported in FROM`,
      {
        position: f.loc + 1,
      },
    );
  }
  const argTypes = coerced.map((a) => a.type);
  return {
    kind: 'Call',
    type: resolved.resultType,
    name,
    isOperator: false,
    fn: (a, ctx) => def.fn(a, ctx, argTypes),
    args: coerced,
    strict: def.strict !== false,
    volatile: def.volatile === true,
    def,
  };
}

function bindAggregate(
  f: FuncExpr,
  name: string,
  scope: Scope,
  bc: BindContext,
  opts: ExprOptions,
): BoundExpr {
  if (!opts.aggs) {
    throw new SqlError(SqlState.GroupingError, `aggregate functions are not allowed in ${opts.clause}`, {
      position: f.loc + 1,
    });
  }
  if (opts.insideAggregate) {
    throw new SqlError(SqlState.GroupingError, 'aggregate function calls cannot be nested', {
      position: f.loc + 1,
    });
  }
  const inner: ExprOptions = { ...opts, insideAggregate: true };
  const args = f.star ? [] : f.args.map((a) => bindExpr(a, scope, bc, inner));
  let resolved: ReturnType<typeof resolveAggregate>;
  try {
    resolved = f.star
      ? COUNT_STAR
      : resolveAggregate(
          name,
          args.map((a) => a.type),
        );
  } catch (err) {
    throw err instanceof SqlError ? err.at(f.loc + 1) : err;
  }
  const coerced = args.map((a, i) => coerceArg(a, resolved.argTypes[i] ?? a.type, bc, f.loc));
  const filter = f.filter ? coerceBoolean(bindExpr(f.filter, scope, bc, inner), bc, 'FILTER', f.loc) : null;
  const orderBy = f.orderBy.map((s) => {
    const expr = bindExpr(s.expr, scope, bc, inner);
    const type = isUnknown(expr) ? T.text : expr.type;
    return {
      expr,
      desc: s.dir === 'desc',
      nullsFirst: s.nulls === 'default' ? s.dir === 'desc' : s.nulls === 'first',
      compare: (a: Value, b: Value) => compareValues(type, a, b),
    };
  });
  const call: AggCall = {
    def: resolved.def,
    args: coerced,
    argTypes: coerced.map((a) => a.type),
    distinct: f.distinct,
    filter,
    orderBy,
    type: resolved.resultType,
    star: f.star,
    name: f.star ? 'count' : name,
  };
  opts.aggs.aggs.push(call);
  return { kind: 'AggRef', type: call.type, index: opts.aggs.aggs.length - 1 };
}

export function bindExpr(e: Expr, scope: Scope, bc: BindContext, opts: ExprOptions): BoundExpr {
  switch (e.kind) {
    case 'ColumnRef':
      return bindColumnRef(e.names, e.loc, scope);
    case 'Const': {
      const { type, value } = constType(e.value);
      return { kind: 'Const', type, value };
    }
    case 'Param': {
      const index = e.index - 1;
      if (index < 0) {
        throw new SqlError(SqlState.UndefinedParameter, `there is no parameter $${e.index}`, {
          position: e.loc + 1,
        });
      }
      while (bc.paramTypes.length <= index) bc.paramTypes.push(T.unknown);
      const type = bc.paramTypes[index];
      if (bc.paramValues && index < bc.paramValues.length)
        return { kind: 'Const', type, value: bc.paramValues[index] };
      return { kind: 'Param', type, index };
    }
    case 'Op': {
      const left = e.left ? bindExpr(e.left, scope, bc, opts) : null;
      const right = bindExpr(e.right, scope, bc, opts);
      if (e.quantifier && left) {
        const elemType = right.type.isArray ? elementOf(right.type) : left.type;
        const array = right.type.isArray
          ? right
          : (tryCoerce(right, arrayOf(left.type), 'implicit', bc) ?? right);
        const probe = bindOperator(e.op, left, { kind: 'Const', type: elemType, value: null }, bc, e.loc);
        if (probe.kind !== 'Call') throw new Error('operator binding produced a non-call');
        return {
          kind: 'QuantifiedArray',
          type: T.bool,
          quantifier: e.quantifier,
          operator: probe.name,
          arg: probe.args[0],
          array,
          compare: probe.fn,
        };
      }
      if (left && (e.op === 'IS DISTINCT FROM' || e.op === 'IS NOT DISTINCT FROM'))
        return distinctFrom(e.op, bindOperator('=', left, right, bc, e.loc));
      return bindOperator(e.op, left, right, bc, e.loc);
    }
    case 'Bool': {
      const args = e.args.map((a) =>
        coerceBoolean(bindExpr(a, scope, bc, opts), bc, e.op.toUpperCase(), e.loc),
      );
      if (e.op === 'not') return { kind: 'Not', type: T.bool, arg: args[0] };
      return { kind: e.op === 'and' ? 'And' : 'Or', type: T.bool, args };
    }
    case 'NullTest': {
      const arg = bindExpr(e.arg, scope, bc, opts);
      return { kind: 'IsNull', type: T.bool, arg, not: e.not };
    }
    case 'BooleanTest': {
      const arg = coerceBoolean(bindExpr(e.arg, scope, bc, opts), bc, 'IS TRUE', e.loc);
      return { kind: 'BoolTest', type: T.bool, arg, test: e.test };
    }
    case 'Cast': {
      const target = resolveTypeName(e.type, bc);
      const arg = bindExpr(e.arg, scope, bc, opts);
      try {
        return coerceExplicit(arg, target, bc, e.loc);
      } catch (err) {
        throw err instanceof SqlError ? err.at(e.arg.loc + 1) : err;
      }
    }
    case 'Func':
      return bindFunctionCall(e, scope, bc, opts);
    default:
      return bindSpecialExpr(e, scope, bc, opts);
  }
}

/** Type of a bound expression for output; unknown literals become text (PostgreSQL resolves them so). */
export function resolveUnknownToText(e: BoundExpr, bc: BindContext): BoundExpr {
  return isUnknown(e) ? (tryCoerce(e, T.text, 'implicit', bc) ?? e) : e;
}

export { sqlType };

/**
 * `a IS [NOT] DISTINCT FROM b`: `=` over the same coerced operands, with NULL a value like
 * any other (two NULLs are not distinct, NULL and a value are), so never NULL itself.
 */
function distinctFrom(op: string, eq: BoundExpr): BoundExpr {
  if (eq.kind !== 'Call') throw new Error('operator binding produced a non-call');
  const equal = eq.fn;
  const distinct = op === 'IS DISTINCT FROM';
  return {
    ...eq,
    type: T.bool,
    name: op,
    strict: false,
    fn: ([a, b], ctx) => {
      const same = a === null || b === null ? a === b : equal([a, b], ctx) === true;
      return distinct ? !same : same;
    },
  };
}
