import { dotProduct, l2SquaredDistance } from './distance.ts';
import { SeededRandom } from './seeded-random.ts';

export interface KMeansOptions {
  readonly centers: number;
  /**
   * Spherical k-means: centres are renormalized after every update and points go to the
   * centre with the largest inner product. pgvector does this for `vector_ip_ops` and
   * `vector_cosine_ops` (their k-means norm support function); for cosine the caller also
   * passes normalized points.
   */
  readonly spherical: boolean;
  readonly seed?: number;
  /** Lloyd iterations at most; training stops earlier once no point changes cluster. */
  readonly maxIterations?: number;
}

/**
 * Trains IVFFlat list centres on `points` (already a sample: pgvector trains on
 * `lists * 50` sampled rows). k-means++ seeding (each new centre drawn with probability
 * proportional to squared distance from the nearest chosen one) followed by a bounded
 * number of Lloyd iterations; deterministic for a given seed and point order.
 *
 * With fewer points than centres (pgvector allows `lists` above the row count), the points
 * become centres and the rest are random vectors: those lists stay empty until rows near
 * them arrive, and search still works.
 */
export function kmeans(
  points: readonly Float32Array[],
  dimensions: number,
  options: KMeansOptions,
): Float32Array[] {
  const random = new SeededRandom(options.seed ?? 1);
  const k = options.centers;
  if (points.length <= k) {
    const centers = points.map((p) => Float32Array.from(p));
    while (centers.length < k) {
      const c = new Float32Array(dimensions);
      for (let d = 0; d < dimensions; d++) c[d] = random.gaussian();
      centers.push(c);
    }
    if (options.spherical) centers.forEach(normalizeInPlace);
    return centers;
  }
  const centers = seedPlusPlus(points, k, random);
  if (options.spherical) centers.forEach(normalizeInPlace);
  const assignment = new Int32Array(points.length).fill(-1);
  const sums = new Float64Array(k * dimensions);
  const counts = new Int32Array(k);
  const maxIterations = options.maxIterations ?? 25;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    let changed = 0;
    for (let i = 0; i < points.length; i++) {
      const nearest = nearestCenter(points[i], centers, options.spherical);
      if (nearest !== assignment[i]) {
        assignment[i] = nearest;
        changed++;
      }
    }
    if (changed === 0) break;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < points.length; i++) {
      const c = assignment[i];
      counts[c]++;
      const p = points[i];
      const base = c * dimensions;
      for (let d = 0; d < dimensions; d++) sums[base + d] += p[d];
    }
    for (let c = 0; c < k; c++) {
      const center = centers[c];
      if (counts[c] === 0) {
        // An empty cluster would be a wasted list: restart it on a random point.
        center.set(points[random.nextInt(points.length)]);
      } else {
        const base = c * dimensions;
        for (let d = 0; d < dimensions; d++) center[d] = sums[base + d] / counts[c];
      }
      if (options.spherical) normalizeInPlace(center);
    }
  }
  return centers;
}

/** Index of the centre a point belongs to: least squared L2, or largest dot product (spherical). */
export function nearestCenter(
  point: Float32Array,
  centers: readonly Float32Array[],
  spherical: boolean,
): number {
  let best = 0;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let c = 0; c < centers.length; c++) {
    const score = spherical ? -dotProduct(point, centers[c]) : l2SquaredDistance(point, centers[c]);
    if (score < bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return best;
}

export function normalizeInPlace(v: Float32Array): void {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i] * v[i];
  if (norm === 0) return;
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < v.length; i++) v[i] *= scale;
}

/** k-means++ seeding (Arthur & Vassilvitskii, 2007). */
function seedPlusPlus(points: readonly Float32Array[], k: number, random: SeededRandom): Float32Array[] {
  const centers = [Float32Array.from(points[random.nextInt(points.length)])];
  const nearest = new Float64Array(points.length);
  for (let i = 0; i < points.length; i++) nearest[i] = l2SquaredDistance(points[i], centers[0]);
  while (centers.length < k) {
    let total = 0;
    for (let i = 0; i < points.length; i++) total += nearest[i];
    let chosen = points.length - 1;
    if (total > 0) {
      let target = random.next() * total;
      for (let i = 0; i < points.length; i++) {
        target -= nearest[i];
        if (target < 0) {
          chosen = i;
          break;
        }
      }
    } else {
      // All points coincide with chosen centres (duplicates): any point will do.
      chosen = random.nextInt(points.length);
    }
    const center = Float32Array.from(points[chosen]);
    centers.push(center);
    for (let i = 0; i < points.length; i++) {
      const d = l2SquaredDistance(points[i], center);
      if (d < nearest[i]) nearest[i] = d;
    }
  }
  return centers;
}
