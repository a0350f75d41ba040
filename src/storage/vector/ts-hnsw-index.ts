import type { DistanceMetric, HnswOptions, SearchOptions, SearchResult } from '../vector-index.ts';
import {
  type BuildableVectorIndex,
  checkDimensions,
  checkRowId,
  DEFAULT_EF_SEARCH,
  type SavableIndex,
} from './buildable-index.ts';
import type { ByteReader, ByteWriter } from './byte-io.ts';
import {
  type BitMetric,
  bitDistance,
  type DistanceFunction,
  type FloatMetric,
  floatDistance,
} from './distance.ts';
import { TsHnswGraph } from './ts-hnsw-graph.ts';
import { bytesCodec, float32Codec, type VectorCodec } from './vector-codec.ts';

export interface TsHnswIndexOptions extends Partial<HnswOptions> {
  readonly initialCapacity?: number;
  readonly seed?: number;
}

/**
 * `USING hnsw` for the metrics hnswlib does not implement: l1 (`vector_l1_ops`) and, over
 * packed bits, hamming and jaccard (`bit_hamming_ops`, `bit_jaccard_ops`). Same options and
 * search semantics as HnswIndex; exact distances, since the graph calls the SQL distance.
 *
 * `dimensions` is the vector length: floats for `vector`, bits for `bit` (a packed vector
 * holds ceil(dimensions / 8) bytes). As with pgvector, callers do not add NULL vectors.
 */
export class TsHnswIndex<V extends ArrayLike<number> = Float32Array>
  implements BuildableVectorIndex<V>, SavableIndex
{
  readonly method = 'hnsw' as const;
  private readonly graph: TsHnswGraph<V>;
  private readonly storedLength: number;
  private readonly codec: VectorCodec<V>;

  constructor(
    readonly metric: DistanceMetric,
    readonly dimensions: number,
    distance: DistanceFunction<V>,
    options: TsHnswIndexOptions = {},
  ) {
    this.graph = new TsHnswGraph(distance, options);
    const bits = metric === 'hamming' || metric === 'jaccard';
    this.storedLength = bits ? Math.ceil(dimensions / 8) : dimensions;
    // V is Uint8Array exactly when the metric is a bit metric (see the factories below).
    this.codec = (bits
      ? bytesCodec(this.storedLength)
      : float32Codec(dimensions)) as unknown as VectorCodec<V>;
  }

  build(rowIds: ArrayLike<number>, vectors: ArrayLike<V>): void {
    for (let i = 0; i < rowIds.length; i++) this.add(rowIds[i], vectors[i]);
  }

  add(rowId: number, vector: V): void {
    checkRowId(rowId, Number.MAX_SAFE_INTEGER);
    checkDimensions(vector.length, this.storedLength);
    this.graph.insert(rowId, vector);
  }

  remove(rowId: number): void {
    this.graph.remove(rowId);
  }

  search(query: V, k: number, options: SearchOptions = {}): SearchResult {
    checkDimensions(query.length, this.storedLength);
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

/** HNSW over Float32Array with a metric hnswlib lacks (l1), or any float metric in pure TS. */
export function floatTsHnsw(
  metric: FloatMetric,
  dimensions: number,
  options: TsHnswIndexOptions = {},
): TsHnswIndex<Float32Array> {
  return new TsHnswIndex<Float32Array>(metric, dimensions, floatDistance(metric), options);
}

/** HNSW over packed bit vectors (`bit(n)`, 8 dimensions per byte, padding bits zero). */
export function bitTsHnsw(
  metric: BitMetric,
  dimensions: number,
  options: TsHnswIndexOptions = {},
): TsHnswIndex<Uint8Array> {
  return new TsHnswIndex<Uint8Array>(metric, dimensions, bitDistance(metric), options);
}
