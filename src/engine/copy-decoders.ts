/**
 * COPY FROM's fast decoders: for the column types bulk loads are made of, a field is read
 * straight from the input bytes (no string, no copy, vectors into shared Float32Array
 * blocks). Each handles only the common, valid case and returns undefined otherwise; COPY
 * then runs the type's own input or receive function on the field, which decides and
 * words any error exactly as before.
 */

import { isoDatetime } from '../types/datetime.ts';
import type { Float32Allocator } from '../types/float32-appender.ts';
import { roundMicros } from '../types/register-datetime-types.ts';
import { INT_LIMITS } from '../types/register-numeric-types.ts';
import type { SqlType, Value } from '../types/type.ts';
import { VECTOR_MAX_DIM } from '../types/vector-checks.ts';
import { parseVectorBytes } from '../types/vector-fast-in.ts';
import { isCSpace } from '../types/vector-strtof.ts';

/** Reads `bytes[start, end)`; undefined leaves the field to the type's own function. */
export type FieldDecoder = (bytes: Buffer, start: number, end: number) => Value | undefined;

/** pg_strtoint16/32 for plain decimal digits; undefined for anything else or out of range. */
function textInt(min: number, max: number): FieldDecoder {
  return (bytes, start, end) => {
    let i = start;
    while (i < end && isCSpace(bytes[i])) i++;
    let negative = false;
    if (i < end && (bytes[i] === 45 || bytes[i] === 43)) negative = bytes[i++] === 45;
    let v = 0;
    let digits = 0;
    while (i < end && bytes[i] >= 48 && bytes[i] <= 57 && digits < 11) {
      v = v * 10 + (bytes[i++] - 48);
      digits++;
    }
    while (i < end && isCSpace(bytes[i])) i++;
    if (digits === 0 || i !== end) return undefined;
    if (negative) v = -v;
    return v < min || v > max ? undefined : v === 0 ? 0 : v;
  };
}

/** The ISO spellings of timestamp, timestamptz (with an offset) and date (datetime.ts isoDatetime). */
function textDatetime(type: SqlType & { base: 'timestamptz' | 'timestamp' | 'date' }): FieldDecoder {
  const base = type.base;
  return (bytes, start, end) => {
    // Anything but ASCII fails isoDatetime, so latin1 reads the bytes as their characters.
    const v = end - start > 40 ? undefined : isoDatetime(bytes.toString('latin1', start, end), base);
    return v === undefined || base === 'date' ? v : roundMicros(v, type.typmod);
  };
}

/** The text-format decoder for `type`, if it has one. */
export function textDecoder(type: SqlType, slab: Float32Allocator): FieldDecoder | undefined {
  if (type.isArray) return undefined;
  switch (type.base) {
    case 'int2':
    case 'int4':
      return textInt(Number(INT_LIMITS[type.base].min), Number(INT_LIMITS[type.base].max));
    case 'timestamptz':
    case 'timestamp':
    case 'date':
      return textDatetime(type as SqlType & { base: 'timestamptz' | 'timestamp' | 'date' });
    case 'vector':
      return (bytes, start, end) => parseVectorBytes(bytes, start, end, type.typmod, slab);
    default:
      return undefined;
  }
}

/** vector_recv for a well-formed, finite vector of the column's dimensions. */
function binaryVector(typmod: number, slab: Float32Allocator): FieldDecoder {
  // A DataView per input buffer: V8 compiles its big-endian reads to a load and a swap.
  let viewOf: Buffer | null = null;
  let view: DataView = new DataView(new ArrayBuffer(0));
  return (bytes, start, end) => {
    if (end - start < 4) return undefined;
    const dim = bytes.readUInt16BE(start);
    if (dim < 1 || dim > VECTOR_MAX_DIM || bytes[start + 2] !== 0 || bytes[start + 3] !== 0) return undefined;
    if ((typmod !== -1 && typmod !== dim) || end - start !== 4 + 4 * dim) return undefined;
    if (viewOf !== bytes) {
      viewOf = bytes;
      view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    const out = slab.take(dim);
    const words = slab.blockWords;
    for (let k = out.byteOffset >> 2, stop = k + dim, at = start + 4; k < stop; k++, at += 4) {
      const w = view.getUint32(at);
      // An all-ones exponent is NaN or ±Infinity: vector_recv's element check words the error.
      if ((w & 0x7f800000) === 0x7f800000) return undefined;
      words[k] = w;
    }
    return out;
  };
}

/**
 * timestamp_recv's int64 µs as a number (INT64 max/min: ±infinity), without a BigInt: the
 * high word times 2³² plus the low word rounds once, as Number(int64) does.
 */
function binaryMicros(bytes: Buffer, start: number): number {
  const high = bytes.readInt32BE(start);
  const low = bytes.readUInt32BE(start + 4);
  if (high === 0x7fffffff && low === 0xffffffff) return Infinity;
  if (high === -0x80000000 && low === 0) return -Infinity;
  return high * 2 ** 32 + low;
}

/** The binary-format decoder for `type`, if it has one. */
export function binaryDecoder(type: SqlType, slab: Float32Allocator): FieldDecoder | undefined {
  if (type.isArray) return undefined;
  switch (type.base) {
    case 'int2':
      return (bytes, start, end) => (end - start === 2 ? bytes.readInt16BE(start) : undefined);
    case 'int4':
      return (bytes, start, end) => (end - start === 4 ? bytes.readInt32BE(start) : undefined);
    case 'int8':
      return (bytes, start, end) => (end - start === 8 ? bytes.readBigInt64BE(start) : undefined);
    case 'float4':
      return (bytes, start, end) => (end - start === 4 ? bytes.readFloatBE(start) : undefined);
    case 'float8':
      return (bytes, start, end) => (end - start === 8 ? bytes.readDoubleBE(start) : undefined);
    case 'timestamp':
    case 'timestamptz': {
      const typmod = type.typmod;
      return (bytes, start, end) =>
        end - start === 8 ? roundMicros(binaryMicros(bytes, start), typmod) : undefined;
    }
    case 'date':
      return (bytes, start, end) => {
        if (end - start !== 4) return undefined;
        const days = bytes.readInt32BE(start);
        return days === 0x7fffffff ? Infinity : days === -0x80000000 ? -Infinity : days;
      };
    case 'vector':
      return binaryVector(type.typmod, slab);
    default:
      return undefined;
  }
}
