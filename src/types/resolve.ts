/**
 * Overload resolution for operators, functions and aggregates, following PostgreSQL's
 * func_select_candidate() (docs §10.2/§10.3): exact match first (an untyped literal next to
 * a typed operand is assumed to have that type); then candidates reachable by implicit
 * casts, narrowed by most exact matches, then most matches on preferred types, then by the
 * type categories untyped literals can take (string category wins), then by assuming
 * unknowns share the known inputs' type. The binder imports everything from this module.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { canCoerce, isPreferredType, typeCategory } from './coerce.ts';
import { resolvePolymorphic, resolveResult } from './polymorphic.ts';
import { aggregatesNamed, functionsNamed, operatorsNamed } from './registry.ts';
import type { AggregateDef, FunctionDef, OperatorDef, ResultType } from './registry-types.ts';
import { type BaseTypeName, type SqlType, sqlType } from './type.ts';
import { typeDisplayName } from './value-io.ts';

export { applyTypmod, type CoercionStep, canCoerce, castValue, coercionPath } from './coerce.ts';
export { compareValues, hashKey, valuesEqual } from './compare.ts';

export interface ResolvedFunction<D> {
  readonly def: D;
  /** The type each argument must be coerced to (polymorphic parameters made concrete). */
  readonly argTypes: SqlType[];
  readonly resultType: SqlType;
}

export interface ResolvedOperator extends ResolvedFunction<OperatorDef> {
  readonly leftType: SqlType | null;
  readonly rightType: SqlType;
}

interface Candidate<D> {
  def: D;
  declared: SqlType[];
  params: SqlType[];
}

const toType = (t: BaseTypeName | SqlType): SqlType => (typeof t === 'string' ? sqlType(t) : t);
const isUnknown = (t: SqlType) => t.base === 'unknown' && !t.isArray;
const same = (a: SqlType, b: SqlType) => a.base === b.base && a.isArray === b.isArray;

function expand(
  args: readonly (BaseTypeName | SqlType)[],
  variadic: BaseTypeName | undefined,
  n: number,
): SqlType[] | null {
  const declared = args.map(toType);
  // A VARIADIC parameter needs at least one argument (concat() does not exist).
  if (declared.length === n) return variadic ? null : declared;
  if (variadic && n > declared.length)
    return [...declared, ...Array(n - declared.length).fill(sqlType(variadic))];
  return null;
}

function candidates<D>(
  defs: readonly D[],
  sig: (d: D) => SqlType[] | null,
  args: readonly SqlType[],
): Candidate<D>[] {
  const out: Candidate<D>[] = [];
  for (const def of defs) {
    const declared = sig(def);
    if (!declared) continue;
    if (!declared.every((p, i) => canCoerce(args[i], p, 'implicit'))) continue;
    const params = resolvePolymorphic(declared, args);
    if (params) out.push({ def, declared, params });
  }
  return out;
}

function keepMax<D>(list: Candidate<D>[], score: (c: Candidate<D>) => number): Candidate<D>[] {
  let best = -1;
  let kept: Candidate<D>[] = [];
  for (const c of list) {
    const s = score(c);
    if (s > best) {
      best = s;
      kept = [c];
    } else if (s === best) kept.push(c);
  }
  return kept;
}

/**
 * func_select_candidate(): narrows ambiguous candidates; returns [] when still ambiguous.
 * Scores use the declared parameter types, so polymorphic parameters never count as exact
 * or preferred matches (that is why varchar || varchar picks text || text).
 */
function select<D>(list: Candidate<D>[], args: readonly SqlType[]): Candidate<D>[] {
  if (list.length <= 1) return list;
  // Most exact matches on known inputs.
  list = keepMax(list, (c) => args.filter((a, i) => !isUnknown(a) && same(a, c.declared[i])).length);
  if (list.length === 1) return list;
  // Most matches on exact-or-preferred types (preferred within the input's category).
  list = keepMax(
    list,
    (c) =>
      args.filter(
        (a, i) =>
          !isUnknown(a) &&
          (same(a, c.declared[i]) ||
            (isPreferredType(c.declared[i]) && typeCategory(c.declared[i]) === typeCategory(a))),
      ).length,
  );
  if (list.length === 1) return list;
  // Unknown inputs: pick a category per position (string category wins), prefer preferred types.
  const unknownPositions = args.map((a, i) => (isUnknown(a) ? i : -1)).filter((i) => i >= 0);
  for (const i of unknownPositions) {
    const cats = new Set(list.map((c) => typeCategory(c.declared[i])));
    let cat: string;
    if (cats.has('S')) cat = 'S';
    else if (cats.size === 1) cat = [...cats][0];
    else {
      list = [];
      break;
    }
    const inCat = list.filter((c) => typeCategory(c.declared[i]) === cat);
    const preferred = inCat.filter((c) => isPreferredType(c.declared[i]));
    list = preferred.length ? preferred : inCat;
    if (list.length <= 1) break;
  }
  if (list.length === 1) return list;
  // Assume the unknown inputs have the type shared by all known inputs.
  const known = args.filter((a) => !isUnknown(a));
  if (unknownPositions.length && known.length && known.every((k) => same(k, known[0]))) {
    const pool = list.length ? list : [];
    const fits = pool.filter(
      (c) =>
        c.declared.every((p) => canCoerce(known[0], p, 'implicit')) &&
        resolvePolymorphic(
          c.declared,
          args.map(() => known[0]),
        ) !== null,
    );
    if (fits.length === 1) return fits;
  }
  return list.length === 1 ? list : [];
}

