/**
 * pgvector's functions and operators (sql/vector.sql) as FunctionDef/OperatorDef lists.
 * Names, argument types and results follow the install script so `\df` and overload
 * resolution see what CREATE EXTENSION vector creates. Registered by register-vector.ts.
 */

import type { BitString } from './bit.ts';
import {
  hammingDistance,
  innerProduct,
  jaccardDistance,
  l2SquaredDistance,
  sphericalDistance,
} from './distance.ts';
import { checkBitLengths, metricFor } from './distance-metric.ts';
import type { HalfVector } from './halfvec.ts';
import * as H from './halfvec-ops.ts';
import type { FunctionDef, OperatorDef } from './registry-types.ts';
import * as S from './sparsevec-ops.ts';
import { arrayOf, type SqlType, T } from './type.ts';
import { checkSameDims } from './vector-checks.ts';
import * as V from './vector-ops.ts';

type Ty = 'vector' | 'halfvec' | 'sparsevec';
type Fn2 = (a: never, b: never) => unknown;

const float8Array: SqlType = arrayOf(T.float8);

function fn(
  name: string,
  args: FunctionDef['args'],
  result: SqlType,
  f: (...a: never[]) => unknown,
): FunctionDef {
  return { name, args, result, fn: (a) => (f as (...x: unknown[]) => unknown)(...a) };
}

function binary(name: string, ty: Ty | 'bit', result: SqlType, f: Fn2): FunctionDef {
  return fn(name, [ty, ty], result, f);
}

const dist = (op: string, ty: Ty) => metricFor(op, ty)!.fn as Fn2;

function halfDims(a: HalfVector, b: HalfVector): [Float32Array, Float32Array] {
  checkSameDims('halfvec', a.length, b.length);
  return [a.toFloat32(), b.toFloat32()];
}

function vecDims(a: Float32Array, b: Float32Array): void {
  checkSameDims('vector', a.length, b.length);
}

/** The six comparison functions plus *_cmp for one type, from its compare function. */
function comparisons(ty: Ty, cmp: (a: never, b: never) => number): FunctionDef[] {
  const c = cmp as (a: unknown, b: unknown) => number;
  return [
    binary(`${ty}_lt`, ty, T.bool, ((a: unknown, b: unknown) => c(a, b) < 0) as Fn2),
    binary(`${ty}_le`, ty, T.bool, ((a: unknown, b: unknown) => c(a, b) <= 0) as Fn2),
    binary(`${ty}_eq`, ty, T.bool, ((a: unknown, b: unknown) => c(a, b) === 0) as Fn2),
    binary(`${ty}_ne`, ty, T.bool, ((a: unknown, b: unknown) => c(a, b) !== 0) as Fn2),
    binary(`${ty}_ge`, ty, T.bool, ((a: unknown, b: unknown) => c(a, b) >= 0) as Fn2),
    binary(`${ty}_gt`, ty, T.bool, ((a: unknown, b: unknown) => c(a, b) > 0) as Fn2),
    binary(`${ty}_cmp`, ty, T.int4, cmp),
  ];
}

