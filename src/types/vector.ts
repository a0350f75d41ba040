/**
 * pgvector's `vector` type: single-precision dense vectors held as Float32Array.
 * Text I/O follows vector_in/vector_out (see vector-text.ts), binary I/O vector_recv/
 * vector_send: int16 dim, int16 unused (must be 0), then dim float4s, all big-endian.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { Float32Allocator } from './float32-appender.ts';
import type { TypeInfo } from './registry-types.ts';
import type { Value } from './type.ts';
import {
  checkDim,
  checkElement,
  checkExpectedDim,
  formatVectorType,
  insufficientData,
  outOfRange,
  vectorTypmodIn,
} from './vector-checks.ts';
import { parseVectorBytes } from './vector-fast-in.ts';
import { VECTOR_ARRAY_OID, VECTOR_OID } from './vector-oids.ts';
import type { ScannedFloat } from './vector-strtof.ts';
import { formatDenseVector, parseDenseVector } from './vector-text.ts';

/** vector_in's per-element checks: strtof overflow → 22003, then NaN/infinity → 22000. */
function vectorElement(scanned: ScannedFloat, token: string): number {
  if (scanned.erange && !Number.isFinite(scanned.value)) throw outOfRange('vector', token);
  checkElement('vector', scanned.value);
  return scanned.value;
}

/** parseVectorBytes' allocator for one literal: an array of its own. */
const ownArray: Float32Allocator = { take: (n) => new Float32Array(n), blockWords: new Uint32Array(0) };
/** The literal's UTF-8 for parseVectorBytes; room for 3 bytes per UTF-16 unit, so never cut short. */
let utf8 = Buffer.allocUnsafe(64 * 1024);
/** Literals longer than this (16,000 dimensions of 20 characters) take the full parser. */
const FAST_MAX_CHARS = 320_000;

export function parseVector(text: string, typmod = -1): Float32Array {
  // A client's '[0.1,0.2,…]' is read from its bytes, 3–4× faster than by the full parser,
  // which reads everything else and words every error (vector-fast-in.ts).
  if (text.length <= FAST_MAX_CHARS) {
    if (text.length * 3 > utf8.length) utf8 = Buffer.allocUnsafe(text.length * 3);
    const fast = parseVectorBytes(utf8, 0, utf8.write(text, 0, 'utf8'), typmod, ownArray);
    if (fast) return fast;
  }
  return Float32Array.from(parseDenseVector(text, 'vector', typmod, vectorElement));
}

export function formatVector(v: Float32Array): string {
  return formatDenseVector(v);
}

export function vectorRecv(bytes: Uint8Array, typmod = -1): Float32Array {
  if (bytes.length < 4) throw insufficientData();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dim = view.getUint16(0);
  const unused = view.getUint16(2);
  checkDim('vector', dim);
  checkExpectedDim(typmod, dim);
  if (unused !== 0) throw new SqlError(SqlState.DataException, `expected unused to be 0, not ${unused}`);
  if (bytes.length < 4 + 4 * dim) throw insufficientData();
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) {
    out[i] = view.getFloat32(4 + 4 * i);
    checkElement('vector', out[i]!);
  }
  if (bytes.length !== 4 + 4 * dim) {
    throw new SqlError(SqlState.InvalidBinaryRepresentation, 'incorrect binary data format');
  }
  return out;
}

export function vectorSend(v: Float32Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * v.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, v.length);
  for (let i = 0; i < v.length; i++) view.setFloat32(4 + 4 * i, v[i]!);
  return out;
}

/** The `vector(vector, integer, boolean)` cast function: only checks the dimension count. */
export function applyVectorTypmod(v: Float32Array, typmod: number): Float32Array {
  checkExpectedDim(typmod, v.length);
  return v;
}

export function isVector(v: Value): v is Float32Array {
  return v instanceof Float32Array;
}

export const vectorTypeInfo: TypeInfo = {
  name: 'vector',
  oid: VECTOR_OID,
  arrayOid: VECTOR_ARRAY_OID,
  length: -1,
  category: 'U',
  preferred: false,
  textIn: (text, typmod) => parseVector(text, typmod),
  textOut: (value) => formatVector(value as Float32Array),
  binaryIn: (bytes, typmod) => vectorRecv(bytes, typmod),
  binaryOut: (value) => vectorSend(value as Float32Array),
  applyTypmod: (value, typmod) => applyVectorTypmod(value as Float32Array, typmod),
  formatType: (typmod) => formatVectorType('vector', typmod),
  typmodIn: (mods) => vectorTypmodIn('vector', mods),
};
