/**
 * vector functions and operators with pgvector's semantics (vector.c): element-wise
 * arithmetic in float32 with overflow/underflow errors, concatenation, subvector's
 * substring-like bounds, normalization, binary quantization, comparison, and the
 * avg aggregate's float8[] state (vector_accum / vector_combine / vector_avg).
 */
import { BitString } from './bit.ts';
import type { Value } from './type.ts';
import { type ArrayValueLike, makeArray, stateArrayValues } from './vector-array.ts';
import {
  atLeastOneDimension,
  checkDim,
  checkElement,
  checkExpectedDim,
  checkSameDims,
  overflowError,
  underflowError,
} from './vector-checks.ts';

export function vectorAdd(a: Float32Array, b: Float32Array): Float32Array {
  checkSameDims('vector', a.length, b.length);
  const r = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) r[i] = a[i]! + b[i]!;
  for (let i = 0; i < r.length; i++) if (!Number.isFinite(r[i]!)) throw overflowError();
  return r;
}

export function vectorSub(a: Float32Array, b: Float32Array): Float32Array {
  checkSameDims('vector', a.length, b.length);
  const r = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) r[i] = a[i]! - b[i]!;
  for (let i = 0; i < r.length; i++) if (!Number.isFinite(r[i]!)) throw overflowError();
  return r;
}

/** vector_mul also reports underflow: a zero product of two non-zero elements. */
export function vectorMul(a: Float32Array, b: Float32Array): Float32Array {
  checkSameDims('vector', a.length, b.length);
  const r = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) r[i] = a[i]! * b[i]!;
  for (let i = 0; i < r.length; i++) {
    if (!Number.isFinite(r[i]!)) throw overflowError();
    if (r[i] === 0 && !(a[i] === 0 || b[i] === 0)) throw underflowError();
  }
  return r;
}

export function vectorConcat(a: Float32Array, b: Float32Array): Float32Array {
  checkDim('vector', a.length + b.length);
  const r = new Float32Array(a.length + b.length);
  r.set(a);
  r.set(b, a.length);
  return r;
}

/**
 * subvector(v, start, count), 1-based like substring: a start before 1 eats into the
 * count, a range past the end is cut; an empty result is 22000 `… at least 1 dimension`.
 * Shared with halfvec (same rules, its own type name).
 */
export function subvectorRange(
  dim: number,
  start: number,
  count: number,
  fail: () => Error,
): { from: number; to: number } {
  if (count < 1) throw fail();
  // start + count > dim, written so that it cannot overflow int32 in C.
  const end = start > dim - count ? dim + 1 : start + count;
  if (start < 1) start = 1;
  else if (start > dim) throw fail();
  if (end - start < 1) throw fail();
  return { from: start - 1, to: end - 1 };
}

export function subvector(a: Float32Array, start: number, count: number): Float32Array {
  const { from, to } = subvectorRange(a.length, start, count, () => atLeastOneDimension('vector'));
  return a.slice(from, to);
}

/** vector_norm: double accumulation. */
export function vectorNorm(a: ArrayLike<number>): number {
  let norm = 0;
  for (let i = 0; i < a.length; i++) norm += a[i]! * a[i]!;
  return Math.sqrt(norm);
}

/** l2_normalize: the zero vector stays zero; an infinite quotient is an overflow. */
export function vectorL2Normalize(a: Float32Array): Float32Array {
  const r = new Float32Array(a.length);
  const norm = vectorNorm(a);
  if (norm > 0) {
    for (let i = 0; i < a.length; i++) r[i] = a[i]! / norm;
    for (let i = 0; i < r.length; i++) if (!Number.isFinite(r[i]!)) throw overflowError();
  }
  return r;
}

/** binary_quantize: bit i is set when element i is > 0. */
export function binaryQuantize(a: ArrayLike<number>): BitString {
  const out = BitString.zeros(a.length);
  for (let i = 0; i < a.length; i++) if (a[i]! > 0) out.bytes[i >> 3]! |= 0x80 >> (i & 7);
  return out;
}

/** vector_cmp_internal: element by element first, then the shorter vector is smaller. */
export function vectorCompare(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  if (a.length < b.length) return -1;
  if (a.length > b.length) return 1;
  return 0;
}

/**
 * The avg aggregate's transition step on a float8[] state {n, sum_1, …, sum_dim}; the
 * initial state is '{0}'. Shared with halfvec (`caller` names the SQL function in errors).
 */
export function accumState(state: Value, x: ArrayLike<number>, caller: string): ArrayValueLike {
  const s = stateArrayValues(state, caller);
  const dim = s.length - 1;
  const out = new Array<number>(x.length + 1);
  out[0] = s[0]! + 1;
  if (dim === 0) {
    for (let i = 0; i < x.length; i++) out[i + 1] = x[i]!;
  } else {
    checkExpectedDim(dim, x.length);
    for (let i = 0; i < dim; i++) {
      const v = s[i + 1]! + x[i]!;
      if (!Number.isFinite(v)) throw overflowError();
      out[i + 1] = v;
    }
  }
  return makeArray(out);
}

/** vector_combine (also halfvec_combine): merges two partial avg states. */
export function combineStates(
  a: Value,
  b: Value,
  caller: string,
  type: 'vector' | 'halfvec',
): ArrayValueLike {
  const s1 = stateArrayValues(a, caller);
  const s2 = stateArrayValues(b, caller);
  const dim1 = s1.length - 1;
  const dim2 = s2.length - 1;
  let sums: number[];
  if (dim1 === 0 && dim2 === 0) sums = [];
  else if (dim1 === 0) {
    checkDim(type, dim2);
    sums = s2.slice(1);
  } else if (dim2 === 0) {
    checkDim(type, dim1);
    sums = s1.slice(1);
  } else {
    checkDim(type, dim1);
    checkExpectedDim(dim1, dim2);
    sums = new Array<number>(dim1);
    for (let i = 0; i < dim1; i++) {
      const v = s1[i + 1]! + s2[i + 1]!;
      if (!Number.isFinite(v)) throw overflowError();
      sums[i] = v;
    }
  }
  return makeArray([s1[0]! + s2[0]!, ...sums]);
}

/** vector_avg: NULL for no rows, else each sum / n rounded to float4 and checked. */
export function vectorAvg(state: Value): Float32Array | null {
  const s = stateArrayValues(state, 'vector_avg');
  const n = s[0]!;
  if (n === 0) return null;
  const dim = s.length - 1;
  checkDim('vector', dim);
  const r = new Float32Array(dim);
  for (let i = 0; i < dim; i++) {
    r[i] = s[i + 1]! / n;
    checkElement('vector', r[i]!);
  }
  return r;
}
