/**
 * The one place where the vector types touch SQL arrays: array_to_vector/halfvec/sparsevec
 * read int4[], real[], double precision[] and numeric[]; vector_to_float4 and the
 * aggregate state helpers (vector_accum, vector_avg, vector_combine) produce arrays.
 *
 * ASSUMPTION (src/types/array.ts did not exist when this was written): an array value is
 * `{ dims: number[]; values: Value[] }` with `values` in row-major order, NULL as `null`,
 * and optional `lbounds`. If ArrayValue ends up different, only this file changes.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { ArrayValue } from './array.ts';
import type { Value } from './type.ts';
import { expectedStateArray } from './vector-checks.ts';
import { scanFloat } from './vector-strtof.ts';

export interface ArrayValueLike {
  readonly dims: readonly number[];
  readonly values: readonly Value[];
  readonly lbounds?: readonly number[];
}

/** Element types pgvector's array casts accept (its `unsupported array type` otherwise). */
export type ArrayElementKind = 'int4' | 'float4' | 'float8' | 'numeric';

export function isArrayValue(v: Value): v is ArrayValueLike {
  return typeof v === 'object' && v !== null && Array.isArray((v as ArrayValueLike).dims);
}

/** A one-dimensional array with lower bound 1, as construct_array builds it. */
export function makeArray(values: Value[]): ArrayValueLike {
  return ArrayValue.of(values);
}

/** numeric_float4: numeric → text → float4in, which rejects overflow and underflow alike. */
function numericToFloat4(v: Value): number {
  if (typeof v === 'number') return Math.fround(v);
  if (typeof v === 'bigint') return Math.fround(Number(v));
  const n = v as { kind?: string; toString(): string };
  if (n.kind === 'nan') return Number.NaN;
  if (n.kind === 'pinf') return Number.POSITIVE_INFINITY;
  if (n.kind === 'ninf') return Number.NEGATIVE_INFINITY;
  const text = n.toString();
  const scanned = scanFloat(text, 0);
  if (scanned.erange) {
    throw new SqlError(SqlState.NumericValueOutOfRange, `"${text}" is out of range for type real`);
  }
  return scanned.value;
}

function toNumber(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return Number(v);
}

/**
 * The element values of a cast source array as float4s, after pgvector's array checks:
 * `array must be 1-D` (22000) and `array must not contain nulls` (22004). Element range
 * checks are left to the caller, which runs its dimension checks first as pgvector does.
 */
export function arrayToFloat4s(array: Value, kind: ArrayElementKind): number[] {
  if (!isArrayValue(array)) throw new SqlError(SqlState.DataException, 'unsupported array type');
  if (array.dims.length > 1) throw new SqlError(SqlState.DataException, 'array must be 1-D');
  const { values } = array;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null || values[i] === undefined) {
      throw new SqlError(SqlState.NullValueNotAllowed, 'array must not contain nulls');
    }
  }
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // (float) of an int4 or float8 rounds to nearest (overflow → ±inf); numeric goes through float4in.
    out[i] = kind === 'numeric' ? numericToFloat4(v) : Math.fround(toNumber(v));
  }
  return out;
}

/**
 * CheckStateArray: a one-dimensional float8[] without NULLs and at least one element
 * (the count). Returns the raw float8 values.
 */
export function stateArrayValues(state: Value, caller: string): number[] {
  if (!isArrayValue(state) || state.dims.length !== 1 || state.dims[0]! < 1) throw expectedStateArray(caller);
  const out = new Array<number>(state.values.length);
  for (let i = 0; i < state.values.length; i++) {
    const v = state.values[i];
    if (v === null || v === undefined) throw expectedStateArray(caller);
    out[i] = toNumber(v);
  }
  return out;
}
