/**
 * Reads a sealed-segment file (segment-format.ts). Opening checks the header, trailer and
 * footer (magic, version, footer CRC, directory bounds); each block's CRC is checked the
 * first time that block is read, so a query that needs one column pays for one column.
 * `verify()` checks every block at once (scrubbing, tests). Any failed check throws
 * SegmentCorruptError naming the segment and block; the reader never guesses.
 *
 * Vector columns stored as float32 are exposed as a view over the input bytes (zero copy)
 * when the input is 4-byte aligned, as a download into a fresh buffer is.
 */
import { findTypeInfo } from '../../types/registry.ts';
import { type SqlType, sqlType, type Value } from '../../types/type.ts';
import { binaryIn } from '../../types/value-io.ts';
import { crc32 } from '../crc32.ts';
import { BloomFilter, bloomKey } from './bloom-filter.ts';
import { type ColumnStats, decodeBound } from './column-stats.ts';
import {
  BLOCK_ALIGN,
  type BlockKind,
  type BlockRef,
  bitmapSize,
  blockName,
  type ColumnEncoding,
  type ColumnMeta,
  FORMAT_VERSION,
  HEADER_SIZE,
  MAGIC,
  SegmentCorruptError,
  type SegmentFooter,
  TRAILER_SIZE,
} from './segment-format.ts';

export interface SegmentColumnInfo {
  readonly name: string;
  readonly type: SqlType;
  readonly encoding: ColumnEncoding;
}

/** A float32 vector column: rows × dims floats, row r at [r·dims, (r+1)·dims). */
export interface VectorColumn {
  readonly data: Float32Array;
  readonly dims: number;
  isNull(row: number): boolean;
  /** Row r's vector as a subarray of `data` (shares memory; do not mutate). */
  vector(row: number): Float32Array;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A typed-array view when the bytes are aligned for it, else a copy (which is). */
function typedView<T>(
  bytes: Uint8Array,
  size: number,
  make: (buffer: ArrayBufferLike, offset: number, length: number) => T,
): T {
  const src = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  return make(src.buffer, src.byteOffset, src.byteLength / size);
}

export class SegmentReader {
  readonly rowCount: number;
  readonly columns: readonly SegmentColumnInfo[];
  readonly primaryKey: readonly number[];
  /** Per column: NULL count and, for ordered scalar types, min/max (from the footer). */
  readonly stats: readonly ColumnStats[];
  private readonly metas: readonly ColumnMeta[];
  private readonly blocks = new Map<string, BlockRef>();
  private readonly verified = new Set<string>();
  private rowIdsCache?: Float64Array;
  private insertTsCache?: Float64Array;
  private bloomCache?: BloomFilter | null;

  /** Use openSegment(). */
  constructor(
    private readonly bytes: Uint8Array,
    readonly name: string,
    footer: SegmentFooter,
  ) {
    this.rowCount = footer.rowCount;
    this.primaryKey = footer.primaryKey;
    this.metas = footer.columns;
    this.columns = footer.columns.map((c) => ({
      name: c.name,
      type: sqlType(c.type.base, c.type.typmod, c.type.isArray),
      encoding: c.encoding,
    }));
    for (const b of footer.blocks) this.blocks.set(key(b.kind, b.column), b);
    this.stats = footer.columns.map((c, i) => {
      const type = this.columns[i].type;
      return this.guard(`footer stats of column ${i} (${c.name})`, () => ({
        nullCount: c.nullCount,
        min: decodeBound(type, c.min),
        max: decodeBound(type, c.max),
      }));
    });
  }

  /** Row-version ids, one per row (a view over the file when it is 8-byte aligned). */
  get rowIds(): Float64Array {
    this.rowIdsCache ??= typedView(this.block('row-ids'), 8, (b, o, n) => new Float64Array(b, o, n));
    return this.rowIdsCache;
  }

  /** Insert (commit) timestamps, one per row. */
  get insertTs(): Float64Array {
    this.insertTsCache ??= typedView(this.block('insert-ts'), 8, (b, o, n) => new Float64Array(b, o, n));
    return this.insertTsCache;
  }

