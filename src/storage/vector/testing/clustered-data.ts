import { SeededRandom } from '../seeded-random.ts';

export interface ClusteredDataOptions {
  readonly count: number;
  readonly dimensions: number;
  /** Number of Gaussian components (default 128). */
  readonly clusters?: number;
  readonly seed?: number;
  /** Spread of the cluster centres relative to the cluster widths (default 1.5; lower overlaps more). */
  readonly separation?: number;
  /** Rank of the correlated (non axis-aligned) part of each cluster's covariance (default 4). */
  readonly correlatedRank?: number;
}

/** A mixture model whose samples serve as both the indexed rows and the queries. */
export interface ClusteredData {
  readonly vectors: Float32Array[];
  /** The component each of `vectors` was drawn from (to replay rows in cluster order). */
  readonly components: Int32Array;
  /** Draws more points from the same mixture, e.g. queries, with their own seed. */
  sample(count: number, seed: number): Float32Array[];
}

interface Component {
  readonly centre: Float64Array;
  /** Per-axis standard deviation: different per cluster and axis (anisotropic). */
  readonly scales: Float64Array;
  /** `rank` random directions, each of its own length: correlation across axes. */
  readonly directions: Float64Array[];
}

/**
 * A deterministic anisotropic Gaussian mixture, for recall tests and benchmarks. Uniform
 * noise makes every neighbour almost equally far (recall there says nothing); real
 * embeddings are clustered, of unequal cluster sizes, stretched along a few directions.
 * This mimics that: unequal (Zipf-like) weights, per-axis log-normal widths, plus a
 * low-rank correlated term so clusters are not axis-aligned ellipsoids.
 */
export function clusteredData(options: ClusteredDataOptions): ClusteredData {
  const { dimensions } = options;
  const clusters = options.clusters ?? 128;
  const separation = options.separation ?? 1.5;
  const rank = options.correlatedRank ?? 4;
  const random = new SeededRandom(options.seed ?? 1);

  const components: Component[] = [];
  for (let c = 0; c < clusters; c++) {
    const centre = new Float64Array(dimensions);
    const scales = new Float64Array(dimensions);
    for (let d = 0; d < dimensions; d++) {
      centre[d] = random.gaussian() * separation;
      scales[d] = Math.exp(random.gaussian() * 0.5) * 0.5;
    }
    const directions: Float64Array[] = [];
    for (let r = 0; r < rank; r++) {
      const direction = new Float64Array(dimensions);
      const length = Math.exp(random.gaussian() * 0.5);
      for (let d = 0; d < dimensions; d++)
        direction[d] = (random.gaussian() * length) / Math.sqrt(dimensions);
      directions.push(direction);
    }
    components.push({ centre, scales, directions });
  }
  // Zipf-like cluster weights: a few large clusters and a long tail, as in real corpora.
  const cumulative = new Float64Array(clusters);
  let total = 0;
  for (let c = 0; c < clusters; c++) {
    total += 1 / (c + 1) ** 0.7;
    cumulative[c] = total;
  }

  const sampleWithComponents = (count: number, seed: number) => {
    const rng = new SeededRandom(seed);
    const out: Float32Array[] = [];
    const of = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const u = rng.next() * total;
      let c = 0;
      while (cumulative[c] < u) c++;
      of[i] = c;
      out.push(draw(components[c], rng, dimensions));
    }
    return { vectors: out, components: of };
  };
  const sample = (count: number, seed: number): Float32Array[] => sampleWithComponents(count, seed).vectors;

  return { ...sampleWithComponents(options.count, (options.seed ?? 1) + 7919), sample };
}

function draw(component: Component, rng: SeededRandom, dimensions: number): Float32Array {
  const v = new Float32Array(dimensions);
  for (let d = 0; d < dimensions; d++) v[d] = component.centre[d] + rng.gaussian() * component.scales[d];
  for (const direction of component.directions) {
    const w = rng.gaussian();
    for (let d = 0; d < dimensions; d++) v[d] += w * direction[d] * Math.sqrt(dimensions) * 0.5;
  }
  return v;
}