function finish<D extends { result: ResultType }>(c: Candidate<D>): ResolvedFunction<D> {
  return { def: c.def, argTypes: c.params, resultType: resolveResult(c.def.result, c.declared, c.params) };
}

const fnHint =
  'No function matches the given name and argument types. You might need to add explicit type casts.';

function lookupFunction<D extends { result: ResultType }>(
  name: string,
  defs: readonly D[],
  sig: (d: D) => SqlType[] | null,
  args: readonly SqlType[],
): ResolvedFunction<D> {
  const sigText = `${name}(${args.map(typeDisplayName).join(', ')})`;
  // Exact match on every argument (no polymorphism involved).
  for (const def of defs) {
    const d = sig(def);
    if (d?.every((p, i) => same(p, args[i]))) return finish({ def, declared: d, params: [...args] });
  }
  const list = candidates(defs, sig, args);
  if (list.length === 0) {
    throw new SqlError(SqlState.UndefinedFunction, `function ${sigText} does not exist`, { hint: fnHint });
  }
  const chosen = select(list, args);
  if (chosen.length !== 1) {
    throw new SqlError(SqlState.AmbiguousFunction, `function ${sigText} is not unique`, {
      hint: 'Could not choose a best candidate function. You might need to add explicit type casts.',
    });
  }
  return finish(chosen[0]);
}

export function resolveFunction(name: string, args: readonly SqlType[]): ResolvedFunction<FunctionDef> {
  const sig = (d: FunctionDef) => expand(d.args, d.variadic, args.length);
  return lookupFunction(name, functionsNamed(name), sig, args);
}

export function resolveAggregate(name: string, args: readonly SqlType[]): ResolvedFunction<AggregateDef> {
  const sig = (d: AggregateDef) => expand(d.args, undefined, args.length);
  return lookupFunction(name, aggregatesNamed(name), sig, args);
}

export function resolveOperator(name: string, left: SqlType | null, right: SqlType): ResolvedOperator {
  const args = left ? [left, right] : [right];
  const defs = operatorsNamed(name).filter((d) => (d.left === null) === (left === null));
  const sig = (d: OperatorDef) => (d.left === null ? [toType(d.right)] : [toType(d.left), toType(d.right)]);
  const done = (r: ResolvedFunction<OperatorDef>): ResolvedOperator => ({
    ...r,
    leftType: left ? r.argTypes[0] : null,
    rightType: r.argTypes[left ? 1 : 0],
  });
  // binary_oper_exact(): an untyped literal is first assumed to be of the other operand's type.
  let exactArgs = args;
  if (left && isUnknown(left) !== isUnknown(right))
    exactArgs = isUnknown(left) ? [right, right] : [left, left];
  for (const def of defs) {
    const d = sig(def);
    // The literal takes the operator's declared type, not the other operand's typmod: in
    // `embedding <-> '[1,2]'` the literal is a plain vector (PostgreSQL's parse_oper.c).
    if (d.every((p, i) => same(p, exactArgs[i])))
      return done(
        finish({ def, declared: d, params: exactArgs.map((a, i) => (isUnknown(args[i]) ? d[i] : a)) }),
      );
  }
  const opText = left
    ? `${typeDisplayName(left)} ${name} ${typeDisplayName(right)}`
    : `${name} ${typeDisplayName(right)}`;
  const list = candidates(defs, sig, args);
  if (list.length === 0) {
    throw new SqlError(SqlState.UndefinedFunction, `operator does not exist: ${opText}`, {
      hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  const chosen = select(list, args);
  if (chosen.length !== 1) {
    throw new SqlError(SqlState.AmbiguousFunction, `operator is not unique: ${opText}`, {
      hint: 'Could not choose a best candidate operator. You might need to add explicit type casts.',
    });
  }
  return done(finish(chosen[0]));
}
