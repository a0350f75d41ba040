/**
 * Exact k nearest neighbours by brute force (the answers recall is counted against), for
 * the unfiltered queries and for each filter selectivity. Computing them for 1M rows takes
 * minutes, so they are cached in bench/.cache, keyed by everything that determines them.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Dataset, GENERATOR_VERSION, type Metric, queryCategory } from './dataset.ts';

export interface GroundTruth {
  readonly k: number;
  /** Per query, ids nearest first. */
  readonly unfiltered: number[][];
  /** Per selectivity (percent), per query: the nearest ids among rows of the query's category. */
  readonly filtered: Record<string, number[][]>;
}

/** The k smallest distances seen so far and their rows, nearest first. */
class TopK {
  readonly distance: Float64Array;
  readonly row: Int32Array;
  constructor(readonly k: number) {
    this.distance = new Float64Array(k).fill(Number.POSITIVE_INFINITY);
    this.row = new Int32Array(k).fill(-1);
  }
  offer(distance: number, row: number): void {
    if (distance >= this.distance[this.k - 1]) return;
    let at = this.k - 1;
    while (at > 0 && this.distance[at - 1] > distance) {
      this.distance[at] = this.distance[at - 1];
      this.row[at] = this.row[at - 1];
      at--;
    }
    this.distance[at] = distance;
    this.row[at] = row;
  }
  rows(): number[] {
    return [...this.row].filter((row) => row >= 0);
  }
}

/** Queries compared against each row while it is in cache: one pass over 1M rows serves them all. */
const QUERY_BLOCK = 16;

/**
 * The `k` nearest rows of each query in `flat` (rows of `dimensions` floats), among the rows
 * `accept(query index, row)` lets through, nearest first. L2 ranks by squared distance (the
 * same order); cosine uses the precomputed row norms.
 */
export function exactNearest(
  flat: Float32Array,
  dimensions: number,
  metric: Metric,
  queries: readonly Float32Array[],
  k: number,
  norms?: Float64Array,
  accept?: (query: number, row: number) => boolean,
): number[][] {
  const rows = flat.length / dimensions;
  const answers: number[][] = [];
  for (let first = 0; first < queries.length; first += QUERY_BLOCK) {
    const block = queries.slice(first, first + QUERY_BLOCK);
    const tops = block.map(() => new TopK(k));
    const queryNorms = block.map((q) => Math.sqrt(q.reduce((sum, x) => sum + x * x, 0)));
    for (let row = 0; row < rows; row++) {
      const base = row * dimensions;
      for (let b = 0; b < block.length; b++) {
        if (accept && !accept(first + b, row)) continue;
        const query = block[b];
        let distance: number;
        if (metric === 'l2') {
          // Four running sums let the multiply-adds overlap (a fifth faster than one on 128 dims).
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          let d = 0;
          for (; d + 3 < dimensions; d += 4) {
            const e0 = flat[base + d] - query[d];
            const e1 = flat[base + d + 1] - query[d + 1];
            const e2 = flat[base + d + 2] - query[d + 2];
            const e3 = flat[base + d + 3] - query[d + 3];
            s0 += e0 * e0;
            s1 += e1 * e1;
            s2 += e2 * e2;
            s3 += e3 * e3;
          }
          for (; d < dimensions; d++) s0 += (flat[base + d] - query[d]) ** 2;
          distance = s0 + s1 + s2 + s3;
        } else {
          let dot = 0;
          for (let d = 0; d < dimensions; d++) dot += flat[base + d] * query[d];
          distance = 1 - dot / (norms![row] * queryNorms[b]);
        }
        tops[b].offer(distance, row);
      }
    }
    for (const top of tops) answers.push(top.rows());
  }
  return answers;
}

export function rowNorms(flat: Float32Array, dimensions: number): Float64Array {
  const norms = new Float64Array(flat.length / dimensions);
  for (let row = 0; row < norms.length; row++) {
    let sum = 0;
    for (let d = 0; d < dimensions; d++) sum += flat[row * dimensions + d] ** 2;
    norms[row] = Math.sqrt(sum);
  }
  return norms;
}

export function computeGroundTruth(
  dataset: Dataset,
  k: number,
  selectivities: readonly number[],
): GroundTruth {
  const { flat, spec, categories, queries } = dataset;
  const norms = spec.metric === 'cosine' ? rowNorms(flat, spec.dimensions) : undefined;
  const unfiltered = exactNearest(flat, spec.dimensions, spec.metric, queries, k, norms);
  const filtered: Record<string, number[][]> = {};
  for (const selectivity of selectivities) {
    const wanted = queries.map((_, q) => queryCategory(selectivity, q));
    filtered[selectivity] = exactNearest(
      flat,
      spec.dimensions,
      spec.metric,
      queries,
      k,
      norms,
      (q, row) => categories[row] === wanted[q],
    );
  }
  return { k, unfiltered, filtered };
}

/** Where cachedGroundTruth keeps the answers for `dataset` and `k`: keyed by everything that determines them. */
export function groundTruthFile(dataset: Dataset, k: number, cacheDir: string): string {
  const { spec } = dataset;
  const key = [
    `v${GENERATOR_VERSION}`,
    spec.name,
    `r${spec.rows}`,
    `d${spec.dimensions}`,
    spec.metric,
    `c${spec.clusters}`,
    `s${dataset.seed}`,
    `q${dataset.queries.length}`,
    `k${k}`,
  ].join('-');
  return join(cacheDir, `${key}.json`);
}

/** Ground truth from `cacheDir` if an earlier run computed it for the same inputs, else computed and stored. */
export async function cachedGroundTruth(
  dataset: Dataset,
  k: number,
  selectivities: readonly number[],
  cacheDir: string,
): Promise<{ truth: GroundTruth; cached: boolean }> {
  const file = groundTruthFile(dataset, k, cacheDir);
  let truth: GroundTruth | undefined;
  try {
    truth = JSON.parse(await readFile(file, 'utf8')) as GroundTruth;
  } catch {
    truth = undefined;
  }
  const missing = selectivities.filter((s) => !truth?.filtered[s]);
  if (truth && missing.length === 0) return { truth, cached: true };
  const computed = computeGroundTruth(dataset, k, truth ? missing : selectivities);
  const merged: GroundTruth = truth
    ? { ...truth, filtered: { ...truth.filtered, ...computed.filtered } }
    : computed;
  await mkdir(cacheDir, { recursive: true });
  await writeFile(file, JSON.stringify(merged));
  return { truth: merged, cached: false };
}
