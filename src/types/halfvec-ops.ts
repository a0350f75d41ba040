/**
 * halfvec functions and operators (halfvec.c). Arithmetic happens in float4 on the exact
 * HalfToFloat4 values and rounds back to half, which is what both pgvector's _Float16 and
 * portable paths produce (sums and products of two halves are exact in float4).
 */
import type { BitString } from './bit.ts';
import { checkHalfElement, HalfVector } from './halfvec.ts';
import { floatToHalf, floatToHalfChecked, halfIsInf, halfIsZero } from './halfvec-float16.ts';
import type { Value } from './type.ts';
import { stateArrayValues } from './vector-array.ts';
import {
  atLeastOneDimension,
  checkDim,
  checkSameDims,
  overflowError,
  underflowError,
} from './vector-checks.ts';
import { binaryQuantize, subvectorRange, vectorCompare, vectorNorm } from './vector-ops.ts';

type FloatOp = (x: number, y: number) => number;

function elementwise(a: HalfVector, b: HalfVector, op: FloatOp): HalfVector {
  checkSameDims('halfvec', a.length, b.length);
  const ax = a.toFloat32();
  const bx = b.toFloat32();
  const bits = new Uint16Array(a.length);
  for (let i = 0; i < bits.length; i++) bits[i] = floatToHalf(Math.fround(op(ax[i]!, bx[i]!)));
  for (let i = 0; i < bits.length; i++) if (halfIsInf(bits[i]!)) throw overflowError();
  return new HalfVector(bits);
}

export function halfvecAdd(a: HalfVector, b: HalfVector): HalfVector {
  return elementwise(a, b, (x, y) => x + y);
}

export function halfvecSub(a: HalfVector, b: HalfVector): HalfVector {
  return elementwise(a, b, (x, y) => x - y);
}

/** halfvec_mul: overflow, then underflow (a zero product of two non-zero halves). */
export function halfvecMul(a: HalfVector, b: HalfVector): HalfVector {
  checkSameDims('halfvec', a.length, b.length);
  const ax = a.toFloat32();
  const bx = b.toFloat32();
  const bits = new Uint16Array(a.length);
  for (let i = 0; i < bits.length; i++) bits[i] = floatToHalf(Math.fround(ax[i]! * bx[i]!));
  for (let i = 0; i < bits.length; i++) {
    if (halfIsInf(bits[i]!)) throw overflowError();
    if (halfIsZero(bits[i]!) && !(halfIsZero(a.bits[i]!) || halfIsZero(b.bits[i]!))) throw underflowError();
  }
  return new HalfVector(bits);
}

export function halfvecConcat(a: HalfVector, b: HalfVector): HalfVector {
  checkDim('halfvec', a.length + b.length);
  const bits = new Uint16Array(a.length + b.length);
  bits.set(a.bits);
  bits.set(b.bits, a.length);
  return new HalfVector(bits);
}

export function halfvecSubvector(a: HalfVector, start: number, count: number): HalfVector {
  const { from, to } = subvectorRange(a.length, start, count, () => atLeastOneDimension('halfvec'));
  return new HalfVector(a.bits.slice(from, to));
}

export function halfvecL2Norm(a: HalfVector): number {
  return vectorNorm(a.toFloat32());
}

/** l2_normalize(halfvec): (float)(x / norm) rounded to half; an infinite half is overflow. */
export function halfvecL2Normalize(a: HalfVector): HalfVector {
  const ax = a.toFloat32();
  const norm = vectorNorm(ax);
  const bits = new Uint16Array(a.length);
  if (norm > 0) {
    for (let i = 0; i < bits.length; i++) bits[i] = floatToHalf(Math.fround(ax[i]! / norm));
    for (let i = 0; i < bits.length; i++) if (halfIsInf(bits[i]!)) throw overflowError();
  }
  return new HalfVector(bits);
}

export function halfvecBinaryQuantize(a: HalfVector): BitString {
  return binaryQuantize(a.toFloat32());
}

export function halfvecCompare(a: HalfVector, b: HalfVector): number {
  return vectorCompare(a.toFloat32(), b.toFloat32());
}

/** Float4ToHalf on every element (vector → halfvec and array casts), then CheckElement. */
export function halfvecFromFloats(values: ArrayLike<number>): HalfVector {
  const bits = new Uint16Array(values.length);
  for (let i = 0; i < bits.length; i++) bits[i] = floatToHalfChecked(values[i]!);
  for (let i = 0; i < bits.length; i++) checkHalfElement(bits[i]!);
  return new HalfVector(bits);
}

/** halfvec_avg: NULL for no rows; each sum / n to float4, then Float4ToHalf and checks. */
export function halfvecAvg(state: Value): HalfVector | null {
  const s = stateArrayValues(state, 'halfvec_avg');
  const n = s[0]!;
  if (n === 0) return null;
  const dim = s.length - 1;
  checkDim('halfvec', dim);
  const bits = new Uint16Array(dim);
  for (let i = 0; i < dim; i++) {
    bits[i] = floatToHalfChecked(Math.fround(s[i + 1]! / n));
    checkHalfElement(bits[i]!);
  }
  return new HalfVector(bits);
}
