/**
 * Encodes a batch of row versions of one table as a sealed-segment file (layout in
 * segment-format.ts and docs/segment-format.md). Bytes out, no I/O: the caller uploads them.
 */
import type { SqlType, Value } from '../../types/type.ts';
import { binaryOut } from '../../types/value-io.ts';
import { crc32 } from '../crc32.ts';
import { runAtOnce, runInSlices, type Steps } from '../stepwise.ts';
import { BloomFilter, bloomKey } from './bloom-filter.ts';
import { computeStats, encodeBound } from './column-stats.ts';
import {
  align,
  type BlockKind,
  bitmapSize,
  type ColumnMeta,
  FORMAT_VERSION,
  HEADER_SIZE,
  MAGIC,
  type SegmentFooter,
  TRAILER_SIZE,
} from './segment-format.ts';

export interface SegmentColumn {
  readonly name: string;
  readonly type: SqlType;
}

export interface SegmentInput {
  readonly columns: readonly SegmentColumn[];
  /** One array of column values per row; null for SQL NULL. */
  readonly rows: readonly (readonly Value[])[];
  /** Per row: the row version's per-table unique id (a safe integer ≥ 0). */
  readonly rowIds: ArrayLike<number>;
  /** Per row: the commit timestamp that inserted it (a safe integer ≥ 0). */
  readonly insertTs: ArrayLike<number>;
  /** Positions of the primary-key columns; empty for a table without one. */
  readonly primaryKey: readonly number[];
}

/**
 * A block of the file, written straight into its place in the output buffer: a big
 * segment's vector block is copied once, not built apart and then copied into the file.
 */
interface EncodedBlock {
  readonly kind: BlockKind;
  readonly column?: number;
  readonly length: number;
  /** Fills `into` (exactly `length` bytes, zeroed). */
  readonly write: (into: Uint8Array) => void;
}

function bytesBlock(kind: BlockKind, bytes: Uint8Array, column?: number): EncodedBlock {
  return { kind, column, length: bytes.length, write: (into) => into.set(bytes) };
}

const isNull = (v: Value): boolean => v === null || v === undefined;

function nullBitmap(values: readonly Value[]): Uint8Array {
  const bitmap = new Uint8Array(bitmapSize(values.length));
  for (let r = 0; r < values.length; r++) if (isNull(values[r])) bitmap[r >>> 3] |= 1 << (r & 7);
  return bitmap;
}

/**
 * The dimensions a vector column is stored with as float32, or undefined when its rows
 * disagree (an unconstrained `vector` column may mix them) and it must fall back to binary.
 */
function vectorDims(type: SqlType, values: readonly Value[]): number | undefined {
  if (type.base !== 'vector' || type.isArray) return undefined;
  let dims = type.typmod > 0 ? type.typmod : -1;
  for (const v of values) {
    if (isNull(v)) continue;
    const n = (v as Float32Array).length;
    if (dims === -1) dims = n;
    else if (n !== dims) return undefined;
  }
  return Math.max(dims, 0);
}

function float32Block(column: number, values: readonly Value[], dims: number): EncodedBlock {
  const head = bitmapSize(values.length);
  return {
    kind: 'column',
    column,
    length: head + values.length * dims * 4,
    write: (into) => writeFloat32Block(into, head, values, dims),
  };
}

function writeFloat32Block(out: Uint8Array, head: number, values: readonly Value[], dims: number): void {
  out.set(nullBitmap(values));
  // Block offsets are 8-aligned (align), so the floats after the bitmap are 4-aligned.
  const floats = new Float32Array(out.buffer, out.byteOffset + head, values.length * dims);
  for (let r = 0; r < values.length; ) {
    const v = values[r] as Float32Array | null;
    if (isNull(v)) {
      r++;
      continue;
    }
    // Rows loaded together are often adjacent views over one block: copy each run at once.
    let run = 1;
    // (Small vectors are skipped: reading .buffer would move an on-heap array off the heap.)
    while (dims > 16) {
      const next = values[r + run] as Float32Array | null | undefined;
      if (!next || next.buffer !== v!.buffer || next.byteOffset !== v!.byteOffset + run * dims * 4) break;
      run++;
    }
    floats.set(run === 1 ? v! : new Float32Array(v!.buffer, v!.byteOffset, run * dims), r * dims);
    r += run;
  }
}

const TWO_32 = 2 ** 32;

/** An integer count of µs as int64, ±infinity as INT64 max/min (timestamp's typsend). */
function setMicros(view: DataView, at: number, v: number): void {
  if (v === Infinity || v === -Infinity) {
    view.setInt32(at, v > 0 ? 0x7fffffff : -0x80000000);
    view.setUint32(at + 4, v > 0 ? 0xffffffff : 0);
    return;
  }
  const micros = Math.round(v);
  const high = Math.floor(micros / TWO_32);
  view.setInt32(at, high);
  view.setUint32(at + 4, micros - high * TWO_32);
}

