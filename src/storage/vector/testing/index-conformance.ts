import { beforeAll, describe, expect, it } from 'vitest';
import type { SearchOptions } from '../../vector-index.ts';
import type { BuildableVectorIndex } from '../buildable-index.ts';
import { type FloatMetric, floatDistance } from '../distance.ts';
import { exactTopKColumns } from '../exact-top-k.ts';
import { clusteredData } from './clustered-data.ts';
import { groundTruth, measureRecall } from './recall.ts';

export interface ConformanceCase {
  readonly metric: FloatMetric;
  /** Minimum recall@10 expected at `searchOptions` on the 10k×32 clustered set. */
  readonly minRecall: number;
  /**
   * Minimum recall@10 among the rows passing a 10% / 1% filter. HNSW keeps walking until it
   * has ef passing rows, so it stays high; IVFFlat only scans its probed lists, so a
   * selective filter leaves it with few candidates (the planner's cue to scan exactly).
   */
  readonly minFilteredRecall: number;
}

export interface ConformanceSuite {
  readonly name: string;
  readonly cases: readonly ConformanceCase[];
  /** A fresh, empty index; `initialCapacity` is a hint the growth test sets small. */
  create(metric: FloatMetric, dimensions: number, initialCapacity?: number): BuildableVectorIndex;
  /** The search knob under test: `{ efSearch: 40 }` or `{ probes: 10 }`. */
  readonly searchOptions: SearchOptions;
}

const DIMENSIONS = 32;
const K = 10;

/**
 * The checks every float VectorIndex must pass, shared so HNSW (native and TypeScript) and
 * IVFFlat are held to the same contract: recall against exact search, exact distances in
 * SQL units, filters honoured with k rows returned, remove() and growth. Recall numbers are
 * printed so a regression is visible before it fails the bar.
 */
export function describeIndexConformance(suite: ConformanceSuite): void {
  const data = clusteredData({ count: 10_000, dimensions: DIMENSIONS, seed: 42 });
  const queries = data.sample(100, 99);
  const rowIds = data.vectors.map((_, i) => i);

  describe.each(suite.cases)(`${suite.name} $metric`, ({ metric, minRecall, minFilteredRecall }) => {
    const distance = floatDistance(metric);
    let index: BuildableVectorIndex;

    beforeAll(() => {
      index = suite.create(metric, DIMENSIONS);
      const started = performance.now();
      index.build(rowIds, data.vectors);
      console.info(`${suite.name} ${metric}: built 10k×32 in ${(performance.now() - started).toFixed(0)} ms`);
    });

    it(`reaches recall@10 >= ${minRecall}`, () => {
      const truth = groundTruth(data.vectors, queries, K, distance);
      const report = measureRecall(index, queries, truth, K, suite.searchOptions);
      console.info(
        `${suite.name} ${metric}: recall@10 ${report.recall.toFixed(4)}, ${report.meanQueryMs.toFixed(3)} ms/query`,
      );
      expect(index.size()).toBe(data.vectors.length);
      expect(report.recall).toBeGreaterThanOrEqual(minRecall);
    });

    it('returns exact SQL distances, nearest first', () => {
      for (const query of queries.slice(0, 20)) {
        const { rowIds: ids, distances } = index.search(query, K, suite.searchOptions);
        expect(ids).toHaveLength(K);
        ids.forEach((id, i) => {
          const exact = distance(query, data.vectors[id]);
          expect(Math.abs(distances[i] - exact)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(exact)));
          if (i > 0) expect(distances[i]).toBeGreaterThanOrEqual(distances[i - 1] - 1e-6);
        });
      }
    });

    it.each([
      ['10%', 10],
      ['1%', 100],
    ])('honours a %s filter and still returns k rows', (label, modulus) => {
      const filter = (rowId: number): boolean => rowId % modulus === 3;
      const truth = groundTruth(data.vectors, queries, K, distance, filter);
      const options = { ...suite.searchOptions, filter };
      for (const query of queries.slice(0, 20)) {
        const { rowIds: ids } = index.search(query, K, options);
        expect(ids).toHaveLength(K);
        for (const id of ids) expect(filter(id)).toBe(true);
      }
      const report = measureRecall(index, queries, truth, K, options);
      console.info(`${suite.name} ${metric}: ${label} filter recall@10 ${report.recall.toFixed(4)}`);
      expect(report.recall).toBeGreaterThanOrEqual(minFilteredRecall);
    });

    it('hides removed rows', () => {
      const small = suite.create(metric, DIMENSIONS);
      small.build(rowIds.slice(0, 2000), data.vectors.slice(0, 2000));
      const query = queries[0];
      const before = small.search(query, K, suite.searchOptions).rowIds;
      for (const id of before.slice(0, 5)) small.remove(id);
      small.remove(before[0]); // removing twice is a no-op
      small.remove(123_456); // so is removing an unknown row
      expect(small.size()).toBe(1995);
      const after = small.search(query, K, suite.searchOptions).rowIds;
      expect(after).toHaveLength(K);
      for (const id of before.slice(0, 5)) expect(after).not.toContain(id);
      expect(after.slice(0, 5)).toEqual(before.slice(5));
      // Re-adding a removed row makes it visible again.
      small.add(before[0], data.vectors[before[0]]);
      expect(small.size()).toBe(1996);
      expect(small.search(query, 1, suite.searchOptions).rowIds).toEqual([before[0]]);
    });

    it('grows past its initial capacity, one add at a time', () => {
      const growing = suite.create(metric, DIMENSIONS, 16);
      for (let i = 0; i < 1500; i++) growing.add(i, data.vectors[i]);
      expect(growing.size()).toBe(1500);
      const query = data.vectors[1400];
      const exact = exactTopKColumns(rowIds.slice(0, 1500), data.vectors, query, 1, distance);
      expect(growing.search(query, 1, suite.searchOptions).rowIds).toEqual(exact.rowIds);
    });

    it('answers with fewer rows than k and after removing everything', () => {
      const tiny = suite.create(metric, DIMENSIONS);
      tiny.build([7, 8, 9], data.vectors.slice(0, 3));
      expect(tiny.search(queries[0], K, suite.searchOptions).rowIds.sort()).toEqual([7, 8, 9]);
      for (const id of [7, 8, 9]) tiny.remove(id);
      expect(tiny.search(queries[0], K, suite.searchOptions)).toEqual({ rowIds: [], distances: [] });
    });
  });
}