  /** The primary-key Bloom filter; null when the table has no primary key. */
  get bloom(): BloomFilter | null {
    if (this.bloomCache === undefined) {
      if (!this.primaryKey.length) this.bloomCache = null;
      else {
        const filter = BloomFilter.fromBytes(this.block('bloom'));
        if (!filter) throw this.corrupt('bloom', 'bad filter header');
        this.bloomCache = filter;
      }
    }
    return this.bloomCache;
  }

  /**
   * False when no row of this segment has these primary-key values (in primary-key column
   * order); true when one may. Conservatively true for a table without a primary key.
   */
  mightContainKey(values: readonly Value[]): boolean {
    const bloom = this.bloom;
    if (!bloom) return true;
    return bloom.mightContain(
      bloomKey(
        this.primaryKey.map((p) => this.columns[p].type),
        values,
      ),
    );
  }

  /** Every value of column `c`, decoded (vectors copied out: the caller owns the result). */
  column(c: number): Value[] {
    const { nulls, get } = this.decoder(c);
    const out: Value[] = new Array(this.rowCount);
    for (let r = 0; r < this.rowCount; r++) out[r] = isSet(nulls, r) ? null : get(r);
    return out;
  }

  /** One row's values. */
  row(r: number): Value[] {
    if (!Number.isInteger(r) || r < 0 || r >= this.rowCount) {
      throw new RangeError(`row ${r} is outside segment "${this.name}" (${this.rowCount} rows)`);
    }
    return this.columns.map((_, c) => {
      const { nulls, get } = this.decoder(c);
      return isSet(nulls, r) ? null : get(r);
    });
  }

  /** Zero-copy access to a `vector` column stored as float32 (see SegmentColumnInfo.encoding). */
  vectorColumn(c: number): VectorColumn {
    const meta = this.meta(c);
    if (meta.encoding !== 'float32') {
      throw new Error(`column ${c} (${meta.name}) of segment "${this.name}" is not a float32 vector column`);
    }
    const bytes = this.block('column', c);
    const head = bitmapSize(this.rowCount);
    const dims = meta.dims;
    const nulls = bytes.subarray(0, head);
    const data = typedView(bytes.subarray(head), 4, (b, o, n) => new Float32Array(b, o, n));
    return {
      data,
      dims,
      isNull: (r) => isSet(nulls, r),
      vector: (r) => data.subarray(r * dims, (r + 1) * dims),
    };
  }

  /**
   * Where a float32 column's vectors sit in the segment's file (the file offset of row 0's
   * first float), with a copy of its null bitmap: enough to read one row's vector from the
   * file without keeping the segment's bytes (FileVectorColumn). Checks the block's CRC.
   */
  vectorColumnInFile(c: number): {
    readonly dataOffset: number;
    readonly dims: number;
    readonly nulls: Uint8Array;
  } {
    const meta = this.meta(c);
    if (meta.encoding !== 'float32') {
      throw new Error(`column ${c} (${meta.name}) of segment "${this.name}" is not a float32 vector column`);
    }
    const bytes = this.block('column', c);
    const head = bitmapSize(this.rowCount);
    const ref = this.blocks.get(key('column', c))!;
    // A copy (a Buffer's slice would be a view keeping the whole file's bytes alive).
    return {
      dataOffset: ref.offset + head,
      dims: meta.dims,
      nulls: Uint8Array.from(bytes.subarray(0, head)),
    };
  }

  /** Checks every block's CRC now instead of on first use. */
  verify(): void {
    for (const b of this.blocks.values()) this.block(b.kind, b.column);
  }

  private meta(c: number): ColumnMeta {
    const meta = this.metas[c];
    if (!meta) throw new RangeError(`segment "${this.name}" has no column ${c}`);
    return meta;
  }

  private decoders = new Map<number, { nulls: Uint8Array; get: (r: number) => Value }>();

