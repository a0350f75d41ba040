/**
 * Building array values in the executor (ARRAY[...] and ARRAY(subquery)). Nested ARRAY[]
 * of arrays makes a multi-dimensional array, as in PostgreSQL.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { ArrayValue } from '../types/array.ts';
import type { SqlType, Value } from '../types/type.ts';

export function makeArray(_type: SqlType, values: Value[]): ArrayValue {
  if (values.length > 0 && values[0] instanceof ArrayValue) {
    const subs = values as ArrayValue[];
    const first = subs[0];
    for (const s of subs) {
      if (!(s instanceof ArrayValue) || s.dims.join(',') !== first.dims.join(',')) {
        throw new SqlError(
          SqlState.ArraySubscriptError,
          'multidimensional arrays must have array expressions with matching dimensions',
        );
      }
    }
    if (first.dims.length === 0) return ArrayValue.EMPTY;
    return new ArrayValue(
      subs.flatMap((s) => s.elements),
      [subs.length, ...first.dims],
      [1, ...first.lbounds],
    );
  }
  return ArrayValue.of(values);
}

export function arrayElements(value: Value): Value[] {
  return value instanceof ArrayValue ? value.elements : [];
}
