/**
 * hnswlib-node straight in this process, single thread: the same rows, m, ef_construction
 * and queries with no SQL, wire or server in between — the engine's limit, against which
 * the servers' overhead is read. HNSW only.
 */
import hnswlib from 'hnswlib-node';
import type { Dataset } from './dataset.ts';
import type { BuildResult, IndexParameters, SearchTarget } from './search-target.ts';

export class HnswlibTarget implements SearchTarget {
  readonly name = 'hnswlib';
  readonly maxConnections = 1;
  private index: hnswlib.HierarchicalNSW | undefined;
  private queries: number[][] = [];
  private categories: Int32Array = new Int32Array(0);

  async settings(): Promise<Record<string, string | null>> {
    return { 'hnswlib-node': 'in-process, single thread', 'node version': process.version };
  }

  async build(dataset: Dataset, index: IndexParameters): Promise<BuildResult> {
    if (index.kind !== 'hnsw') throw new Error('hnswlib target: only --index hnsw');
    const { spec } = dataset;
    // hnswlib's 'l2' ranks by squared distance (the same order); 'cosine' normalizes rows.
    const native = new hnswlib.HierarchicalNSW(spec.metric === 'cosine' ? 'cosine' : 'l2', spec.dimensions);
    const started = performance.now();
    native.initIndex(spec.rows, index.m, index.efConstruction, 100);
    for (let id = 0; id < spec.rows; id++) native.addPoint(Array.from(dataset.vectors[id]), id);
    const indexSeconds = (performance.now() - started) / 1000;
    this.index = native;
    this.queries = dataset.queries.map((q) => Array.from(q));
    this.categories = dataset.categories;
    return {
      rows: spec.rows,
      loadSeconds: null,
      loadRowsPerSecond: null,
      indexSeconds,
      sizeBytes: null,
      notices: [],
    };
  }

  async setSearchParameter(value: number): Promise<void> {
    this.index!.setEf(value);
  }

  async search(_connection: number, query: number, category?: number): Promise<number[]> {
    const categories = this.categories;
    const result =
      category === undefined
        ? this.index!.searchKnn(this.queries[query], 10)
        : this.index!.searchKnn(this.queries[query], 10, (label) => categories[label] === category);
    return result.neighbors;
  }

  async close(): Promise<void> {
    this.index = undefined;
  }
}
