/**
 * The kNN benchmark's datasets, generated deterministically from a seed: rows and queries
 * from one clustered anisotropic Gaussian mixture (src/storage/vector/testing/clustered-data.ts,
 * the project's seeded PRNG), plus a `category` column for filtered queries. Uniform noise
 * would make recall meaningless (every neighbour almost equally far); real embeddings are
 * clustered, in clusters of unequal size, stretched along a few directions.
 */
import { SeededRandom } from '../../src/storage/vector/seeded-random.ts';
import { clusteredData } from '../../src/storage/vector/testing/clustered-data.ts';

export type Metric = 'l2' | 'cosine';

export interface DatasetSpec {
  readonly name: string;
  readonly rows: number;
  readonly dimensions: number;
  readonly metric: Metric;
  readonly clusters: number;
}

export const DATASETS: readonly DatasetSpec[] = [
  { name: 'clustered-100k-128', rows: 100_000, dimensions: 128, metric: 'l2', clusters: 300 },
  { name: 'clustered-1m-128', rows: 1_000_000, dimensions: 128, metric: 'l2', clusters: 500 },
  { name: 'clustered-50k-768', rows: 50_000, dimensions: 768, metric: 'cosine', clusters: 200 },
];

/**
 * Bumped whenever the generator's output changes, so cached ground truth computed for the
 * old rows is never used for the new ones.
 */
export const GENERATOR_VERSION = 1;

/**
 * Filter selectivities (percent of rows) and how the category column realizes them:
 * category 0 holds 10% of the rows, categories 1…90 hold 1% each. A 1% query picks one of
 * the 90 so the filtered queries do not all hit the same rows.
 */
export const SELECTIVITIES: readonly number[] = [10, 1];
const ONE_PERCENT_CATEGORIES = 90;

export interface Dataset {
  readonly spec: DatasetSpec;
  readonly seed: number;
  /** Row i has id i; views into `flat`. */
  readonly vectors: Float32Array[];
  readonly flat: Float32Array;
  readonly categories: Int32Array;
  /** The mixture component row i was drawn from. */
  readonly components: Int32Array;
  readonly queries: Float32Array[];
}

export function findDataset(name: string, rowsOverride?: number): DatasetSpec {
  const spec = DATASETS.find((d) => d.name === name);
  if (!spec) throw new Error(`unknown dataset ${name} (known: ${DATASETS.map((d) => d.name).join(', ')})`);
  return rowsOverride ? { ...spec, rows: rowsOverride } : spec;
}

/**
 * The rows, their categories and `queryCount` queries. Every row is an independent draw
 * (cluster chosen at random per row), so rows arrive in a random cluster order — the
 * deterministic shuffle that keeps an index build from seeing one cluster at a time.
 * Queries come from the same mixture with their own seed, so they are not table rows.
 */
export function generateDataset(spec: DatasetSpec, seed: number, queryCount: number): Dataset {
  const mixture = clusteredData({
    count: spec.rows,
    dimensions: spec.dimensions,
    clusters: spec.clusters,
    seed,
  });
  const flat = new Float32Array(spec.rows * spec.dimensions);
  const vectors: Float32Array[] = [];
  for (let i = 0; i < spec.rows; i++) {
    flat.set(mixture.vectors[i], i * spec.dimensions);
    vectors.push(flat.subarray(i * spec.dimensions, (i + 1) * spec.dimensions));
  }
  mixture.vectors.length = 0;
  const random = new SeededRandom(seed + 104_729);
  const categories = new Int32Array(spec.rows);
  for (let i = 0; i < spec.rows; i++) {
    const u = random.next();
    categories[i] = u < 0.1 ? 0 : 1 + Math.min(ONE_PERCENT_CATEGORIES - 1, Math.floor((u - 0.1) * 100));
  }
  return {
    spec,
    seed,
    vectors,
    flat,
    categories,
    components: mixture.components,
    queries: mixture.sample(queryCount, seed + 1_000_003),
  };
}

/** The category a filtered query `q` uses for a selectivity in percent. */
export function queryCategory(selectivity: number, q: number): number {
  if (selectivity === 10) return 0;
  if (selectivity === 1) return 1 + (q % ONE_PERCENT_CATEGORIES);
  throw new Error(`unsupported filter selectivity ${selectivity}% (supported: ${SELECTIVITIES.join(', ')})`);
}
