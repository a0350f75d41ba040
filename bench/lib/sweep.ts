/**
 * One target's search measurements over a parameter sweep (hnsw.ef_search or
 * ivfflat.probes): per value, recall@10 of every query against the exact answer, the same
 * with each filter, then closed-loop throughput at each connection count. Latency
 * percentiles come from the single-connection run.
 */
import { closedLoop } from './closed-loop.ts';
import { type Dataset, queryCategory } from './dataset.ts';
import type { GroundTruth } from './ground-truth.ts';
import { mean, percentile, recall } from './metrics.ts';
import type { SearchTarget } from './search-target.ts';

export interface SearchPoint {
  readonly kind: 'search';
  readonly target: string;
  readonly parameter: string;
  readonly value: number;
  readonly recall: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Queries per second by connection count. */
  readonly qps: Record<string, number>;
}

export interface FilteredPoint {
  readonly kind: 'filtered';
  readonly target: string;
  readonly parameter: string;
  readonly value: number;
  /** Percent of rows the WHERE clause keeps. */
  readonly selectivity: number;
  readonly recall: number;
  /** Rows a query returned (LIMIT 10): a post-filtering index can return fewer. */
  readonly rowsMean: number;
  readonly rowsMin: number;
  readonly p50Ms: number;
}

export interface SweepOptions {
  readonly parameter: string;
  readonly values: readonly number[];
  readonly connections: readonly number[];
  readonly seconds: number;
  readonly selectivities: readonly number[];
  readonly log: (line: string) => void;
}

export async function sweep(
  target: SearchTarget,
  dataset: Dataset,
  truth: GroundTruth,
  options: SweepOptions,
): Promise<{ search: SearchPoint[]; filtered: FilteredPoint[] }> {
  const queryCount = dataset.queries.length;
  const search: SearchPoint[] = [];
  const filtered: FilteredPoint[] = [];
  for (const value of options.values) {
    await target.setSearchParameter(value);
    const recalls: number[] = [];
    const passLatencies: number[] = [];
    for (let q = 0; q < queryCount; q++) {
      const t = performance.now();
      const ids = await target.search(0, q);
      passLatencies.push(performance.now() - t);
      recalls.push(recall(ids, truth.unfiltered[q]));
    }
    for (const selectivity of options.selectivities) {
      const fRecalls: number[] = [];
      const rows: number[] = [];
      const latencies: number[] = [];
      for (let q = 0; q < queryCount; q++) {
        const t = performance.now();
        const ids = await target.search(0, q, queryCategory(selectivity, q));
        latencies.push(performance.now() - t);
        fRecalls.push(recall(ids, truth.filtered[selectivity][q]));
        rows.push(ids.length);
      }
      const point: FilteredPoint = {
        kind: 'filtered',
        target: target.name,
        parameter: options.parameter,
        value,
        selectivity,
        recall: mean(fRecalls),
        rowsMean: mean(rows),
        rowsMin: Math.min(...rows),
        p50Ms: percentile(latencies, 50),
      };
      filtered.push(point);
      options.log(
        `  ${target.name} ${options.parameter}=${value} filter ${selectivity}%: recall ${point.recall.toFixed(3)}, rows ${point.rowsMean.toFixed(1)} (min ${point.rowsMin})`,
      );
    }
    const qps: Record<string, number> = {};
    let latencies = passLatencies;
    for (const connections of options.connections) {
      if (connections > target.maxConnections) continue;
      const run = await closedLoop(connections, options.seconds, queryCount, (c, q) => target.search(c, q));
      qps[connections] = run.qps;
      if (connections === 1) latencies = run.latenciesMs;
    }
    const point: SearchPoint = {
      kind: 'search',
      target: target.name,
      parameter: options.parameter,
      value,
      recall: mean(recalls),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      qps,
    };
    search.push(point);
    options.log(
      `  ${target.name} ${options.parameter}=${value}: recall ${point.recall.toFixed(3)}, p50 ${point.p50Ms.toFixed(2)} ms, QPS ${Object.entries(
        qps,
      )
        .map(([c, v]) => `${v.toFixed(0)}@${c}`)
        .join(' ')}`,
    );
  }
  return { search, filtered };
}
