import type { DistanceMetric, SearchOptions, SearchResult, VectorIndex } from '../vector-index.ts';
import { checkRowId, DEFAULT_EF_SEARCH, type SavableIndex } from './buildable-index.ts';
import type { ByteReader, ByteWriter } from './byte-io.ts';
import { TsHnswGraph, type TsHnswGraphOptions } from './ts-hnsw-graph.ts';
import type { VectorCodec } from './vector-codec.ts';

/**
 * HNSW over any value with a distance function (sparsevec today): the graph calls the SQL
 * operator's own distance, so results are exact for the candidates it visits. Used where a
 * type has no fixed-length float form to give hnswlib.
 */
export class ValueHnswIndex<V> implements VectorIndex<V>, SavableIndex {
  readonly method = 'hnsw' as const;
  private readonly graph: TsHnswGraph<V>;

  constructor(
    readonly metric: DistanceMetric,
    readonly dimensions: number,
    distance: (a: V, b: V) => number,
    /** How values are saved (writeTo) and loaded (readFrom). */
    private readonly codec: VectorCodec<V>,
    options: TsHnswGraphOptions = {},
  ) {
    this.graph = new TsHnswGraph(distance, options);
  }

  build(rowIds: ArrayLike<number>, values: ArrayLike<V>): void {
    for (let i = 0; i < rowIds.length; i++) this.add(rowIds[i], values[i]);
  }

  add(rowId: number, value: V): void {
    checkRowId(rowId, Number.MAX_SAFE_INTEGER);
    this.graph.insert(rowId, value);
  }

  remove(rowId: number): void {
    this.graph.remove(rowId);
  }

  search(query: V, k: number, options: SearchOptions = {}): SearchResult {
    return this.graph.search(query, k, options.efSearch ?? DEFAULT_EF_SEARCH, options.filter);
  }

  size(): number {
    return this.graph.size;
  }

  writeTo(out: ByteWriter): void {
    this.graph.writeTo(out, this.codec);
  }

  async readFrom(input: ByteReader): Promise<void> {
    this.graph.readFrom(input, this.codec);
  }
}
