/**
 * One WAL file's record format (see README.md), the writer's encoder and the readers used by
 * recovery and replay. A record is a 24-byte header and its payload, little-endian:
 * magic "QWAL" | payload length u32 | LSN u64 | LSN − first LSN of its write batch u32 |
 * CRC-32 of header bytes 0–19 then the payload. The LSN in the header must equal the record's
 * position (file start + offset), which makes records self-locating.
 */

import type { FileHandle } from 'node:fs/promises';
import { crc32 } from '../crc32.ts';

export const HEADER = 24;
export const MAX_PAYLOAD = 1 << 30;
/** Readers work in chunks of this size so replay and recovery memory stays bounded. */
export const CHUNK = 1 << 20;
const MAGIC = Buffer.from('QWAL', 'latin1');
const CRC_AT = 20;

export interface WalFile {
  /** LSN of the file's first byte (its name). */
  readonly start: number;
  readonly path: string;
}

/** Writes the record for `payload` at `buf[at]`; returns the offset after it. */
export function encodeRecord(
  buf: Buffer,
  at: number,
  lsn: number,
  batchLsn: number,
  payload: Uint8Array,
): number {
  MAGIC.copy(buf, at);
  buf.writeUInt32LE(payload.length, at + 4);
  buf.writeBigUInt64LE(BigInt(lsn), at + 8);
  buf.writeUInt32LE(lsn - batchLsn, at + 16);
  buf.set(payload, at + HEADER);
  buf.writeUInt32LE(crc32(payload, crc32(buf.subarray(at, at + CRC_AT))), at + CRC_AT);
  return at + HEADER + payload.length;
}

export type Scanned =
  | {
      readonly ok: true;
      readonly offset: number;
      readonly lsn: number;
      readonly batchLsn: number;
      readonly payload: Uint8Array;
    }
  | { readonly ok: false; readonly offset: number; readonly reason: string };

/** The file's records in order from `offset` (a record boundary) up to `size` bytes; stops after the first bad one. */
export async function* scanFile(
  fh: FileHandle,
  file: WalFile,
  size: number,
  offset = 0,
): AsyncGenerator<Scanned> {
  const reader = new ChunkReader(fh, size);
  while (offset < size) {
    const r = await readRecord(reader, file.start, offset);
    yield r;
    if (!r.ok) return;
    offset += HEADER + r.payload.length;
  }
}

async function readRecord(reader: ChunkReader, start: number, offset: number): Promise<Scanned> {
  const bad = (reason: string): Scanned => ({ ok: false, offset, reason });
  const header = await reader.read(offset, HEADER);
  if (header.length < HEADER) return bad('record header runs past the end of the file');
  if (!header.subarray(0, 4).equals(MAGIC)) return bad('bad record magic');
  const length = header.readUInt32LE(4);
  const lsn = Number(header.readBigUInt64LE(8));
  if (lsn !== start + offset) return bad(`record says LSN ${lsn}, its position is LSN ${start + offset}`);
  if (length > MAX_PAYLOAD || offset + HEADER + length > reader.size) {
    return bad(`record of ${length} bytes runs past the end of the file`);
  }
  const batchLsn = lsn - header.readUInt32LE(16);
  const expected = header.readUInt32LE(CRC_AT);
  const headerCrc = crc32(header.subarray(0, CRC_AT));
  const raw = await reader.read(offset + HEADER, length);
  if (crc32(raw, headerCrc) !== expected) return bad('checksum mismatch');
  // Copy payloads that are views of the shared chunk, so a kept record does not pin 1 MiB.
  const payload =
    raw.length >= CHUNK ? new Uint8Array(raw.buffer, raw.byteOffset, raw.length) : new Uint8Array(raw);
  return { ok: true, offset, lsn, batchLsn, payload };
}

/**
 * Offset of a valid record after the bad one at `badOffset` whose write batch began after it,
 * or undefined. A candidate is any "QWAL" whose header names its own position and whose
 * checksum holds, so stray bytes in payloads do not count.
 */
export async function findLaterBatch(
  fh: FileHandle,
  file: WalFile,
  size: number,
  badOffset: number,
): Promise<number | undefined> {
  const reader = new ChunkReader(fh, size);
  // Windows overlap by 3 bytes so a magic split across two of them is still found.
  for (let pos = badOffset + 1; pos + HEADER <= size; pos += CHUNK - 3) {
    const window = await readFully(fh, pos, Math.min(CHUNK, size - pos));
    for (let i = window.indexOf(MAGIC); i !== -1; i = window.indexOf(MAGIC, i + 1)) {
      const r = await readRecord(reader, file.start, pos + i);
      if (r.ok && r.batchLsn > file.start + badOffset) return r.offset;
    }
  }
  return undefined;
}

/** Reads a file sequentially through one CHUNK-sized buffer; larger reads get their own buffer. */
class ChunkReader {
  private chunk: Buffer = Buffer.alloc(0);
  private chunkStart = 0;

  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
  ) {}

  /** `length` bytes at `offset`, fewer at the end of the file. Small reads are views of the chunk. */
  async read(offset: number, length: number): Promise<Buffer> {
    length = Math.max(0, Math.min(length, this.size - offset));
    const at = offset - this.chunkStart;
    if (at >= 0 && at + length <= this.chunk.length) return this.chunk.subarray(at, at + length);
    if (length >= CHUNK) return readFully(this.fh, offset, length);
    this.chunkStart = offset;
    this.chunk = await readFully(this.fh, offset, Math.min(CHUNK, this.size - offset));
    return this.chunk.subarray(0, length);
  }
}

async function readFully(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafeSlow(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}