/**
 * Big-endian writers of the fixed-width types whose binary form is just the number (typsend;
 * segment-writer.test.ts checks them against binaryOut).
 */
const FIXED_WIDTH: Partial<Record<string, [number, (view: DataView, at: number, v: Value) => void]>> = {
  int2: [2, (view, at, v) => view.setInt16(at, v as number)],
  int4: [4, (view, at, v) => view.setInt32(at, v as number)],
  int8: [8, (view, at, v) => view.setBigInt64(at, v as bigint)],
  float8: [8, (view, at, v) => view.setFloat64(at, v as number)],
  timestamp: [8, (view, at, v) => setMicros(view, at, v as number)],
  timestamptz: [8, (view, at, v) => setMicros(view, at, v as number)],
  date: [
    4,
    (view, at, v) =>
      view.setInt32(at, v === Infinity ? 0x7fffffff : v === -Infinity ? -0x80000000 : (v as number)),
  ],
};

/** Types whose binary form is the string's UTF-8 bytes (textsend). */
const UTF8_STRINGS = new Set(['text', 'varchar', 'bpchar', 'name']);

/** binaryBlock for a string type: UTF-8 written in place, without an array per value. */
function stringBlock(values: readonly Value[]): Uint8Array {
  const offsets = new Uint32Array(values.length + 1);
  let total = 0;
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    if (!isNull(v)) total += Buffer.byteLength(v as string, 'utf8');
    if (total > 0xffffffff) throw new Error('segment column exceeds 4 GiB; seal smaller segments');
    offsets[r + 1] = total;
  }
  const { out, dataStart } = binaryBlockFrame(values, offsets, total);
  const bytes = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    if (!isNull(v)) bytes.write(v as string, dataStart + offsets[r], 'utf8');
  }
  return out;
}

/** binaryBlock for a fixed-width type, without a binaryOut call (and array) per value. */
function fixedWidthBlock(
  width: number,
  set: (view: DataView, at: number, v: Value) => void,
  values: readonly Value[],
): Uint8Array {
  const offsets = new Uint32Array(values.length + 1);
  let total = 0;
  for (let r = 0; r < values.length; r++) {
    if (!isNull(values[r])) total += width;
    offsets[r + 1] = total;
  }
  const { out, dataStart } = binaryBlockFrame(values, offsets, total);
  const view = new DataView(out.buffer);
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    if (!isNull(v)) set(view, dataStart + offsets[r], v);
  }
  return out;
}

function binaryBlock(type: SqlType, values: readonly Value[]): Uint8Array {
  const fixed = type.isArray ? undefined : FIXED_WIDTH[type.base];
  if (fixed) return fixedWidthBlock(fixed[0], fixed[1], values);
  if (!type.isArray && UTF8_STRINGS.has(type.base)) return stringBlock(values);
  const parts: Uint8Array[] = new Array(values.length);
  const offsets = new Uint32Array(values.length + 1);
  let total = 0;
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    parts[r] = isNull(v) ? new Uint8Array() : binaryOut(type, v);
    total += parts[r].length;
    if (total > 0xffffffff) throw new Error('segment column exceeds 4 GiB; seal smaller segments');
    offsets[r + 1] = total;
  }
  const { out, dataStart } = binaryBlockFrame(values, offsets, total);
  for (let r = 0; r < values.length; r++) out.set(parts[r], dataStart + offsets[r]);
  return out;
}

/**
 * A binary column block with its null bitmap and value offsets written and `total` bytes of
 * value data left to fill from `dataStart` (docs/segment-format.md).
 */
function binaryBlockFrame(
  values: readonly Value[],
  offsets: Uint32Array,
  total: number,
): { out: Uint8Array; dataStart: number } {
  const head = bitmapSize(values.length);
  const dataStart = head + align(offsets.byteLength);
  const out = new Uint8Array(dataStart + total);
  out.set(nullBitmap(values));
  out.set(new Uint8Array(offsets.buffer), head);
  return { out, dataStart };
}

