/**
 * Array operators: comparisons (element-wise, then by length and dimensions), containment
 * @> <@, overlap &&, and || (array_cat, array_append, array_prepend). Element equality
 * uses the element type's comparison; NULL elements never match in @>, <@ and &&.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { ArrayValue } from './array.ts';
import { compareValues } from './compare.ts';
import { COMPARISONS } from './operators-compare.ts';
import { registerOperator } from './registry.ts';
import { runtimeType } from './runtime-type.ts';
import { elementOf, type SqlType, sqlType, T, type Value } from './type.ts';

const ANYARRAY = sqlType('anyarray');
const ANYELEMENT = sqlType('anyelement');

type Cmp = (a: Value, b: Value) => number;

/** Comparator for arrays of `type`, or inferred from the values when the type is not known. */
const arrayCmp =
  (type: SqlType | undefined): Cmp =>
  (a, b) =>
    compareValues(type ?? runtimeType(a), a, b);
const elemCmp = (type: SqlType | undefined, sample: ArrayValue): Cmp => {
  const t = type ? elementOf(type) : elementOf(runtimeType(sample));
  return (a, b) => compareValues(t, a, b);
};

for (const [name, test] of Object.entries(COMPARISONS)) {
  registerOperator({
    name,
    left: ANYARRAY,
    right: ANYARRAY,
    result: T.bool,
    fn: (a, b) => test(arrayCmp(undefined)(a, b)),
    specialize: ([t]) => {
      const cmp = arrayCmp(t);
      return (a, b) => test(cmp(a, b));
    },
  });
}

function contains(outer: ArrayValue, inner: ArrayValue, cmp: Cmp): boolean {
  return inner.elements.every((y) => y !== null && outer.elements.some((x) => x !== null && cmp(x, y) === 0));
}

function overlaps(a: ArrayValue, b: ArrayValue, cmp: Cmp): boolean {
  return a.elements.some((x) => x !== null && b.elements.some((y) => y !== null && cmp(x, y) === 0));
}

const setOp = (name: string, f: (a: ArrayValue, b: ArrayValue, cmp: Cmp) => boolean) =>
  registerOperator({
    name,
    left: ANYARRAY,
    right: ANYARRAY,
    result: T.bool,
    fn: (a, b) => f(a as ArrayValue, b as ArrayValue, elemCmp(undefined, a as ArrayValue)),
    specialize: ([t]) => {
      const cmp = elemCmp(t, ArrayValue.EMPTY);
      return (a, b) => f(a as ArrayValue, b as ArrayValue, cmp);
    },
  });
setOp('@>', contains);
setOp('<@', (a, b, cmp) => contains(b, a, cmp));
setOp('&&', overlaps);

/** array_cat: equal dimensionality concatenates along the first dimension; one fewer appends a row. */
export function arrayCat(a: ArrayValue, b: ArrayValue): ArrayValue {
  if (a.ndim === 0) return b;
  if (b.ndim === 0) return a;
  const incompatible = () =>
    new SqlError(SqlState.ArraySubscriptError, 'cannot concatenate incompatible arrays', {
      detail: `Arrays with differing dimensions are not compatible for concatenation.`,
    });
  if (a.ndim === b.ndim) {
    if (a.dims.slice(1).some((d, i) => d !== b.dims[i + 1])) throw incompatible();
    return new ArrayValue(
      [...a.elements, ...b.elements],
      [a.dims[0] + b.dims[0], ...a.dims.slice(1)],
      a.lbounds,
    );
  }
  if (a.ndim === b.ndim + 1) {
    if (a.dims.slice(1).some((d, i) => d !== b.dims[i])) throw incompatible();
    return new ArrayValue([...a.elements, ...b.elements], [a.dims[0] + 1, ...a.dims.slice(1)], a.lbounds);
  }
  if (b.ndim === a.ndim + 1) {
    if (b.dims.slice(1).some((d, i) => d !== a.dims[i])) throw incompatible();
    return new ArrayValue([...a.elements, ...b.elements], [b.dims[0] + 1, ...b.dims.slice(1)], b.lbounds);
  }
  throw new SqlError(SqlState.ArraySubscriptError, 'cannot concatenate incompatible arrays', {
    detail: `Arrays of ${a.ndim} and ${b.ndim} dimensions are not compatible for concatenation.`,
  });
}

export function arrayAppend(a: ArrayValue | null, v: Value): ArrayValue {
  if (!a || a.ndim === 0) return ArrayValue.of([v]);
  if (a.ndim !== 1)
    throw new SqlError(SqlState.DataException, 'argument must be empty or one-dimensional array');
  return new ArrayValue([...a.elements, v], [a.dims[0] + 1], a.lbounds);
}

export function arrayPrepend(v: Value, a: ArrayValue | null): ArrayValue {
  if (!a || a.ndim === 0) return ArrayValue.of([v]);
  if (a.ndim !== 1)
    throw new SqlError(SqlState.DataException, 'argument must be empty or one-dimensional array');
  return new ArrayValue([v, ...a.elements], [a.dims[0] + 1], a.lbounds);
}

// array || array and element || array are not strict: a NULL side is ignored.
registerOperator({
  name: '||',
  left: ANYARRAY,
  right: ANYARRAY,
  result: ANYARRAY,
  strict: false,
  fn: (a, b) => (a === null ? b : b === null ? a : arrayCat(a as ArrayValue, b as ArrayValue)),
});
registerOperator({
  name: '||',
  left: ANYARRAY,
  right: ANYELEMENT,
  result: ANYARRAY,
  strict: false,
  fn: (a, v) => arrayAppend(a as ArrayValue | null, v),
});
registerOperator({
  name: '||',
  left: ANYELEMENT,
  right: ANYARRAY,
  result: ANYARRAY,
  strict: false,
  fn: (v, a) => arrayPrepend(v, a as ArrayValue | null),
});
