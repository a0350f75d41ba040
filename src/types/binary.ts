/**
 * Big-endian byte helpers for PostgreSQL's binary send/receive formats (all network order).
 * Every reader checks bounds so a short message becomes 22P03, not a RangeError.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';

const scratch = new DataView(new ArrayBuffer(8));
const scratchBytes = new Uint8Array(scratch.buffer);

// Fixed-width values' big-endian bytes, written into a scratch view and copied out: one
// allocation per value (a typsend runs for every value of a WAL record or binary result).
export function int16Bytes(v: number): Uint8Array {
  scratch.setInt16(0, v);
  return scratchBytes.slice(0, 2);
}
export function int32Bytes(v: number): Uint8Array {
  scratch.setInt32(0, v);
  return scratchBytes.slice(0, 4);
}
export function uint32Bytes(v: number): Uint8Array {
  scratch.setUint32(0, v >>> 0);
  return scratchBytes.slice(0, 4);
}
export function int64Bytes(v: bigint): Uint8Array {
  scratch.setBigInt64(0, v);
  return scratchBytes.slice(0, 8);
}
export function float32Bytes(v: number): Uint8Array {
  scratch.setFloat32(0, v);
  return scratchBytes.slice(0, 4);
}
export function float64Bytes(v: number): Uint8Array {
  scratch.setFloat64(0, v);
  return scratchBytes.slice(0, 8);
}

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;

  /** `capacity`: the bytes expected (a fixed-width value's size saves a copy in finish). */
  constructor(capacity = 32) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  int8(v: number): this {
    this.ensure(1);
    this.view.setInt8(this.len, v);
    this.len += 1;
    return this;
  }
  int16(v: number): this {
    this.ensure(2);
    this.view.setInt16(this.len, v);
    this.len += 2;
    return this;
  }
  uint16(v: number): this {
    this.ensure(2);
    this.view.setUint16(this.len, v);
    this.len += 2;
    return this;
  }
  int32(v: number): this {
    this.ensure(4);
    this.view.setInt32(this.len, v);
    this.len += 4;
    return this;
  }
  uint32(v: number): this {
    this.ensure(4);
    this.view.setUint32(this.len, v >>> 0);
    this.len += 4;
    return this;
  }
  int64(v: bigint): this {
    this.ensure(8);
    this.view.setBigInt64(this.len, v);
    this.len += 8;
    return this;
  }
  float32(v: number): this {
    this.ensure(4);
    this.view.setFloat32(this.len, v);
    this.len += 4;
    return this;
  }
  float64(v: number): this {
    this.ensure(8);
    this.view.setFloat64(this.len, v);
    this.len += 8;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }
  /** The bytes written. A full buffer is returned as it is: any later write goes to a new one. */
  finish(): Uint8Array {
    return this.len === this.buf.length ? this.buf : this.buf.slice(0, this.len);
  }
}

export class ByteReader {
  private readonly view: DataView;
  pos = 0;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): number {
    if (this.pos + n > this.bytes.length) {
      throw new SqlError(SqlState.InvalidBinaryRepresentation, 'insufficient data left in message');
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }
  get remaining(): number {
    return this.bytes.length - this.pos;
  }
  int8(): number {
    return this.view.getInt8(this.need(1));
  }
  int16(): number {
    return this.view.getInt16(this.need(2));
  }
  uint16(): number {
    return this.view.getUint16(this.need(2));
  }
  int32(): number {
    return this.view.getInt32(this.need(4));
  }
  uint32(): number {
    return this.view.getUint32(this.need(4));
  }
  int64(): bigint {
    return this.view.getBigInt64(this.need(8));
  }
  float32(): number {
    return this.view.getFloat32(this.need(4));
  }
  float64(): number {
    return this.view.getFloat64(this.need(8));
  }
  take(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }
  /** PostgreSQL rejects trailing bytes after a complete value ("incorrect binary data format"). */
  end(): void {
    if (this.pos !== this.bytes.length) {
      throw new SqlError(SqlState.InvalidBinaryRepresentation, 'incorrect binary data format');
    }
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

export function utf8Decode(b: Uint8Array): string {
  try {
    return decoder.decode(b);
  } catch {
    throw new SqlError(SqlState.CharacterNotInRepertoire, 'invalid byte sequence for encoding "UTF8"');
  }
}