function float64Block(values: ArrayLike<number>, what: string): Uint8Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${what} must be safe integers ≥ 0, got ${v}`);
    out[i] = v;
  }
  return new Uint8Array(out.buffer);
}

function validate(input: SegmentInput): void {
  const { columns, rows, rowIds, insertTs, primaryKey } = input;
  if (rowIds.length !== rows.length || insertTs.length !== rows.length) {
    throw new Error(
      `segment needs one row id and insert ts per row: ${rows.length} rows, ${rowIds.length} ids, ${insertTs.length} ts`,
    );
  }
  for (let r = 0; r < rows.length; r++) {
    if (rows[r].length !== columns.length) {
      throw new Error(`segment row ${r} has ${rows[r].length} values for ${columns.length} columns`);
    }
  }
  for (const p of primaryKey) {
    if (!Number.isInteger(p) || p < 0 || p >= columns.length) throw new Error(`bad primary-key column ${p}`);
  }
  const dims = columns.map((c) => (c.type.base === 'vector' && c.type.typmod > 0 ? c.type.typmod : -1));
  for (let r = 0; r < rows.length; r++) {
    for (let c = 0; c < columns.length; c++) {
      const v = rows[r][c];
      if (dims[c] > 0 && !isNull(v) && (v as Float32Array).length !== dims[c]) {
        throw new Error(
          `segment row ${r}: expected ${dims[c]} dimensions, not ${(v as Float32Array).length}`,
        );
      }
    }
  }
}

export function writeSegment(input: SegmentInput): Uint8Array {
  return runAtOnce(encodeSegment(input));
}

/** writeSegment between turns of the event loop: a big table's segment takes most of a second. */
export function writeSegmentInSlices(input: SegmentInput): Promise<Uint8Array> {
  return runInSlices(encodeSegment(input));
}

/** The encoding, in steps of one column block, checksum or copy each. */
function* encodeSegment(input: SegmentInput): Steps<Uint8Array> {
  validate(input);
  const { columns, rows, primaryKey } = input;
  const blocks: EncodedBlock[] = [];
  const metas: ColumnMeta[] = [];

  for (let c = 0; c < columns.length; c++) {
    yield;
    const { name, type } = columns[c];
    const values = rows.map((row) => row[c]);
    const dims = vectorDims(type, values);
    const stats = computeStats(type, values);
    yield;
    metas.push({
      name,
      type: { base: type.base, typmod: type.typmod, isArray: type.isArray },
      encoding: dims === undefined ? 'binary' : 'float32',
      dims: dims ?? 0,
      nullCount: stats.nullCount,
      min: encodeBound(type, stats.min),
      max: encodeBound(type, stats.max),
    });
    blocks.push(
      dims === undefined ? bytesBlock('column', binaryBlock(type, values), c) : float32Block(c, values, dims),
    );
  }
  yield;
  blocks.push(bytesBlock('row-ids', float64Block(input.rowIds, 'row ids')));
  blocks.push(bytesBlock('insert-ts', float64Block(input.insertTs, 'insert timestamps')));
  if (primaryKey.length) {
    yield;
    const bloom = BloomFilter.create(rows.length);
    const types = primaryKey.map((p) => columns[p].type);
    for (const row of rows) {
      bloom.add(
        bloomKey(
          types,
          primaryKey.map((p) => row[p]),
        ),
      );
    }
    blocks.push(bytesBlock('bloom', bloom.toBytes()));
  }

  const offsets: number[] = [];
  let offset = HEADER_SIZE;
  for (const b of blocks) {
    offset = align(offset);
    offsets.push(offset);
    offset += b.length;
  }
  const footerOf = (crcs: readonly number[]): SegmentFooter => ({
    version: FORMAT_VERSION,
    rowCount: rows.length,
    primaryKey: [...primaryKey],
    columns: metas,
    blocks: blocks.map((b, i) => ({
      kind: b.kind,
      column: b.column,
      offset: offsets[i],
      length: b.length,
      crc: crcs[i],
    })),
  });
  // The footer holds the blocks' checksums, known only once they are written; its room is
  // sized with the widest checksums, and a shorter footer is padded with spaces (valid JSON),
  // so the file is one buffer from the start.
  const utf8 = new TextEncoder();
  const footerRoom = utf8.encode(JSON.stringify(footerOf(blocks.map(() => 0xffffffff)))).length;
  const out = new Uint8Array(offset + footerRoom + TRAILER_SIZE);
  const crcs: number[] = [];
  for (let i = 0; i < blocks.length; i++) {
    yield;
    const into = out.subarray(offsets[i], offsets[i] + blocks[i].length);
    blocks[i].write(into);
    crcs.push(crc32(into));
  }
  const footerBytes = new Uint8Array(footerRoom).fill(0x20);
  footerBytes.set(utf8.encode(JSON.stringify(footerOf(crcs))));
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.set(MAGIC, 0);
  view.setUint32(8, FORMAT_VERSION, true);
  out.set(footerBytes, offset);
  const trailer = offset + footerBytes.length;
  view.setUint32(trailer, footerBytes.length, true);
  view.setUint32(trailer + 4, crc32(footerBytes), true);
  out.set(MAGIC, trailer + 8);
  return out;
}
