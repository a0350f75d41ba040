import type { DistanceMetric, IndexMethod } from '../vector-index.ts';
import type { BuildableVectorIndex, SavableIndex } from './buildable-index.ts';
import { type BitMetric, isBitMetric, isFloatMetric } from './distance.ts';
import { HnswIndex } from './hnsw-index.ts';
import { IvfflatIndex } from './ivfflat-index.ts';
import { bitTsHnsw, floatTsHnsw } from './ts-hnsw-index.ts';

/** `WITH (…)` options of CREATE INDEX plus build knobs; absent ones take pgvector's defaults. */
export interface VectorIndexOptions {
  readonly m?: number;
  readonly efConstruction?: number;
  readonly lists?: number;
  /** Split into this many shards by row id (sharded-index.ts); 1 or absent: one index. */
  readonly shards?: number;
  /** Seed of every random choice in a build, so a rebuild gives the same index. */
  readonly seed?: number;
  readonly initialCapacity?: number;
}

/**
 * The index for `CREATE INDEX … USING <method> (col <opclass>)` over `vector`. HNSW uses
 * native hnswlib where it has the metric (l2, ip, cosine) and the TypeScript graph for l1.
 * Which (method, metric) pairs SQL accepts is the catalog's business (pgvector has no
 * ivfflat l1 opclass); this factory builds whatever it is asked, l1 IVFFlat included.
 */
export function createVectorIndex(
  method: IndexMethod,
  metric: DistanceMetric,
  dimensions: number,
  options: VectorIndexOptions = {},
): BuildableVectorIndex & SavableIndex {
  if (!isFloatMetric(metric)) {
    throw new TypeError(`metric ${metric} needs bit vectors: use createBitVectorIndex`);
  }
  if (method === 'ivfflat') return new IvfflatIndex(metric, dimensions, options);
  if (metric === 'l1') return floatTsHnsw(metric, dimensions, options);
  return new HnswIndex(metric, dimensions, options);
}

/**
 * The index over `bit(n)` (`bit_hamming_ops`, `bit_jaccard_ops`), vectors packed 8 bits a
 * byte. Only HNSW for now; pgvector's IVFFlat over bits (hamming) is not implemented.
 */
export function createBitVectorIndex(
  method: IndexMethod,
  metric: BitMetric,
  dimensions: number,
  options: VectorIndexOptions = {},
): BuildableVectorIndex<Uint8Array> & SavableIndex {
  if (!isBitMetric(metric)) throw new TypeError(`metric ${metric} is not a bit metric`);
  if (method !== 'hnsw') throw new TypeError(`${method} over bit vectors is not supported yet`);
  return bitTsHnsw(metric, dimensions, options);
}