  /** Per column, the null bitmap and a function decoding one non-null row. */
  private decoder(c: number): { nulls: Uint8Array; get: (r: number) => Value } {
    let d = this.decoders.get(c);
    if (d) return d;
    const meta = this.meta(c);
    const type = this.columns[c].type;
    if (meta.encoding === 'float32') {
      const v = this.vectorColumn(c);
      d = {
        nulls: this.block('column', c).subarray(0, bitmapSize(this.rowCount)),
        get: (r) => v.vector(r).slice(),
      };
    } else {
      const bytes = this.block('column', c);
      const head = bitmapSize(this.rowCount);
      const offsetsEnd = head + 4 * (this.rowCount + 1);
      const where = blockName({ kind: 'column', column: c }, this.metas);
      if (bytes.length < offsetsEnd) throw this.corrupt(where, 'too short for its offsets');
      const offsets = typedView(bytes.subarray(head, offsetsEnd), 4, (b, o, n) => new Uint32Array(b, o, n));
      const data = bytes.subarray(head + Math.ceil((offsetsEnd - head) / BLOCK_ALIGN) * BLOCK_ALIGN);
      if (offsets[0] !== 0 || offsets[this.rowCount] !== data.length)
        throw this.corrupt(where, 'bad offsets');
      for (let r = 0; r < this.rowCount; r++) {
        if (offsets[r + 1] < offsets[r]) throw this.corrupt(where, `bad offset at row ${r}`);
      }
      d = {
        nulls: bytes.subarray(0, head),
        get: (r) =>
          this.guard(`${where} row ${r}`, () => binaryIn(type, data.subarray(offsets[r], offsets[r + 1]))),
      };
    }
    this.decoders.set(c, d);
    return d;
  }

  /** The bytes of a block, CRC-checked on first use. */
  private block(kind: BlockKind, column?: number): Uint8Array {
    const k = key(kind, column);
    const ref = this.blocks.get(k);
    const where = blockName({ kind, column }, this.metas);
    if (!ref) throw this.corrupt(where, 'missing from the block directory');
    const bytes = this.bytes.subarray(ref.offset, ref.offset + ref.length);
    if (!this.verified.has(k)) {
      if (crc32(bytes) !== ref.crc) throw this.corrupt(where, 'checksum mismatch');
      const expected = expectedLength(kind, this.rowCount, this.metas[column ?? -1]);
      if (expected !== undefined && bytes.length !== expected) {
        throw this.corrupt(where, `length ${bytes.length}, expected ${expected}`);
      }
      this.verified.add(k);
    }
    return bytes;
  }

  /** Runs a decode whose failure means the bytes are wrong (they passed their CRC, so a writer bug). */
  private guard<T>(where: string, f: () => T): T {
    try {
      return f();
    } catch (err) {
      throw this.corrupt(where, `undecodable value: ${(err as Error).message}`);
    }
  }

