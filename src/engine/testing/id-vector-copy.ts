/**
 * COPY … FROM STDIN (FORMAT binary) input for `(id int, embedding vector)` rows, ids 0…n-1:
 * what the storage tests and the COPY benchmark load. Rows come in chunks of `batch`.
 */
import '../../types/index.ts';
import { T } from '../../types/type.ts';
import { binaryOut } from '../../types/value-io.ts';
import { binaryHeader, binaryRecord, binaryTrailer } from '../copy-binary.ts';

export function* idVectorCopyBinary(vectors: readonly Float32Array[], batch = 4096): Generator<Buffer> {
  yield Buffer.from(binaryHeader());
  for (let start = 0; start < vectors.length; start += batch) {
    const rows: Uint8Array[] = [];
    for (let id = start; id < Math.min(vectors.length, start + batch); id++) {
      const key = Buffer.alloc(4);
      key.writeInt32BE(id);
      rows.push(binaryRecord([key, binaryOut(T.vector, vectors[id])]));
    }
    yield Buffer.concat(rows);
  }
  yield Buffer.from(binaryTrailer());
}
