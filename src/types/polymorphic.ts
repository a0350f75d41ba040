/**
 * Resolution of polymorphic parameter types (anyelement, anyarray, anynonarray,
 * anycompatible, anycompatiblearray, "any") against actual argument types, as
 * enforce_generic_type_consistency() does: all anyelement-family positions must agree on one
 * element type; the anycompatible family is unified to a common type.
 */
import { canCoerce, isPreferredType, typeCategory } from './coerce.ts';
import type { ResultType } from './registry-types.ts';
import { arrayOf, elementOf, type SqlType, T } from './type.ts';

const ELEMENT_FAMILY = new Set(['anyelement', 'anyarray', 'anynonarray']);
const COMPATIBLE_FAMILY = new Set(['anycompatible', 'anycompatiblearray']);

const VECTOR_ARRAY_ELEMENTS: Partial<Record<string, SqlType>> = { int2vector: T.int2, oidvector: T.oid };

const isArrayParam = (p: SqlType) => p.base === 'anyarray' || p.base === 'anycompatiblearray';

/** select_common_type() over known types; unknowns alone become text. */
export function commonType(types: readonly SqlType[]): SqlType | null {
  const known = types.filter((t) => !(t.base === 'unknown' && !t.isArray));
  if (known.length === 0) return T.text;
  let result = known[0];
  for (const t of known.slice(1)) {
    if (t.base === result.base && t.isArray === result.isArray) continue;
    if (typeCategory(t) !== typeCategory(result)) return null;
    if (!isPreferredType(result) && canCoerce(result, t, 'implicit') && !canCoerce(t, result, 'implicit'))
      result = t;
    else if (!canCoerce(t, result, 'implicit')) return null;
  }
  return result;
}

/**
 * Concrete parameter types for `params` given `args`, or null when the polymorphic
 * positions are inconsistent. Non-polymorphic parameters are returned unchanged.
 */
export function resolvePolymorphic(params: readonly SqlType[], args: readonly SqlType[]): SqlType[] | null {
  let elem: SqlType | null = null;
  const compatible: SqlType[] = [];
  let sawElementFamily = false;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    const a = args[i];
    const unknown = a.base === 'unknown' && !a.isArray;
    if (ELEMENT_FAMILY.has(p.base)) {
      sawElementFamily = true;
      if (unknown) continue;
      // int2vector/oidvector are arrays to polymorphic functions (typelem int2/oid), as in
      // PostgreSQL: unnest(indkey), _pg_expandarray(indkey).
      const vectorElement = VECTOR_ARRAY_ELEMENTS[a.base];
      if (isArrayParam(p) && !a.isArray && !vectorElement) return null;
      if (p.base === 'anynonarray' && a.isArray) return null;
      const e = isArrayParam(p) ? (vectorElement ?? elementOf(a)) : a;
      if (elem && (elem.base !== e.base || elem.isArray !== e.isArray)) return null;
      elem ??= e;
    } else if (COMPATIBLE_FAMILY.has(p.base)) {
      if (unknown) continue;
      if (isArrayParam(p) && !a.isArray) return null;
      compatible.push(isArrayParam(p) ? elementOf(a) : a);
    }
  }
  if (sawElementFamily && !elem) elem = T.text;
  const common =
    compatible.length || params.some((p) => COMPATIBLE_FAMILY.has(p.base)) ? commonType(compatible) : null;
  if (params.some((p) => COMPATIBLE_FAMILY.has(p.base)) && !common) return null;
  return params.map((p, i) => {
    switch (p.base) {
      case 'anyelement':
      case 'anynonarray':
        return elem!;
      case 'anyarray':
        return arrayOf(elem!);
      case 'anycompatible':
        return common!;
      case 'anycompatiblearray':
        return arrayOf(common!);
      case 'any':
        // "any" takes the argument as it is, untyped literals included (pg_typeof('x') is unknown).
        return args[i];
      default:
        return p;
    }
  });
}

/** The result type of a def once its parameters are resolved. */
export function resolveResult(
  result: ResultType,
  declared: readonly SqlType[],
  resolved: readonly SqlType[],
): SqlType {
  if (typeof result === 'function') return result(resolved);
  const pick = (family: Set<string>, array: boolean): SqlType | undefined => {
    for (let i = 0; i < declared.length; i++) {
      if (!family.has(declared[i].base)) continue;
      const r = resolved[i];
      return isArrayParam(declared[i]) === array ? r : array ? arrayOf(r) : elementOf(r);
    }
    return undefined;
  };
  switch (result.base) {
    case 'anyelement':
    case 'anynonarray':
      return pick(ELEMENT_FAMILY, false) ?? T.text;
    case 'anyarray':
      return pick(ELEMENT_FAMILY, true) ?? arrayOf(T.text);
    case 'anycompatible':
      return pick(COMPATIBLE_FAMILY, false) ?? T.text;
    case 'anycompatiblearray':
      return pick(COMPATIBLE_FAMILY, true) ?? arrayOf(T.text);
    default:
      return result;
  }
}
