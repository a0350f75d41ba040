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
 * Reads binary COPY data, calling `row` with each tuple's fields (raw bytes, null for NULL)
 * and its 1-based number. `columns` is the number of fields every tuple must have.
 */
export async function readBinary(
  input: AsyncIterable<Uint8Array>,
  columns: number,
  row: (fields: (Uint8Array | null)[], tuple: number) => void,
  /** Awaited after each input chunk (COPY moves rows out of memory there). */
  afterChunk?: () => Promise<void>,
): Promise<void> {
  let buf = Buffer.alloc(0);
  let headerDone = false;
  let finished = false;
  let tuple = 0;
  for await (const chunk of input) {
    if (finished) continue;
    buf = buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([buf, chunk]);
    let at = 0;
    if (!headerDone) {
      if (buf.length < SIGNATURE.length + 8) continue;
      if (!buf.subarray(0, SIGNATURE.length).equals(SIGNATURE))
        throw bad('COPY file signature not recognized');
      const flags = buf.readInt32BE(SIGNATURE.length);
      if ((flags & 0xffff0000) !== 0 || (flags & 0x10000) !== 0)
        throw bad('invalid COPY file header (unrecognized critical flags)');
      const extension = buf.readInt32BE(SIGNATURE.length + 4);
      if (extension < 0) throw bad('invalid COPY file header (missing length)');
      if (buf.length < SIGNATURE.length + 8 + extension) continue;
      at = SIGNATURE.length + 8 + extension;
      headerDone = true;
    }
    for (;;) {
      if (buf.length - at < 2) break;
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
      const fields: (Uint8Array | null)[] = [];
      for (let i = 0; i < count; i++) {
        if (buf.length - end < 4) {
          complete = false;
          break;
        }
        const length = buf.readInt32BE(end);
        end += 4;
        if (length === -1) {
          fields.push(null);
          continue;
        }
        if (length < 0) throw bad('invalid field size');
        if (buf.length - end < length) {
          complete = false;
          break;
        }
        fields.push(Uint8Array.prototype.slice.call(buf, end, end + length));
        end += length;
      }
      if (!complete) break;
      at = end;
      row(fields, ++tuple);
    }
    buf = buf.subarray(at);
    await afterChunk?.();
  }
  if (!headerDone || !finished) {
    if (!headerDone && buf.length === 0 && tuple === 0) throw bad('COPY file signature not recognized');
    if (buf.length > 0 || !finished) throw bad('unexpected EOF in COPY data');
  }
}
