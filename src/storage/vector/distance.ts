import type { DistanceMetric } from '../vector-index.ts';

/**
 * Exact distance functions in the units of pgvector's SQL operators, used to rank exact
 * scans, to re-rank IVFFlat lists and by the pure TypeScript HNSW. Sums are accumulated in
 * double precision; pgvector accumulates in float, so results may differ from PostgreSQL in
 * the last float digits, never in order except for near-ties.
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

/** `<->`: euclidean distance (not squared). */
export function l2Distance(a: Float32Array, b: Float32Array): number {
  return Math.sqrt(l2SquaredDistance(a, b));
}

/** Squared euclidean distance: same order as `<->`, one sqrt cheaper (k-means, list choice). */
export function l2SquaredDistance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return sum;
}

export function dotProduct(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** `<#>`: the NEGATIVE inner product, so that smaller is closer like every other operator. */
export function negativeInnerProduct(a: Float32Array, b: Float32Array): number {
  return -dotProduct(a, b);
}

/**
 * `<=>`: 1 - cosine similarity. A zero vector gives NaN, as pgvector's cosine_distance does;
 * such rows are never put in an index (the caller skips them, as pgvector does).
 */
export function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  const similarity = dot / Math.sqrt(normA * normB);
  // Rounding can push |similarity| just past 1; pgvector clamps to [-1, 1] the same way.
  if (similarity > 1) return 0;
  if (similarity < -1) return 2;
  return 1 - similarity;
}

/** `<+>`: taxicab distance. */
export function l1Distance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum;
}

/** Set bits per byte value, so bit distances cost one lookup per 8 dimensions. */
const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

/**
 * `<~>` over packed bits (8 dimensions per byte, padding bits zero). Bit order inside a
 * byte does not matter for hamming or jaccard as long as both sides use the same one.
 */
export function hammingDistance(a: Uint8Array, b: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < a.length; i++) count += POPCOUNT[a[i] ^ b[i]];
  return count;
}

/** `<%>` over packed bits: 1 - |a ∧ b| / |a ∨ b|. */
export function jaccardDistance(a: Uint8Array, b: Uint8Array): number {
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    intersection += POPCOUNT[a[i] & b[i]];
    union += POPCOUNT[a[i] | b[i]];
  }
  // pgvector returns 1 whenever the intersection is empty, including two all-zero vectors.
  if (intersection === 0) return 1;
  return 1 - intersection / union;
}

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
