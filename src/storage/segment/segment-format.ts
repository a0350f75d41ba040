/**
 * The sealed-segment file layout (docs/segment-format.md): constants, the footer's shape and
 * the one error a damaged file raises. segment-writer.ts and segment-reader.ts are the only
 * code that lays out or parses bytes; this file is the contract between them.
 *
 *   header  16 B   magic (8) · version u32 · reserved u32 (0)
 *   blocks         each at an 8-byte aligned offset, zero padding between
 *   footer         UTF-8 JSON (SegmentFooter): columns, stats, block directory
 *   trailer 16 B   footer length u32 · footer CRC-32 u32 · magic (8)
 * All integers and floats are little-endian.
 */
import { SqlError, SqlState } from '../../errors/sql-error.ts';
import type { BaseTypeName } from '../../types/type.ts';

/** PNG-style: a CR LF and ^Z pair catches text-mode mangling as well as foreign files. */
export const MAGIC: Uint8Array = Uint8Array.of(0x51, 0x56, 0x53, 0x45, 0x47, 0x0d, 0x0a, 0x1a); // "QVSEG\r\n\x1a"
export const FORMAT_VERSION = 1;
export const HEADER_SIZE = 16;
export const TRAILER_SIZE = 16;
/** Blocks start 8-aligned so Float64Array / Float32Array / Uint32Array views need no copy. */
export const BLOCK_ALIGN = 8;
/** Encoded min/max values larger than this are left out of the footer (no pruning on them). */
export const MAX_STAT_BYTES = 1024;

export const align = (n: number, to = BLOCK_ALIGN): number => Math.ceil(n / to) * to;

/** Bytes of a null bitmap for `rows` rows, padded so the values after it stay aligned. */
export const bitmapSize = (rows: number): number => align(Math.ceil(rows / 8));

// Typed-array views over the file are only meaningful when the host byte order is the
// file's; every platform Node ships for is little-endian, so refuse to run otherwise.
if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) {
  throw new Error('the Quiver segment format requires a little-endian host');
}

/**
 * How a column's values are laid out after its null bitmap:
 * - `binary`: (rows + 1) u32 offsets, padded to 8, then each value's PostgreSQL binary form
 *   (typsend, arrays included); a NULL row has an empty slot.
 * - `float32`: rows × dims float32, a zero-filled slot for NULL (vector columns whose rows
 *   all have the same dimensions).
 */
export type ColumnEncoding = 'binary' | 'float32';

export interface ColumnMeta {
  readonly name: string;
  readonly type: { readonly base: BaseTypeName; readonly typmod: number; readonly isArray: boolean };
  readonly encoding: ColumnEncoding;
  /** Dimensions of a `float32` column; 0 otherwise. */
  readonly dims: number;
  readonly nullCount: number;
  /** Base64 of the binary form of the smallest/largest non-null value; null when unordered or absent. */
  readonly min: string | null;
  readonly max: string | null;
}

export type BlockKind = 'column' | 'row-ids' | 'insert-ts' | 'bloom';

export interface BlockRef {
  readonly kind: BlockKind;
  /** Column position, for `column` blocks. */
  readonly column?: number;
  readonly offset: number;
  readonly length: number;
  /** CRC-32 of the block's `length` bytes (padding excluded). */
  readonly crc: number;
}

export interface SegmentFooter {
  readonly version: number;
  readonly rowCount: number;
  /** Positions of the primary-key columns; empty when the table has none (then no bloom block). */
  readonly primaryKey: readonly number[];
  readonly columns: readonly ColumnMeta[];
  readonly blocks: readonly BlockRef[];
}

/** The name a block goes by in error messages. */
export function blockName(block: Pick<BlockRef, 'kind' | 'column'>, columns?: readonly ColumnMeta[]): string {
  if (block.kind !== 'column') return block.kind;
  const col = columns?.[block.column ?? -1];
  return col ? `column ${block.column} (${col.name})` : `column ${block.column}`;
}

/**
 * A segment whose bytes fail a check (truncated, bit flip, foreign file, wrong version).
 * The reader throws this rather than return a value it cannot vouch for. XX001 is
 * PostgreSQL's data_corrupted, which it raises for damaged pages.
 */
export class SegmentCorruptError extends SqlError {
  constructor(
    readonly segment: string,
    readonly block: string,
    readonly reason: string,
  ) {
    super(SqlState.DataCorrupted, `segment "${segment}" is corrupt: ${block}: ${reason}`);
    this.name = 'SegmentCorruptError';
  }
}
