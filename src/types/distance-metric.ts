/**
 * Which distance an ORDER BY operator means, per type: the planner asks this to turn
 * `ORDER BY col <op> $1 LIMIT k` into a vector search, and the executor uses `fn` for
 * exact scans and re-ranking. `fn` checks dimensions and returns the operator's value,
 * identical to the SQL operator (pgvector semantics: `<#>` is the negative inner product,
 * `<=>` is NaN for zero vectors).
 */

import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { DistanceMetric } from '../storage/vector-index.ts';
import type { BitString } from './bit.ts';
import {
  cosineDistance,
  hammingDistance,
  jaccardDistance,
  l1Distance,
  l2Distance,
  negativeInnerProduct,
} from './distance.ts';
import type { HalfVector } from './halfvec.ts';
import type { SparseVector } from './sparsevec.ts';
import {
  sparsevecCosineDistance,
  sparsevecInnerProduct,
  sparsevecL1,
  sparsevecL2Squared,
} from './sparsevec-ops.ts';
import type { Value } from './type.ts';
import { checkSameDims } from './vector-checks.ts';

export type DistanceOperator = '<->' | '<#>' | '<=>' | '<+>' | '<~>' | '<%>';
export type VectorLikeType = 'vector' | 'halfvec' | 'sparsevec' | 'bit' | 'varbit';

export interface MetricBinding {
  readonly metric: DistanceMetric;
  readonly fn: (a: Value, b: Value) => number;
}

export const METRIC_OF_OPERATOR: Readonly<Record<DistanceOperator, DistanceMetric>> = {
  '<->': 'l2',
  '<#>': 'ip',
  '<=>': 'cosine',
  '<+>': 'l1',
  '<~>': 'hamming',
  '<%>': 'jaccard',
};

type Kernel = (a: Float32Array, b: Float32Array) => number;

const denseKernels: Record<'l2' | 'ip' | 'cosine' | 'l1', Kernel> = {
  l2: l2Distance,
  ip: negativeInnerProduct,
  cosine: cosineDistance,
  l1: l1Distance,
};

/** CheckDims of bitvec.c. */
export function checkBitLengths(a: BitString, b: BitString): void {
  if (a.length !== b.length) {
    throw new SqlError(SqlState.DataException, `different bit lengths ${a.length} and ${b.length}`);
  }
}

function denseFor(type: 'vector' | 'halfvec', kernel: Kernel): (a: Value, b: Value) => number {
  if (type === 'vector') {
    return (a, b) => {
      const x = a as Float32Array;
      const y = b as Float32Array;
      checkSameDims('vector', x.length, y.length);
      return kernel(x, y);
    };
  }
  return (a, b) => {
    const x = a as HalfVector;
    const y = b as HalfVector;
    checkSameDims('halfvec', x.length, y.length);
    return kernel(x.toFloat32(), y.toFloat32());
  };
}

const sparseFns: Record<'l2' | 'ip' | 'cosine' | 'l1', (a: SparseVector, b: SparseVector) => number> = {
  l2: (a, b) => Math.sqrt(sparsevecL2Squared(a, b)),
  ip: (a, b) => -sparsevecInnerProduct(a, b),
  cosine: (a, b) => {
    checkSameDims('sparsevec', a.dim, b.dim);
    return sparsevecCosineDistance(a, b);
  },
  l1: sparsevecL1,
};

/** The metric and distance function of `op` on `type`, or undefined when pgvector has no such operator. */
export function metricFor(op: string, type: VectorLikeType): MetricBinding | undefined {
  const metric = METRIC_OF_OPERATOR[op as DistanceOperator];
  if (!metric) return undefined;
  if (type === 'bit' || type === 'varbit') {
    if (metric === 'hamming') {
      return {
        metric,
        fn: (a, b) => {
          checkBitLengths(a as BitString, b as BitString);
          return hammingDistance((a as BitString).bytes, (b as BitString).bytes);
        },
      };
    }
    if (metric === 'jaccard') {
      return {
        metric,
        fn: (a, b) => {
          checkBitLengths(a as BitString, b as BitString);
          return jaccardDistance((a as BitString).bytes, (b as BitString).bytes);
        },
      };
    }
    return undefined;
  }
  if (metric === 'hamming' || metric === 'jaccard') return undefined;
  if (type === 'sparsevec') {
    const f = sparseFns[metric];
    return { metric, fn: (a, b) => f(a as SparseVector, b as SparseVector) };
  }
  return { metric, fn: denseFor(type, denseKernels[metric]) };
}
