/**
 * The vector index for one indexed column: picks the implementation for the column's type
 * and distance (pgvector opclass), and how a column value becomes what that index stores.
 *
 *   vector, halfvec  l2/ip/cosine → hnswlib (HNSW) or IVFFlat over float4s (halfvec widened)
 *                    l1           → TypeScript HNSW over float4s
 *   bit              hamming      → TypeScript HNSW over packed bytes; IVFFlat over 0/1
 *                                   floats (squared L2 of 0/1 vectors is the hamming distance)
 *                    jaccard      → TypeScript HNSW over packed bytes
 *   sparsevec        any          → TypeScript HNSW calling the SQL distance on sparse values
 */
import { SqlError, SqlState } from '../../errors/sql-error.ts';
import type { BitString } from '../../types/bit.ts';
import { metricFor } from '../../types/distance-metric.ts';
import type { HalfVector } from '../../types/halfvec.ts';
import type { Value } from '../../types/type.ts';
import type { DistanceMetric, IndexMethod, VectorIndex } from '../vector-index.ts';
import type { SavableIndex } from './buildable-index.ts';
import { createBitVectorIndex, createVectorIndex, type VectorIndexOptions } from './create-vector-index.ts';
import { ShardedIndex } from './sharded-index.ts';
import { ValueHnswIndex } from './value-hnsw-index.ts';
import { sparseCodec, type VectorCodec } from './vector-codec.ts';

export type IndexedType = 'vector' | 'halfvec' | 'sparsevec' | 'bit';

/** What an index was created with: a saved index loads only under the same spec. */
export interface ColumnIndexSpec {
  readonly method: IndexMethod;
  readonly type: IndexedType;
  readonly metric: DistanceMetric;
  readonly dimensions: number;
  readonly options: VectorIndexOptions;
}

export interface ColumnIndex {
  readonly spec: ColumnIndexSpec;
  readonly index: VectorIndex<unknown> &
    SavableIndex & {
      build(rowIds: ArrayLike<number>, values: ArrayLike<unknown>, onProgress?: (done: number) => void): void;
    };
  /** The stored form of a (non-null) column value, also applied to query values. */
  readonly encode: (value: Value) => unknown;
}

/**
 * Whether pgvector would index this value: never NULL, and not a zero vector under cosine
 * distance (its cosine distance is undefined).
 */
export function indexable(value: Value, metric: DistanceMetric): boolean {
  if (value === null) return false;
  if (metric !== 'cosine') return true;
  const v = value as { values?: Float32Array };
  const xs = value instanceof Float32Array ? value : v.values ? v.values : (value as HalfVector).toFloat32();
  return xs.some((x) => x !== 0);
}

const OPERATOR_OF: Record<DistanceMetric, string> = {
  l2: '<->',
  ip: '<#>',
  cosine: '<=>',
  l1: '<+>',
  hamming: '<~>',
  jaccard: '<%>',
};

function floats(value: Value): Float32Array {
  return value instanceof Float32Array ? value : (value as HalfVector).toFloat32();
}

function unpackBits(value: Value): Float32Array {
  const bits = value as BitString;
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = (bits.bytes[i >> 3] >> (7 - (i & 7))) & 1;
  return out;
}

/** How a column value becomes what an index of this type and method stores. */
export function columnEncoder(method: IndexMethod, type: IndexedType): (value: Value) => unknown {
  if (type === 'sparsevec') return (v) => v;
  if (type === 'bit') return method === 'ivfflat' ? unpackBits : (v) => (v as BitString).bytes;
  return floats;
}

export function createColumnIndex(
  method: IndexMethod,
  type: IndexedType,
  metric: DistanceMetric,
  dimensions: number,
  options: VectorIndexOptions,
): ColumnIndex {
  const shards = options.shards ?? 1;
  if (shards === 1) return createUnshardedIndex(method, type, metric, dimensions, options);
  const shardIndex = () => createUnshardedIndex(method, type, metric, dimensions, options).index;
  const index = new ShardedIndex(shards, shardIndex) as unknown as ColumnIndex['index'];
  return { spec: { method, type, metric, dimensions, options }, index, encode: columnEncoder(method, type) };
}

function createUnshardedIndex(
  method: IndexMethod,
  type: IndexedType,
  metric: DistanceMetric,
  dimensions: number,
  options: VectorIndexOptions,
): ColumnIndex {
  type Built = ColumnIndex['index'];
  const spec: ColumnIndexSpec = { method, type, metric, dimensions, options };
  const encode = columnEncoder(method, type);
  if (type === 'sparsevec') {
    const fn = metricFor(OPERATOR_OF[metric], 'sparsevec')!.fn;
    // The only Values a sparsevec index holds are SparseVectors.
    const codec = sparseCodec as unknown as VectorCodec<Value>;
    const index = new ValueHnswIndex<Value>(metric, dimensions, fn, codec, options);
    return { spec, index: index as Built, encode };
  }
  if (type === 'bit') {
    const index =
      method === 'ivfflat'
        ? createVectorIndex('ivfflat', 'l2', dimensions, options)
        : createBitVectorIndex('hnsw', metric as 'hamming' | 'jaccard', dimensions, options);
    return { spec, index: index as Built, encode };
  }
  return { spec, index: createVectorIndex(method, metric, dimensions, options) as Built, encode };
}

/** pgvector's limit on non-zero elements of a sparsevec in an HNSW index. */
export const MAX_SPARSE_NNZ = 1000;

/** Per-value limits pgvector enforces when indexing (sparsevec non-zero count). */
export function checkIndexedValue(index: { readonly method: string }, value: Value): void {
  const nnz = (value as { nnz?: number }).nnz;
  if (nnz !== undefined && nnz > MAX_SPARSE_NNZ && index.method === 'hnsw') {
    throw new SqlError(
      SqlState.ProgramLimitExceeded,
      `sparsevec cannot have more than ${MAX_SPARSE_NNZ} non-zero elements for hnsw index`,
    );
  }
}
