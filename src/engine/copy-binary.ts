/**
 * COPY's binary format (PostgreSQL's "PGCOPY" file layout): an 11-byte signature, a flags
 * word and a header-extension length, then per row an int16 field count followed by each
 * field as int32 length (-1 = NULL) plus the type's binary send/receive bytes, and an int16
 * -1 trailer. Input is parsed incrementally as CopyData arrives.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

function bad(message: string): SqlError {
  return new SqlError(SqlState.BadCopyFileFormat, message);
}

/** The binary COPY header: signature, flags 0, no header extension. */
export function binaryHeader(): Uint8Array {
  const b = Buffer.alloc(SIGNATURE.length + 8);
  SIGNATURE.copy(b, 0);
  return b;
}

export function binaryTrailer(): Uint8Array {
  return Buffer.from([0xff, 0xff]);
}

/** One row: field count, then length-prefixed fields. */
export function binaryRecord(fields: readonly (Uint8Array | null)[]): Uint8Array {
  let size = 2;
  for (const f of fields) size += 4 + (f ? f.length : 0);
  const b = Buffer.alloc(size);
  b.writeInt16BE(fields.length, 0);
  let at = 2;
  for (const f of fields) {
    if (f === null) {
      b.writeInt32BE(-1, at);
      at += 4;
    } else {
      b.writeInt32BE(f.length, at);
      b.set(f, at + 4);
      at += 4 + f.length;
    }
  }
  return b;
}

/**
 * One tuple as byte ranges of the input buffer (start -1 for NULL), so a column whose type
 * reads bytes directly never copies them. Valid only during the row callback.
 */
export class BinaryRecord {
  bytes: Buffer = Buffer.alloc(0);
  count = 0;
  starts = new Int32Array(8);
  ends = new Int32Array(8);

  /** A copy of field `i`'s bytes; null for NULL. */
  field(i: number): Uint8Array | null {
    const start = this.starts[i];
    return start < 0 ? null : Uint8Array.prototype.slice.call(this.bytes, start, this.ends[i]);
  }
}

/**
 * Reads binary COPY data, calling `row` with each tuple and its 1-based number. `columns` is
 * the number of fields every tuple must have.
 */
export async function readBinary(
  input: AsyncIterable<Uint8Array>,
  columns: number,
  row: (record: BinaryRecord, tuple: number) => void,
  /** Awaited after each input chunk (COPY moves rows out of memory there). */
  afterChunk?: () => Promise<void>,
): Promise<void> {
  let buf: Buffer = Buffer.alloc(0);
  let headerDone = false;
  let finished = false;
  let tuple = 0;
  const record = new BinaryRecord();
  if (columns > record.starts.length) {
    record.starts = new Int32Array(columns);
    record.ends = new Int32Array(columns);
  }
  record.count = columns;
  for await (const chunk of input) {
    if (finished) continue;
    buf =
      buf.length === 0
        ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
        : Buffer.concat([buf, chunk]);
    let at = 0;
    if (!headerDone) {
      if (buf.length < SIGNATURE.length + 8) {
        buf = Buffer.from(buf);
        continue;
      }
      if (!buf.subarray(0, SIGNATURE.length).equals(SIGNATURE))
        throw bad('COPY file signature not recognized');
      const flags = buf.readInt32BE(SIGNATURE.length);
      if ((flags & 0xffff0000) !== 0 || (flags & 0x10000) !== 0)
        throw bad('invalid COPY file header (unrecognized critical flags)');
      const extension = buf.readInt32BE(SIGNATURE.length + 4);
      if (extension < 0) throw bad('invalid COPY file header (missing length)');
      if (buf.length < SIGNATURE.length + 8 + extension) {
        buf = Buffer.from(buf);
        continue;
      }
      at = SIGNATURE.length + 8 + extension;
      headerDone = true;
    }
    record.bytes = buf;
    const length = buf.length;
    for (;;) {
      if (length - at < 2) break;
      const count = buf.readInt16BE(at);
      if (count === -1) {
        finished = true;
        at += 2;
        break;
      }
      if (count !== columns) throw bad(`row field count is ${count}, expected ${columns}`);
      // Make sure the whole tuple is here before consuming it.
      let end = at + 2;
      let complete = true;
      for (let i = 0; i < count; i++) {
        if (length - end < 4) {
          complete = false;
          break;
        }
        const size = buf.readInt32BE(end);
        end += 4;
        if (size === -1) {
          record.starts[i] = -1;
          continue;
        }
        if (size < 0) throw bad('invalid field size');
        if (length - end < size) {
          complete = false;
          break;
        }
        record.starts[i] = end;
        record.ends[i] = end + size;
        end += size;
      }
      if (!complete) break;
      at = end;
      row(record, ++tuple);
    }
    // The rest is copied: the wire layer may reuse the chunk's memory once we return.
    buf = at < length ? Buffer.from(buf.subarray(at)) : Buffer.alloc(0);
    await afterChunk?.();
  }
  if (!headerDone || !finished) {
    if (!headerDone && buf.length === 0 && tuple === 0) throw bad('COPY file signature not recognized');
    if (buf.length > 0 || !finished) throw bad('unexpected EOF in COPY data');
  }
}
