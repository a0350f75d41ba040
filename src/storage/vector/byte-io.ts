/**
 * Little-endian binary writer and bounds-checked reader for saved vector indexes
 * (index-persistence.ts). Typed arrays are written as a u32 element count followed by their raw
 * bytes, so vectors cost 4 bytes a float, not a JSON number each. The reader copies every
 * array out of the input: the caller may reuse its buffer, and the copies are aligned.
 */

import { IndexFileError } from './index-file-error.ts';

/** Typed arrays are stored in memory order; the format is defined as little-endian. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type ArrayKind = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;

export class ByteWriter {
  /** Pieces in order, each the writer's own; joined once by index-persistence.ts. */
  readonly parts: Uint8Array[] = [];
  length = 0;

  constructor() {
    if (!LITTLE_ENDIAN) throw new Error('saving vector indexes needs a little-endian machine');
  }

  u32(value: number): void {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, value, true);
    this.push(bytes);
  }

  /** Any JS number (row ids up to 2^53, capacities, PRNG state) as a float64. */
  f64(value: number): void {
    this.push(new Uint8Array(new Float64Array([value]).buffer));
  }

  /** A length-prefixed byte string (e.g. hnswlib's own file), not copied. */
  blob(bytes: Uint8Array): void {
    this.f64(bytes.length);
    this.push(bytes);
  }

  /** Copied: the caller may go on changing `values` (a live graph's arrays) before the file is written. */
  array(values: ArrayKind): void {
    this.u32(values.length);
    this.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice());
  }

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.length += bytes.length;
  }
}

export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  /** `what` names the input in errors ("hnsw index payload"). */
  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u32(): number {
    this.need(4);
    const value = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return value;
  }

  f64(): number {
    this.need(8);
    const value = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return value;
  }

  /** A view (not a copy) of a blob written by ByteWriter.blob. */
  blob(): Uint8Array {
    const length = this.f64();
    if (!Number.isSafeInteger(length) || length < 0) this.fail(`blob length ${length}`);
    this.need(length);
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  float32s(expected?: number): Float32Array {
    return new Float32Array(this.arrayBytes(4, expected));
  }

  float64s(expected?: number): Float64Array {
    return new Float64Array(this.arrayBytes(8, expected));
  }

  int32s(expected?: number): Int32Array {
    return new Int32Array(this.arrayBytes(4, expected));
  }

  uint32s(expected?: number): Uint32Array {
    return new Uint32Array(this.arrayBytes(4, expected));
  }

  uint8s(expected?: number): Uint8Array {
    return new Uint8Array(this.arrayBytes(1, expected));
  }

  /** Throws unless every byte was read: trailing bytes mean writer and reader disagree. */
  end(): void {
    if (this.offset !== this.bytes.length) {
      this.fail(`${this.bytes.length - this.offset} unread bytes at offset ${this.offset}`);
    }
  }

  /** A consistency error in the decoded structure, naming the input. */
  fail(message: string): never {
    throw new IndexFileError(`${this.what}: ${message}`);
  }

  private arrayBytes(elementSize: number, expected: number | undefined): ArrayBuffer {
    const count = this.u32();
    if (expected !== undefined && count !== expected) {
      this.fail(`expected an array of ${expected} elements at offset ${this.offset - 4}, found ${count}`);
    }
    const length = count * elementSize;
    this.need(length);
    const start = this.bytes.byteOffset + this.offset;
    this.offset += length;
    // ArrayBuffer.slice copies into a fresh, aligned buffer.
    return this.bytes.buffer.slice(start, start + length) as ArrayBuffer;
  }

  private need(length: number): void {
    if (this.offset + length > this.bytes.length) {
      this.fail(
        `needs ${length} bytes at offset ${this.offset}, only ${this.bytes.length - this.offset} left`,
      );
    }
  }
}
