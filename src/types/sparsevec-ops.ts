/**
 * sparsevec distances, norms, comparison and conversions (sparsevec.c). The distance
 * loops visit indices in ascending order and accumulate in float32, which is the order
 * pgvector's merge loops add in, so results match it bit for bit.
 */

import { cosineDistanceFromSimilarity } from './distance.ts';
import { checkHalfElement, HalfVector } from './halfvec.ts';
import { floatToHalfChecked } from './halfvec-float16.ts';
import { checkNnz, SparseVector } from './sparsevec.ts';
import { checkDim, checkElement, checkExpectedDim, checkSameDims, overflowError } from './vector-checks.ts';

/** Squared L2 over the union of indices (SparsevecL2SquaredDistance). */
export function sparsevecL2Squared(a: SparseVector, b: SparseVector): number {
  checkSameDims('sparsevec', a.dim, b.dim);
  return mergeSum(a, b, (x, y) => {
    const d = Math.fround(x - y);
    return d * d;
  });
}

/** L1 over the union of indices (sparsevec_l1_distance, fabsf of float32 differences). */
export function sparsevecL1(a: SparseVector, b: SparseVector): number {
  checkSameDims('sparsevec', a.dim, b.dim);
  return mergeSum(a, b, (x, y) => Math.abs(Math.fround(x - y)));
}

/** Adds term(x, y) for every index in either vector (missing side = 0), ascending. */
function mergeSum(a: SparseVector, b: SparseVector, term: (x: number, y: number) => number): number {
  let sum = 0;
  let i = 0;
  let j = 0;
  const ai = a.indices;
  const bi = b.indices;
  while (i < ai.length || j < bi.length) {
    if (j >= bi.length || (i < ai.length && ai[i]! < bi[j]!))
      sum = Math.fround(sum + term(a.values[i++]!, 0));
    else if (i >= ai.length || bi[j]! < ai[i]!) sum = Math.fround(sum + term(0, b.values[j++]!));
    else sum = Math.fround(sum + term(a.values[i++]!, b.values[j++]!));
  }
  return sum;
}

/** Inner product over the common indices (SparsevecInnerProduct). */
export function sparsevecInnerProduct(a: SparseVector, b: SparseVector): number {
  checkSameDims('sparsevec', a.dim, b.dim);
  let sum = 0;
  let i = 0;
  let j = 0;
  while (i < a.indices.length && j < b.indices.length) {
    const x = a.indices[i]!;
    const y = b.indices[j]!;
    if (x === y) sum = Math.fround(sum + a.values[i++]! * b.values[j++]!);
    else if (x < y) i++;
    else j++;
  }
  return sum;
}

function squaredNormF32(v: SparseVector): number {
  let s = 0;
  for (let i = 0; i < v.values.length; i++) s = Math.fround(s + v.values[i]! * v.values[i]!);
  return s;
}

/** sparsevec_cosine_distance: NaN when either vector is all zeros. */
export function sparsevecCosineDistance(a: SparseVector, b: SparseVector): number {
  const ip = sparsevecInnerProduct(a, b);
  return cosineDistanceFromSimilarity(ip / Math.sqrt(squaredNormF32(a) * squaredNormF32(b)));
}

export function sparsevecL2Norm(a: SparseVector): number {
  let norm = 0;
  for (let i = 0; i < a.values.length; i++) norm += a.values[i]! * a.values[i]!;
  return Math.sqrt(norm);
}

/** l2_normalize(sparsevec): values that become zero in float4 are dropped. */
export function sparsevecL2Normalize(a: SparseVector): SparseVector {
  const norm = sparsevecL2Norm(a);
  if (!(norm > 0)) return new SparseVector(a.dim, a.indices.slice(), a.values.slice());
  const idx: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < a.values.length; i++) {
    const r = Math.fround(a.values[i]! / norm);
    if (!Number.isFinite(r)) throw overflowError();
    if (r !== 0) {
      idx.push(a.indices[i]!);
      vals.push(r);
    }
  }
  return new SparseVector(a.dim, Int32Array.from(idx), Float32Array.from(vals));
}

/** sparsevec_cmp_internal: compares as the dense vectors would, dimension last. */
export function sparsevecCompare(a: SparseVector, b: SparseVector): number {
  const ax = a.values;
  const bx = b.values;
  const nnz = Math.min(a.nnz, b.nnz);
  for (let i = 0; i < nnz; i++) {
    if (a.indices[i]! < b.indices[i]!) return ax[i]! < 0 ? -1 : 1;
    if (a.indices[i]! > b.indices[i]!) return bx[i]! < 0 ? 1 : -1;
    if (ax[i]! < bx[i]!) return -1;
    if (ax[i]! > bx[i]!) return 1;
  }
  if (a.nnz < b.nnz && b.indices[nnz]! < a.dim) return bx[nnz]! < 0 ? 1 : -1;
  if (a.nnz > b.nnz && a.indices[nnz]! < b.dim) return ax[nnz]! < 0 ? -1 : 1;
  if (a.dim < b.dim) return -1;
  if (a.dim > b.dim) return 1;
  return 0;
}

/**
 * vector_to_sparsevec / halfvec_to_sparsevec / array_to_sparsevec: dense float4 values to
 * sparse, with the dimension, typmod, nnz and element checks in pgvector's order.
 */
export function sparsevecFromDense(values: ArrayLike<number>, typmod: number): SparseVector {
  checkDim('sparsevec', values.length);
  checkExpectedDim(typmod, values.length);
  let nnz = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) nnz++;
  checkNnz(nnz, values.length);
  const indices = new Int32Array(nnz);
  const out = new Float32Array(nnz);
  let j = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== 0) {
      indices[j] = i;
      out[j++] = values[i]!;
    }
  }
  for (let k = 0; k < nnz; k++) checkElement('sparsevec', out[k]!);
  return new SparseVector(values.length, indices, out);
}

/** sparsevec_to_vector: the vector dimension limits apply (16000). */
export function sparsevecToVector(a: SparseVector, typmod: number): Float32Array {
  checkDim('vector', a.dim);
  checkExpectedDim(typmod, a.dim);
  return a.toDense();
}

/** sparsevec_to_halfvec: Float4ToHalf on the stored values (65520 → out of range). */
export function sparsevecToHalfvec(a: SparseVector, typmod: number): HalfVector {
  checkDim('halfvec', a.dim);
  checkExpectedDim(typmod, a.dim);
  const bits = new Uint16Array(a.dim);
  for (let i = 0; i < a.nnz; i++) bits[a.indices[i]!] = floatToHalfChecked(a.values[i]!);
  for (let i = 0; i < bits.length; i++) checkHalfElement(bits[i]!);
  return new HalfVector(bits);
}
