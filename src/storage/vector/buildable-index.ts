import type { VectorIndex } from '../vector-index.ts';
import type { ByteReader, ByteWriter } from './byte-io.ts';

/**
 * A vector index that can also be loaded in bulk with the rows that exist when
 * `CREATE INDEX` runs (or when a segment is sealed). IVFFlat needs this step — its lists
 * are k-means clusters of those rows, as in pgvector — while for HNSW it is just a loop
 * of `add`. Rows added later go through `add`.
 */
export interface BuildableVectorIndex<V = Float32Array> extends VectorIndex<V> {
  /**
   * `rowIds[i]` is the row of `vectors[i]`. Callers skip NULLs and (cosine) zero vectors.
   * `onProgress`, when given, hears the number of rows built so far now and then.
   */
  build(rowIds: ArrayLike<number>, vectors: ArrayLike<V>, onProgress?: (done: number) => void): void;
}

/**
 * An index whose content can be saved and loaded instead of rebuilt after a restart.
 * `readFrom` fills a freshly constructed, empty index made with the same parameters; the
 * framing, checksum and parameter checks are index-persistence.ts's job.
 */
export interface SavableIndex {
  /**
   * Writes the content as it is at the call, synchronously: a checkpoint saves indexes that
   * rows keep being added to, so the bytes must not depend on anything that happens later
   * (ByteWriter copies arrays; a blob must be the writer's own).
   */
  writeTo(out: ByteWriter): void;
  /**
   * writeTo as of one moment after the call, taken off the event loop where the
   * implementation can (a big graph takes a second to copy); rows added meanwhile may or may
   * not be in it. Without it, writeTo is used.
   */
  writeToAsync?(out: ByteWriter): Promise<void>;
  readFrom(input: ByteReader): Promise<void>;
}

/** pgvector's defaults: `m = 16`, `ef_construction = 64`, `hnsw.ef_search = 40`, `lists = 100`, `ivfflat.probes = 1`. */
export const DEFAULT_M = 16;
export const DEFAULT_EF_CONSTRUCTION = 64;
export const DEFAULT_EF_SEARCH = 40;
export const DEFAULT_LISTS = 100;
export const DEFAULT_PROBES = 1;

/** Row ids are table-assigned non-negative integers; hnswlib stores labels as uint32. */
export function checkRowId(rowId: number, max: number): void {
  if (!Number.isInteger(rowId) || rowId < 0 || rowId > max) {
    throw new RangeError(`row id ${rowId} is not an integer in [0, ${max}]`);
  }
}

export function checkDimensions(actual: number, expected: number): void {
  if (actual !== expected) {
    throw new RangeError(`expected ${expected} dimensions, not ${actual}`);
  }
}