  private corrupt(where: string, reason: string): SegmentCorruptError {
    return new SegmentCorruptError(this.name, where, reason);
  }
}

const key = (kind: BlockKind, column?: number) => (kind === 'column' ? `column:${column}` : kind);

export const isSet = (bitmap: Uint8Array, r: number): boolean => (bitmap[r >>> 3] & (1 << (r & 7))) !== 0;

/** Exact byte length of fixed-size blocks; undefined for variable ones (checked when decoded). */
function expectedLength(kind: BlockKind, rows: number, meta: ColumnMeta | undefined): number | undefined {
  if (kind === 'row-ids' || kind === 'insert-ts') return rows * 8;
  if (kind === 'column' && meta?.encoding === 'float32') return bitmapSize(rows) + rows * meta.dims * 4;
  return undefined;
}

/** Opens a segment file held in memory; `name` (e.g. its object key) is used in errors. */
export function openSegment(bytes: Uint8Array, name: string): SegmentReader {
  const corrupt = (where: string, reason: string) => new SegmentCorruptError(name, where, reason);
  if (bytes.length < HEADER_SIZE + TRAILER_SIZE) {
    throw corrupt('file', `truncated: ${bytes.length} bytes is smaller than header and trailer`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!sameBytes(bytes.subarray(0, 8), MAGIC)) throw corrupt('header', 'bad magic (not a Quiver segment)');
  const version = view.getUint32(8, true);
  if (version !== FORMAT_VERSION) throw corrupt('header', `unsupported format version ${version}`);
  if (view.getUint32(12, true) !== 0) throw corrupt('header', 'reserved bytes are not zero');

  const trailer = bytes.length - TRAILER_SIZE;
  if (!sameBytes(bytes.subarray(trailer + 8), MAGIC)) {
    throw corrupt('trailer', 'bad magic (file truncated or overwritten)');
  }
  const footerLength = view.getUint32(trailer, true);
  const footerStart = trailer - footerLength;
  if (footerStart < HEADER_SIZE) throw corrupt('trailer', `footer length ${footerLength} exceeds the file`);
  const footerBytes = bytes.subarray(footerStart, trailer);
  if (crc32(footerBytes) !== view.getUint32(trailer + 4, true)) throw corrupt('footer', 'checksum mismatch');
  let footer: SegmentFooter;
  try {
    footer = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(footerBytes)) as SegmentFooter;
  } catch (err) {
    throw corrupt('footer', `not valid JSON: ${(err as Error).message}`);
  }
  const problem = footerProblem(footer, footerStart);
  if (problem) throw corrupt('footer', problem);
  return new SegmentReader(bytes, name, footer);
}

const ENCODINGS: readonly unknown[] = ['binary', 'float32'] satisfies ColumnEncoding[];
const KINDS: readonly unknown[] = ['column', 'row-ids', 'insert-ts', 'bloom'] satisfies BlockKind[];
const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
const isBound = (s: unknown) => s === null || typeof s === 'string';

/**
 * What is wrong with a footer that passed its CRC (only a writer bug or a forged file gets
 * here), or undefined. Checked up front so later code can trust shapes and bounds.
 */
function footerProblem(f: SegmentFooter, footerStart: number): string | undefined {
  if (typeof f !== 'object' || f === null) return 'not an object';
  if (f.version !== FORMAT_VERSION) return `version ${f.version} differs from the header`;
  if (!isCount(f.rowCount)) return 'bad row count';
  if (!Array.isArray(f.columns) || !Array.isArray(f.blocks) || !Array.isArray(f.primaryKey)) {
    return 'missing columns, blocks or primary key';
  }
  for (const [i, c] of f.columns.entries()) {
    const ok =
      typeof c?.name === 'string' &&
      findTypeInfo(c.type?.base) !== undefined &&
      Number.isInteger(c.type.typmod) &&
      typeof c.type.isArray === 'boolean' &&
      ENCODINGS.includes(c.encoding) &&
      (c.encoding !== 'float32' || (c.type.base === 'vector' && !c.type.isArray)) &&
      isCount(c.dims) &&
      isCount(c.nullCount) &&
      c.nullCount <= f.rowCount &&
      isBound(c.min) &&
      isBound(c.max);
    if (!ok) return `bad entry for column ${i}`;
  }
  if (!f.primaryKey.every((p) => Number.isInteger(p) && p >= 0 && p < f.columns.length)) {
    return 'bad primary key';
  }
  const seen = new Set<string>();
  for (const b of f.blocks) {
    const ok =
      KINDS.includes(b?.kind) &&
      (b.kind !== 'column' ||
        (Number.isInteger(b.column) && b.column! >= 0 && b.column! < f.columns.length)) &&
      isCount(b.offset) &&
      isCount(b.length) &&
      b.offset % BLOCK_ALIGN === 0 &&
      b.offset >= HEADER_SIZE &&
      b.offset + b.length <= footerStart &&
      Number.isInteger(b.crc);
    if (!ok) return `bad directory entry ${JSON.stringify(b)}`;
    const k = key(b.kind, b.column);
    if (seen.has(k)) return `duplicate directory entry for ${k}`;
    seen.add(k);
  }
  const needed = [...f.columns.map((_, i) => key('column', i)), 'row-ids', 'insert-ts'];
  if (f.primaryKey.length) needed.push('bloom');
  const missing = needed.find((k) => !seen.has(k));
  return missing ? `no directory entry for ${missing}` : undefined;
}
