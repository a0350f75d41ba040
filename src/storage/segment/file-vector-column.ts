/**
 * A float32 vector column read from its segment file: what a segment keeps of its vectors
 * once the memory budget pushed it out of the segment cache. The null bitmap stays in
 * memory; `vector(row)` reads the row's floats with one positioned read. A kNN query fetches
 * ten rows, so ten small reads (from the page cache, usually) replace loading the whole
 * segment back; the vectors the index searches live in the index itself.
 *
 * A scan (CREATE INDEX, exact search) asks for row after row: from the second row in a
 * row it reads ahead a chunk of rows and hands out views of it, so a scan makes one read
 * and one allocation per chunk instead of per row (a million small buffers, freed after a
 * build, stay in the allocator's heap). The block's CRC was checked when the segment was
 * loaded; these reads are not re-checked.
 */
import { readSync } from 'node:fs';
import { SegmentCorruptError } from './segment-format.ts';
import { isSet } from './segment-reader.ts';

/** Rows per read-ahead chunk: 512 KiB of 128-dimension vectors. */
const CHUNK_ROWS = 1024;

export class FileVectorColumn {
  private chunk: Float32Array | null = null;
  private chunkFirst = 0;
  private chunkRows = 0;
  private lastRow = -2;

  constructor(
    /** An open descriptor of the segment file; the segment cache closes it. */
    private readonly fd: number,
    private readonly segment: string,
    private readonly dataOffset: number,
    readonly dims: number,
    private readonly rows: number,
    private readonly nulls: Uint8Array,
  ) {}

  isNull(row: number): boolean {
    return isSet(this.nulls, row);
  }

  /** Row `row`'s vector; a view of a read-ahead chunk during a scan (do not mutate). */
  vector(row: number): Float32Array {
    const sequential = row === this.lastRow + 1;
    this.lastRow = row;
    const dims = this.dims;
    if (this.chunk && row >= this.chunkFirst && row < this.chunkFirst + this.chunkRows) {
      const at = (row - this.chunkFirst) * dims;
      return this.chunk.subarray(at, at + dims);
    }
    const rows = sequential ? Math.min(CHUNK_ROWS, this.rows - row) : 1;
    const out = this.read(row, rows);
    if (rows === 1) return out;
    this.chunk = out;
    this.chunkFirst = row;
    this.chunkRows = rows;
    return out.subarray(0, dims);
  }

  private read(first: number, rows: number): Float32Array {
    const out = new Float32Array(rows * this.dims);
    const bytes = out.byteLength;
    const read = readSync(this.fd, out, 0, bytes, this.dataOffset + first * this.dims * 4);
    if (read !== bytes) {
      throw new SegmentCorruptError(this.segment, 'vector column', `rows from ${first} are cut short`);
    }
    return out;
  }
}
