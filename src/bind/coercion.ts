/**
 * Type coercion of bound expressions: untyped literals and parameters take the type their
 * context needs; other expressions get a Cast node when PostgreSQL would allow the cast in
 * that context (implicit, assignment, explicit).
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { findTypeInfo } from '../types/registry.ts';
import type { CastContext, EvalContext } from '../types/registry-types.ts';
import { castValue, coercionPath } from '../types/resolve.ts';
import { type SqlType, sqlType, T } from '../types/type.ts';
import type { BindContext } from './bind-context.ts';
import type { BoundExpr } from './bound-expr.ts';

/** A fixed evaluation context for folding literals at bind time (dates use UTC/ISO). */
export const BIND_EVAL_CONTEXT: EvalContext = {
  dateStyle: 'ISO, MDY',
  timeZone: 'UTC',
  extraFloatDigits: 1,
  statementTimestamp: 0,
  transactionTimestamp: 0,
};

/** PostgreSQL's display name of a type: 'integer', 'character varying(5)', 'vector(3)', 'text[]'. */
export function typeDisplayName(t: SqlType, withTypmod = false): string {
  const info = findTypeInfo(t.base);
  const name = info ? info.formatType(withTypmod ? t.typmod : -1) : t.base;
  return t.isArray ? `${name}[]` : name;
}

export function isUnknown(e: BoundExpr): boolean {
  return e.type.base === 'unknown' && !e.type.isArray;
}

function sameTypeExact(a: SqlType, b: SqlType): boolean {
  return a.base === b.base && a.isArray === b.isArray && (b.typmod === -1 || a.typmod === b.typmod);
}

/**
 * Coerces `expr` to `target`. Unknown literals are parsed with the target's input function
 * now (so errors point at the literal); parameters of unknown type adopt the target type.
 * Returns null when no coercion exists in this context.
 */
export function tryCoerce(
  expr: BoundExpr,
  target: SqlType,
  context: CastContext,
  bc: BindContext,
  evalCtx: EvalContext = BIND_EVAL_CONTEXT,
): BoundExpr | null {
  if (target.base === 'any' || target.base === 'anyelement' || target.base === 'anycompatible') return expr;
  if (sameTypeExact(expr.type, target)) return expr;
  if (expr.kind === 'Param' && isUnknown(expr)) {
    bc.paramTypes[expr.index] = target;
    return { kind: 'Param', type: target, index: expr.index };
  }
  if (expr.kind === 'Const' && isUnknown(expr)) {
    if (expr.value === null) return { kind: 'Const', type: target, value: null };
    if (bc.objectNames) evalCtx = { ...evalCtx, objectNames: bc.objectNames };
    // The literal is parsed without the typmod (input errors point at the literal); the
    // typmod is applied afterwards, like PostgreSQL's length-coercion step, which reports
    // errors such as "expected 3 dimensions, not 2" without a position.
    const untyped = sqlType(target.base, -1, target.isArray);
    const parsed = castValue(expr.value, T.unknown, untyped, evalCtx, context === 'explicit');
    if (target.typmod < 0) return { kind: 'Const', type: target, value: parsed };
    try {
      const value = castValue(parsed, untyped, target, evalCtx, context === 'explicit');
      return { kind: 'Const', type: target, value };
    } catch (err) {
      throw err instanceof SqlError ? err.withoutPosition() : err;
    }
  }
  if (expr.kind === 'Const' && expr.value === null && expr.type.base === 'unknown') {
    return { kind: 'Const', type: target, value: null };
  }
  if (expr.type.base === target.base && expr.type.isArray === target.isArray) {
    // Same type, different typmod: a length/dimension coercion.
    return { kind: 'Cast', type: target, arg: expr, explicit: context === 'explicit' };
  }
  if (!coercionPath(expr.type, target, context)) return null;
  return { kind: 'Cast', type: target, arg: expr, explicit: context === 'explicit' };
}

export function coerceAssignment(
  expr: BoundExpr,
  target: SqlType,
  bc: BindContext,
  column: string,
  loc: number,
) {
  const out = tryCoerce(expr, target, 'assignment', bc);
  if (out) return out;
  throw new SqlError(
    SqlState.DatatypeMismatch,
    `column "${column}" is of type ${typeDisplayName(target)} but expression is of type ${typeDisplayName(expr.type)}`,
    { position: loc + 1, hint: 'You will need to rewrite or cast the expression.' },
  );
}

export function coerceExplicit(expr: BoundExpr, target: SqlType, bc: BindContext, loc: number): BoundExpr {
  const out = tryCoerce(expr, target, 'explicit', bc);
  if (out) return out;
  throw new SqlError(
    SqlState.CannotCoerce,
    `cannot cast type ${typeDisplayName(expr.type)} to ${typeDisplayName(target)}`,
    { position: loc + 1 },
  );
}

/** Coerces a condition (WHERE, HAVING, ON, CASE WHEN) to boolean. */
export function coerceBoolean(expr: BoundExpr, bc: BindContext, clause: string, loc: number): BoundExpr {
  const out = tryCoerce(expr, T.bool, 'implicit', bc);
  if (out) return out;
  throw new SqlError(
    SqlState.DatatypeMismatch,
    `argument of ${clause} must be type boolean, not type ${typeDisplayName(expr.type)}`,
    { position: loc + 1 },
  );
}

/**
 * Resolves the common type of several expressions (CASE, COALESCE, UNION, VALUES, ARRAY[]),
 * following PostgreSQL's select_common_type: unknowns follow the first known type; all-unknown
 * resolves to text.
 */
export function commonType(exprs: readonly BoundExpr[], what: string, loc: number): SqlType {
  let result: SqlType | null = null;
  for (const e of exprs) {
    if (isUnknown(e)) continue;
    if (!result) {
      result = e.type;
      continue;
    }
    if (result.base === e.type.base && result.isArray === e.type.isArray) {
      if (result.typmod !== e.type.typmod) result = { ...result, typmod: -1 };
      continue;
    }
    if (coercionPath(result, e.type, 'implicit') && !coercionPath(e.type, result, 'implicit')) {
      result = e.type;
    } else if (!coercionPath(e.type, result, 'implicit')) {
      throw new SqlError(
        SqlState.DatatypeMismatch,
        `${what} types ${typeDisplayName(result)} and ${typeDisplayName(e.type)} cannot be matched`,
        { position: loc + 1 },
      );
    }
  }
  return result ?? T.text;
}
