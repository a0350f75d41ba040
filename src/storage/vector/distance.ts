import {
  cosineDistance,
  hammingDistance,
  jaccardDistance,
  l1Distance,
  l2Distance,
  negativeInnerProduct,
} from '../../types/distance.ts';
import type { DistanceMetric } from '../vector-index.ts';

/**
 * Metric names and the exact distance function of each, in the units of pgvector's SQL
 * operators: used to rank exact scans, to re-rank IVFFlat lists and by the TypeScript HNSW.
 */
export type DistanceFunction<V> = (a: V, b: V) => number;

/** Metrics over Float32Array (`vector`). */
export type FloatMetric = 'l2' | 'ip' | 'cosine' | 'l1';
/** Metrics over packed bits (`bit`). */
export type BitMetric = 'hamming' | 'jaccard';

export function isFloatMetric(metric: DistanceMetric): metric is FloatMetric {
  return metric === 'l2' || metric === 'ip' || metric === 'cosine' || metric === 'l1';
}

export function isBitMetric(metric: DistanceMetric): metric is BitMetric {
  return metric === 'hamming' || metric === 'jaccard';
}

// The SQL operators' own kernels (src/types/distance.ts) are used for ranking too, so an
// exact scan orders rows by exactly the values `<->`, `<=>`, … return (float4 accumulation,
// as pgvector). Squared L2 and the plain dot product serve k-means and list choice.
export {
  cosineDistance,
  hammingDistance,
  innerProduct as dotProduct,
  jaccardDistance,
  l1Distance,
  l2Distance,
  l2SquaredDistance,
  negativeInnerProduct,
} from '../../types/distance.ts';

const FLOAT_DISTANCES: Record<FloatMetric, DistanceFunction<Float32Array>> = {
  l2: l2Distance,
  ip: negativeInnerProduct,
  cosine: cosineDistance,
  l1: l1Distance,
};

const BIT_DISTANCES: Record<BitMetric, DistanceFunction<Uint8Array>> = {
  hamming: hammingDistance,
  jaccard: jaccardDistance,
};

export function floatDistance(metric: FloatMetric): DistanceFunction<Float32Array> {
  return FLOAT_DISTANCES[metric];
}

export function bitDistance(metric: BitMetric): DistanceFunction<Uint8Array> {
  return BIT_DISTANCES[metric];
}