export const vectorFunctions: readonly FunctionDef[] = [
  // vector
  binary('l2_distance', 'vector', T.float8, dist('<->', 'vector')),
  binary('inner_product', 'vector', T.float8, ((a: Float32Array, b: Float32Array) => {
    vecDims(a, b);
    return innerProduct(a, b);
  }) as Fn2),
  binary('cosine_distance', 'vector', T.float8, dist('<=>', 'vector')),
  binary('l1_distance', 'vector', T.float8, dist('<+>', 'vector')),
  fn('vector_dims', ['vector'], T.int4, (a: Float32Array) => a.length),
  fn('vector_norm', ['vector'], T.float8, V.vectorNorm),
  fn('l2_normalize', ['vector'], T.vector, V.vectorL2Normalize),
  fn('binary_quantize', ['vector'], T.bit, V.binaryQuantize),
  fn('subvector', ['vector', 'int4', 'int4'], T.vector, V.subvector),
  binary('vector_add', 'vector', T.vector, V.vectorAdd),
  binary('vector_sub', 'vector', T.vector, V.vectorSub),
  binary('vector_mul', 'vector', T.vector, V.vectorMul),
  binary('vector_concat', 'vector', T.vector, V.vectorConcat),
  ...comparisons('vector', V.vectorCompare),
  binary('vector_l2_squared_distance', 'vector', T.float8, ((a: Float32Array, b: Float32Array) => {
    vecDims(a, b);
    return l2SquaredDistance(a, b);
  }) as Fn2),
  binary('vector_negative_inner_product', 'vector', T.float8, dist('<#>', 'vector')),
  binary('vector_spherical_distance', 'vector', T.float8, ((a: Float32Array, b: Float32Array) => {
    vecDims(a, b);
    return sphericalDistance(a, b);
  }) as Fn2),
  fn('vector_accum', [float8Array, 'vector'], float8Array, (s: unknown, x: Float32Array) =>
    V.accumState(s, x, 'vector_accum'),
  ),
  fn('vector_avg', [float8Array], T.vector, V.vectorAvg),
  fn('vector_combine', [float8Array, float8Array], float8Array, (a: unknown, b: unknown) =>
    V.combineStates(a, b, 'vector_combine', 'vector'),
  ),

  // halfvec
  binary('l2_distance', 'halfvec', T.float8, dist('<->', 'halfvec')),
  binary('inner_product', 'halfvec', T.float8, ((a: HalfVector, b: HalfVector) =>
    innerProduct(...halfDims(a, b))) as Fn2),
  binary('cosine_distance', 'halfvec', T.float8, dist('<=>', 'halfvec')),
  binary('l1_distance', 'halfvec', T.float8, dist('<+>', 'halfvec')),
  fn('vector_dims', ['halfvec'], T.int4, (a: HalfVector) => a.length),
  fn('l2_norm', ['halfvec'], T.float8, H.halfvecL2Norm),
  fn('l2_normalize', ['halfvec'], T.halfvec, H.halfvecL2Normalize),
  fn('binary_quantize', ['halfvec'], T.bit, H.halfvecBinaryQuantize),
  fn('subvector', ['halfvec', 'int4', 'int4'], T.halfvec, H.halfvecSubvector),
  binary('halfvec_add', 'halfvec', T.halfvec, H.halfvecAdd),
  binary('halfvec_sub', 'halfvec', T.halfvec, H.halfvecSub),
  binary('halfvec_mul', 'halfvec', T.halfvec, H.halfvecMul),
  binary('halfvec_concat', 'halfvec', T.halfvec, H.halfvecConcat),
  ...comparisons('halfvec', H.halfvecCompare),
  binary('halfvec_l2_squared_distance', 'halfvec', T.float8, ((a: HalfVector, b: HalfVector) =>
    l2SquaredDistance(...halfDims(a, b))) as Fn2),
  binary('halfvec_negative_inner_product', 'halfvec', T.float8, dist('<#>', 'halfvec')),
  binary('halfvec_spherical_distance', 'halfvec', T.float8, ((a: HalfVector, b: HalfVector) =>
    sphericalDistance(...halfDims(a, b))) as Fn2),
  fn('halfvec_accum', [float8Array, 'halfvec'], float8Array, (s: unknown, x: HalfVector) =>
    V.accumState(s, x.toFloat32(), 'halfvec_accum'),
  ),
  fn('halfvec_avg', [float8Array], T.halfvec, H.halfvecAvg),
  fn('halfvec_combine', [float8Array, float8Array], float8Array, (a: unknown, b: unknown) =>
    V.combineStates(a, b, 'vector_combine', 'halfvec'),
  ),

  // sparsevec
  binary('l2_distance', 'sparsevec', T.float8, dist('<->', 'sparsevec')),
  binary('inner_product', 'sparsevec', T.float8, S.sparsevecInnerProduct),
  binary('cosine_distance', 'sparsevec', T.float8, dist('<=>', 'sparsevec')),
  binary('l1_distance', 'sparsevec', T.float8, S.sparsevecL1),
  fn('l2_norm', ['sparsevec'], T.float8, S.sparsevecL2Norm),
  fn('l2_normalize', ['sparsevec'], T.sparsevec, S.sparsevecL2Normalize),
  ...comparisons('sparsevec', S.sparsevecCompare),
  binary('sparsevec_l2_squared_distance', 'sparsevec', T.float8, S.sparsevecL2Squared),
  binary('sparsevec_negative_inner_product', 'sparsevec', T.float8, dist('<#>', 'sparsevec')),

  // bit (pgvector adds only the two distances; the type itself is PostgreSQL's)
  binary('hamming_distance', 'bit', T.float8, ((a: BitString, b: BitString) => {
    checkBitLengths(a, b);
    return hammingDistance(a.bytes, b.bytes);
  }) as Fn2),
  binary('jaccard_distance', 'bit', T.float8, ((a: BitString, b: BitString) => {
    checkBitLengths(a, b);
    return jaccardDistance(a.bytes, b.bytes);
  }) as Fn2),
];

/** Operator → implementing function name, per type (CREATE OPERATOR … PROCEDURE = …). */
export const OPERATOR_PROCS: Record<Ty | 'bit', Record<string, string>> = {
  vector: {
    '<->': 'l2_distance',
    '<#>': 'vector_negative_inner_product',
    '<=>': 'cosine_distance',
    '<+>': 'l1_distance',
    '+': 'vector_add',
    '-': 'vector_sub',
    '*': 'vector_mul',
    '||': 'vector_concat',
    '<': 'vector_lt',
    '<=': 'vector_le',
    '=': 'vector_eq',
    '<>': 'vector_ne',
    '>=': 'vector_ge',
    '>': 'vector_gt',
  },
  halfvec: {},
  sparsevec: {},
  bit: { '<~>': 'hamming_distance', '<%>': 'jaccard_distance' },
};
OPERATOR_PROCS.halfvec = Object.fromEntries(
  Object.entries(OPERATOR_PROCS.vector).map(([op, f]) => [op, f.replace(/^vector_/, 'halfvec_')]),
);
OPERATOR_PROCS.sparsevec = Object.fromEntries(
  Object.entries(OPERATOR_PROCS.halfvec)
    .filter(([op]) => !['+', '-', '*', '||'].includes(op))
    .map(([op, f]) => [op, f.replace(/^halfvec_/, 'sparsevec_')]),
);

/** Every pgvector operator, bound to the same implementation as its function. */
export const vectorOperators: readonly OperatorDef[] = Object.entries(OPERATOR_PROCS).flatMap(([ty, ops]) =>
  Object.entries(ops).map(([op, procName]) => {
    const def = vectorFunctions.find((f) => f.name === procName && f.args[0] === ty)!;
    return {
      name: op,
      left: ty as Ty,
      right: ty as Ty,
      result: def.result,
      fn: (l: unknown, r: unknown, ctx) => def.fn([l, r], ctx, []),
    } satisfies OperatorDef;
  }),
);
