/**
 * Whether and how a value of one type becomes another (find_coercion_pathway), and doing
 * it (castValue). Beyond pg_cast's function casts: same-type length coercion, untyped
 * literals through the target's input function, arrays element by element, and I/O casts —
 * anything → string types in assignment context, string types → anything when explicit.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { ArrayValue } from './array.ts';
import { findArrayCast, findCast, findTypeInfo } from './registry.ts';
import type { CastContext, CastDef, EvalContext } from './registry-types.ts';
import { elementOf, type SqlType, sqlType, type Value } from './type.ts';
import { textIn, textOut, typeDisplayName } from './value-io.ts';

export type CoercionStep =
  /** Same type; at most a typmod (length) coercion. */
  | { readonly kind: 'none' }
  /** Untyped literal parsed by the target's input function. */
  | { readonly kind: 'unknown' }
  | { readonly kind: 'function'; readonly cast: CastDef }
  /** Output function of the source, then input function of the target. */
  | { readonly kind: 'io' }
  | { readonly kind: 'array'; readonly element: CoercionStep };

const PSEUDO = new Set([
  'any',
  'anyelement',
  'anyarray',
  'anynonarray',
  'anycompatible',
  'anycompatiblearray',
]);

export function isPseudo(t: SqlType): boolean {
  return PSEUDO.has(t.base);
}

/** typcategory, with arrays in 'A' as PostgreSQL's array types are. */
export function typeCategory(t: SqlType): string {
  if (t.isArray) return 'A';
  return findTypeInfo(t.base)?.category ?? 'U';
}

export function isPreferredType(t: SqlType): boolean {
  return !t.isArray && (findTypeInfo(t.base)?.preferred ?? false);
}

const rank: Record<CastContext, number> = { implicit: 0, assignment: 1, explicit: 2 };

/** Does `from` match a polymorphic parameter type on its own (consistency is checked by resolve.ts)? */
function matchesPseudo(from: SqlType, to: SqlType): boolean {
  switch (to.base) {
    case 'anyarray':
    case 'anycompatiblearray':
      // int2vector/oidvector count as arrays of int2/oid (see polymorphic.ts).
      return (
        from.isArray || from.base === 'unknown' || from.base === 'int2vector' || from.base === 'oidvector'
      );
    case 'anynonarray':
      return !from.isArray;
    default:
      return true;
  }
}

// Steps without data are shared: a COPY asks for one per field.
const NONE: CoercionStep = { kind: 'none' };
const UNKNOWN: CoercionStep = { kind: 'unknown' };
const IO: CoercionStep = { kind: 'io' };

export function coercionPath(from: SqlType, to: SqlType, context: CastContext): CoercionStep | null {
  if (isPseudo(to) && !to.isArray) return matchesPseudo(from, to) ? NONE : null;
  if (from.base === to.base && from.isArray === to.isArray) return NONE;
  if (from.base === 'unknown' && !from.isArray) return UNKNOWN;
  if (from.isArray !== to.isArray) {
    const cast = findArrayCast(from, to);
    if (cast) return rank[cast.context] <= rank[context] ? { kind: 'function', cast } : null;
  }
  if (from.isArray && to.isArray) {
    const element = coercionPath(elementOf(from), elementOf(to), context);
    return element ? { kind: 'array', element } : null;
  }
  if (!from.isArray && !to.isArray) {
    const cast = findCast(from.base, to.base);
    if (cast) return rank[cast.context] <= rank[context] ? { kind: 'function', cast } : null;
  }
  if (typeCategory(to) === 'S' && rank[context] >= rank.assignment) return IO;
  if (typeCategory(from) === 'S' && context === 'explicit') return IO;
  return null;
}

export function canCoerce(from: SqlType, to: SqlType, context: CastContext): boolean {
  return coercionPath(from, to, context) !== null;
}

/** Applies `to`'s typmod (varchar(n), numeric(p,s), timestamp(p)…) to a value already of its base type. */
export function applyTypmod(value: Value, to: SqlType, explicit: boolean): Value {
  if (to.typmod < 0 || value === null) return value;
  const fn = findTypeInfo(to.base)?.applyTypmod;
  if (!fn) return value;
  if (to.isArray) {
    const arr = value as ArrayValue;
    return new ArrayValue(
      arr.elements.map((e) => (e === null ? null : fn(e, to.typmod, explicit))),
      arr.dims,
      arr.lbounds,
    );
  }
  return fn(value, to.typmod, explicit);
}

function cannotCast(from: SqlType, to: SqlType): SqlError {
  return new SqlError(
    SqlState.CannotCoerce,
    `cannot cast type ${typeDisplayName(from)} to ${typeDisplayName(to)}`,
  );
}

/** `type` with no typmod: the input function parses, applyTypmod then coerces. */
function withoutTypmod(type: SqlType): SqlType {
  return type.typmod === -1 ? type : sqlType(type.base, -1, type.isArray);
}

function run(
  step: CoercionStep,
  value: Value,
  from: SqlType,
  to: SqlType,
  ctx: EvalContext,
  explicit: boolean,
): Value {
  switch (step.kind) {
    case 'none':
      return applyTypmod(value, to, explicit);
    case 'unknown':
      // An empty ARRAY[] has no element type yet: its elements (none, or untyped) follow the target.
      if (value instanceof ArrayValue && to.isArray) {
        const elem = elementOf(to);
        const elements = value.elements.map((e) =>
          e === null ? null : run(step, e, from, elem, ctx, explicit),
        );
        return new ArrayValue(elements, value.dims, value.lbounds);
      }
      if (typeof value !== 'string') return value;
      return applyTypmod(textIn(withoutTypmod(to), value, ctx), to, explicit);
    case 'function':
      return applyTypmod(step.cast.fn(value, to, ctx, explicit), to, explicit);
    case 'io':
      return applyTypmod(textIn(withoutTypmod(to), textOut(from, value, ctx), ctx), to, explicit);
    case 'array': {
      const arr = value as ArrayValue;
      const fe = elementOf(from);
      const te = elementOf(to);
      const elements = arr.elements.map((e) =>
        e === null ? null : run(step.element, e, fe, te, ctx, explicit),
      );
      return new ArrayValue(elements, arr.dims, arr.lbounds);
    }
  }
}

/**
 * Converts a value from one type to another. `explicit` selects CAST semantics (varchar(n)
 * truncates instead of failing); the allowed pathway is the most permissive one, the binder
 * has already checked the context with coercionPath().
 */
export function castValue(
  value: Value,
  from: SqlType,
  to: SqlType,
  ctx: EvalContext,
  explicit: boolean,
): Value {
  if (value === null || value === undefined) return null;
  if (isPseudo(to) && !to.isArray) return value;
  const step = coercionPath(from, to, 'explicit');
  if (!step) throw cannotCast(from, to);
  return run(step, value, from, to, ctx, explicit);
}
