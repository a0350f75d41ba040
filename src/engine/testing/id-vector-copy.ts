/**
 * COPY … FROM STDIN (FORMAT binary) input for `(id int, embedding vector)` rows, ids 0…n-1:
 * what the storage tests and the benchmarks load. Rows come in chunks of `batch`. With
 * `categories` the rows are `(id int, category int, embedding vector)` (the kNN benchmark's
 * filter column).
 */
import '../../types/index.ts';
import { T } from '../../types/type.ts';
import { binaryOut } from '../../types/value-io.ts';
import { binaryHeader, binaryRecord, binaryTrailer } from '../copy-binary.ts';

export function* idVectorCopyBinary(
  vectors: readonly Float32Array[],
  batch = 4096,
  categories?: Int32Array,
): Generator<Buffer> {
  yield Buffer.from(binaryHeader());
  for (let start = 0; start < vectors.length; start += batch) {
    const rows: Uint8Array[] = [];
    for (let id = start; id < Math.min(vectors.length, start + batch); id++) {
      const key = int4(id);
      const embedding = binaryOut(T.vector, vectors[id]);
      rows.push(binaryRecord(categories ? [key, int4(categories[id]), embedding] : [key, embedding]));
    }
    yield Buffer.concat(rows);
  }
  yield Buffer.from(binaryTrailer());
}

function int4(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
}
