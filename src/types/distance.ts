/**
 * Distance kernels shared by the SQL functions and the vector indexes.
 *
 * pgvector accumulates in C `float` (VectorL2SquaredDistance, VectorInnerProduct,
 * VectorCosineSimilarity, VectorL1Distance in vector.c) and widens to double only for the
 * result, so these kernels round every partial sum to float32 with Math.fround. That keeps
 * results bit-identical to pgvector whenever the C loop runs in order (small dimensions,
 * the regression tests) and within float32 rounding of it when the compiler vectorizes
 * the loop. pgvector builds with -ffp-contract=fast and an FMA clone of each loop, so a
 * product is added without being rounded first: the product of two float32s is exact in
 * double, and fround(sum + x * y) is that fused multiply-add (barring a double-rounding
 * tie). Callers check dimensions; the kernels assume equal lengths
 * and never allocate.
 */

/** Squared Euclidean distance (vector_l2_squared_distance; hnsw/ivfflat build on it). */
export function l2SquaredDistance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.fround(a[i]! - b[i]!);
    sum = Math.fround(sum + d * d);
  }
  return sum;
}

/** Euclidean distance, the `<->` operator: sqrt in double of the float32 sum. */
export function l2Distance(a: Float32Array, b: Float32Array): number {
  return Math.sqrt(l2SquaredDistance(a, b));
}

/** Inner product (inner_product); `<#>` is its negation. */
export function innerProduct(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum = Math.fround(sum + a[i]! * b[i]!);
  return sum;
}

/** `<#>`: negative inner product, so that smaller is closer like every other operator. */
export function negativeInnerProduct(a: Float32Array, b: Float32Array): number {
  return -innerProduct(a, b);
}

/**
 * Cosine similarity as VectorCosineSimilarity: float32 sums, then sim / sqrt(|a|²·|b|²) in
 * double ("sqrt(a * b) over sqrt(a) * sqrt(b)"). NaN when either vector has zero norm.
 */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  let sim = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    sim = Math.fround(sim + x * y);
    na = Math.fround(na + x * x);
    nb = Math.fround(nb + y * y);
  }
  return sim / Math.sqrt(na * nb);
}

/** `<=>`: 1 − similarity clamped to [−1, 1]; NaN stays NaN (zero vectors), as in pgvector. */
export function cosineDistance(a: Float32Array, b: Float32Array): number {
  return cosineDistanceFromSimilarity(cosineSimilarity(a, b));
}

export function cosineDistanceFromSimilarity(similarity: number): number {
  let s = similarity;
  if (s > 1) s = 1;
  else if (s < -1) s = -1;
  return 1 - s;
}

/** `<+>`: taxicab distance (VectorL1Distance, fabsf of float32 differences). */
export function l1Distance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum = Math.fround(sum + Math.abs(Math.fround(a[i]! - b[i]!)));
  return sum;
}

/** Spherical (angular) distance used by IVFFlat's spherical k-means: acos(ip) / π on unit vectors. */
export function sphericalDistance(a: Float32Array, b: Float32Array): number {
  let d = innerProduct(a, b);
  if (d > 1) d = 1;
  else if (d < -1) d = -1;
  return Math.acos(d) / Math.PI;
}

/** Euclidean norm with double accumulation (vector_norm / l2_norm). */
export function l2Norm(a: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * a[i]!;
  return Math.sqrt(sum);
}

/** Number of set bits in each byte value (pg_number_of_ones). */
const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]!;

/**
 * `<~>`: Hamming distance between two packed bit strings of `nbytes` bytes (the bits
 * past the bit length are zero in both, as PostgreSQL keeps them).
 */
export function hammingDistance(a: Uint8Array, b: Uint8Array, nbytes = a.length): number {
  let d = 0;
  for (let i = 0; i < nbytes; i++) d += POPCOUNT[a[i]! ^ b[i]!]!;
  return d;
}

/** `<%>`: Jaccard distance 1 − |a∧b| / |a∨b|; 1 when the strings share no set bit (BitJaccardDistance). */
export function jaccardDistance(a: Uint8Array, b: Uint8Array, nbytes = a.length): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < nbytes; i++) {
    const x = a[i]!;
    const y = b[i]!;
    ab += POPCOUNT[x & y]!;
    aa += POPCOUNT[x]!;
    bb += POPCOUNT[y]!;
  }
  if (ab === 0) return 1;
  return 1 - ab / (aa + bb - ab);
}

/*
 * Fast variants for index builds and candidate ranking: double accumulation with four
 * independent partial sums (about 3× faster than the float32 chain above for 768
 * dimensions, and more accurate). Their results can differ from the SQL operators in the
 * last float32 bits, so anything shown to the user is recomputed with the exact kernels.
 */

export function l2SquaredDistanceFast(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  const m = n - (n & 3);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i < m; i += 4) {
    const d0 = a[i]! - b[i]!;
    const d1 = a[i + 1]! - b[i + 1]!;
    const d2 = a[i + 2]! - b[i + 2]!;
    const d3 = a[i + 3]! - b[i + 3]!;
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; i < n; i++) {
    const d = a[i]! - b[i]!;
    s0 += d * d;
  }
  return s0 + s1 + s2 + s3;
}

export function innerProductFast(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  const m = n - (n & 3);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i < m; i += 4) {
    s0 += a[i]! * b[i]!;
    s1 += a[i + 1]! * b[i + 1]!;
    s2 += a[i + 2]! * b[i + 2]!;
    s3 += a[i + 3]! * b[i + 3]!;
  }
  for (; i < n; i++) s0 += a[i]! * b[i]!;
  return s0 + s1 + s2 + s3;
}

export function cosineDistanceFast(a: Float32Array, b: Float32Array): number {
  let sim = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    sim += x * y;
    na += x * x;
    nb += y * y;
  }
  return cosineDistanceFromSimilarity(sim / Math.sqrt(na * nb));
}

export function l1DistanceFast(a: Float32Array, b: Float32Array): number {
  let s0 = 0;
  let s1 = 0;
  const n = a.length;
  const m = n - (n & 1);
  let i = 0;
  for (; i < m; i += 2) {
    s0 += Math.abs(a[i]! - b[i]!);
    s1 += Math.abs(a[i + 1]! - b[i + 1]!);
  }
  if (i < n) s0 += Math.abs(a[i]! - b[i]!);
  return s0 + s1;
}
