import { SparseVector } from '../../types/sparsevec.ts';
import type { ByteReader, ByteWriter } from './byte-io.ts';

/**
 * How a saved index stores its vectors: all of them in one array, not one record each, so
 * 200k vectors are one copy on load. Loaded vectors are views into that array.
 */
export interface VectorCodec<V> {
  write(out: ByteWriter, vectors: readonly V[]): void;
  read(input: ByteReader, count: number): V[];
}

/** Float32Array vectors of a fixed length (`vector`, `halfvec` widened, unpacked bits). */
export function float32Codec(length: number): VectorCodec<Float32Array> {
  return {
    write(out, vectors) {
      const all = new Float32Array(vectors.length * length);
      vectors.forEach((v, i) => all.set(v, i * length));
      out.array(all);
    },
    read(input, count) {
      const all = input.float32s(count * length);
      return Array.from({ length: count }, (_, i) => all.subarray(i * length, (i + 1) * length));
    },
  };
}

/** Packed bit vectors of a fixed byte length (`bit(n)`). */
export function bytesCodec(length: number): VectorCodec<Uint8Array> {
  return {
    write(out, vectors) {
      const all = new Uint8Array(vectors.length * length);
      vectors.forEach((v, i) => all.set(v, i * length));
      out.array(all);
    },
    read(input, count) {
      const all = input.uint8s(count * length);
      return Array.from({ length: count }, (_, i) => all.subarray(i * length, (i + 1) * length));
    },
  };
}

/** `sparsevec` values: per-vector dim and non-zero count, then all indices and all values. */
export const sparseCodec: VectorCodec<SparseVector> = {
  write(out, vectors) {
    const dims = new Int32Array(vectors.length);
    const ends = new Uint32Array(vectors.length);
    let total = 0;
    vectors.forEach((v, i) => {
      dims[i] = v.dim;
      total += v.nnz;
      ends[i] = total;
    });
    const indices = new Int32Array(total);
    const values = new Float32Array(total);
    vectors.forEach((v, i) => {
      indices.set(v.indices, ends[i] - v.nnz);
      values.set(v.values, ends[i] - v.nnz);
    });
    out.array(dims);
    out.array(ends);
    out.array(indices);
    out.array(values);
  },
  read(input, count) {
    const dims = input.int32s(count);
    const ends = input.uint32s(count);
    const indices = input.int32s();
    const values = input.float32s(indices.length);
    const vectors: SparseVector[] = [];
    let start = 0;
    for (let i = 0; i < count; i++) {
      if (ends[i] < start || ends[i] > indices.length) input.fail(`sparse vector ${i} ends at ${ends[i]}`);
      vectors.push(
        new SparseVector(dims[i], indices.subarray(start, ends[i]), values.subarray(start, ends[i])),
      );
      start = ends[i];
    }
    return vectors;
  },
};
