/**
 * A query vector as SearchSegments carries it (layouts in quiver.proto, all little-endian):
 * built by the coordinator from the bound query value, read back by the node that searches.
 * Reading checks every length against the declared dimensions, since the bytes come from
 * the network.
 */
import { SqlError, SqlState } from '../../errors/sql-error.ts';
import { BitString } from '../../types/bit.ts';
import { HalfVector } from '../../types/halfvec.ts';
import { SparseVector } from '../../types/sparsevec.ts';
import type { QueryVector } from './messages.ts';

export type QueryValue = Float32Array | HalfVector | SparseVector | BitString;

export function encodeQueryVector(value: QueryValue): QueryVector {
  if (value instanceof Float32Array) {
    const data = Buffer.alloc(value.length * 4);
    for (let i = 0; i < value.length; i++) data.writeFloatLE(value[i]!, i * 4);
    return { type: 'vector', dimensions: value.length, data };
  }
  if (value instanceof HalfVector) {
    const data = Buffer.alloc(value.bits.length * 2);
    for (let i = 0; i < value.bits.length; i++) data.writeUInt16LE(value.bits[i]!, i * 2);
    return { type: 'halfvec', dimensions: value.length, data };
  }
  if (value instanceof SparseVector) {
    const nnz = value.nnz;
    const data = Buffer.alloc(4 + nnz * 8);
    data.writeUInt32LE(nnz, 0);
    for (let i = 0; i < nnz; i++) {
      data.writeUInt32LE(value.indices[i]!, 4 + i * 4);
      data.writeFloatLE(value.values[i]!, 4 + nnz * 4 + i * 4);
    }
    return { type: 'sparsevec', dimensions: value.dim, data };
  }
  return { type: 'bit', dimensions: value.length, data: Buffer.from(value.bytes) };
}

function malformed(why: string): SqlError {
  return new SqlError(SqlState.ProtocolViolation, `malformed query vector: ${why}`);
}

export function decodeQueryVector(q: QueryVector): QueryValue {
  const data = Buffer.from(q.data.buffer, q.data.byteOffset, q.data.length);
  const dims = q.dimensions;
  const expectLength = (n: number) => {
    if (data.length !== n) throw malformed(`${q.type}(${dims}) needs ${n} bytes, got ${data.length}`);
  };
  switch (q.type) {
    case 'vector': {
      expectLength(dims * 4);
      const out = new Float32Array(dims);
      for (let i = 0; i < dims; i++) out[i] = data.readFloatLE(i * 4);
      return out;
    }
    case 'halfvec': {
      expectLength(dims * 2);
      const bits = new Uint16Array(dims);
      for (let i = 0; i < dims; i++) bits[i] = data.readUInt16LE(i * 2);
      return new HalfVector(bits);
    }
    case 'sparsevec': {
      if (data.length < 4) throw malformed('sparsevec without its element count');
      const nnz = data.readUInt32LE(0);
      expectLength(4 + nnz * 8);
      const indices = new Int32Array(nnz);
      const values = new Float32Array(nnz);
      for (let i = 0; i < nnz; i++) {
        const index = data.readUInt32LE(4 + i * 4);
        if (index >= dims || (i > 0 && index <= indices[i - 1]!)) {
          throw malformed(`sparsevec index ${index} out of order or past ${dims} dimensions`);
        }
        indices[i] = index;
        values[i] = data.readFloatLE(4 + nnz * 4 + i * 4);
      }
      return new SparseVector(dims, indices, values);
    }
    case 'bit': {
      expectLength((dims + 7) >> 3);
      return new BitString(dims, new Uint8Array(data));
    }
  }
}
