/**
 * One object of a shard's object WAL: a group-commit batch of records (format in README.md).
 * Little-endian header of 32 bytes — magic "QWOB" | epoch u32 | seq u64 | first LSN u64 |
 * record count u32 | CRC-32 of bytes 0–27 then the body — and a body of
 * `u32 length | payload` per record. Readers check the CRC and that the header names the
 * object it was read from, so a misplaced or damaged object is never replayed.
 */
import { SqlError } from '../errors/sql-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { crc32 } from '../storage/crc32.ts';
import type { ShardRef } from './keys.ts';

export const BATCH_HEADER = 32;
const MAGIC = Buffer.from('QWOB', 'latin1');
const CRC_AT = 28;

/** Where a batch sits in the log; also its object name. */
export interface BatchRef {
  /** Position in the shard's log: dense from 0, continued across leaders. */
  readonly seq: number;
  /** Epoch of the leader that wrote it. */
  readonly epoch: number;
  /** LSN of its first record (LSNs count records, dense from 0). */
  readonly firstLsn: number;
}

export interface DecodedBatch extends BatchRef {
  readonly payloads: Uint8Array[];
}

export function walPrefix(ref: ShardRef): string {
  return `wal/${ref.table}/${String(ref.shard).padStart(5, '0')}/`;
}

/**
 * `wal/<table>/<shard>/<seq>-<epoch>-<first LSN>`, zero-padded: listing order is log order
 * (sequence first), so a range of the log is a range of keys, and truncation needs no reads.
 */
export function batchKey(ref: ShardRef, batch: BatchRef): string {
  return `${walPrefix(ref)}${pad(batch.seq, 16)}-${pad(batch.epoch, 10)}-${pad(batch.firstLsn, 16)}`;
}

/** The batch an object key names, or null for a key that is not a batch name. */
export function parseBatchKey(ref: ShardRef, key: string): BatchRef | null {
  const prefix = walPrefix(ref);
  if (!key.startsWith(prefix)) return null;
  const m = /^(\d{16})-(\d{10})-(\d{16})$/.exec(key.slice(prefix.length));
  return m ? { seq: Number(m[1]), epoch: Number(m[2]), firstLsn: Number(m[3]) } : null;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function encodeBatch(batch: BatchRef, payloads: readonly Uint8Array[]): Buffer {
  let size = BATCH_HEADER;
  for (const p of payloads) size += 4 + p.length;
  const buf = Buffer.allocUnsafe(size);
  MAGIC.copy(buf, 0);
  buf.writeUInt32LE(batch.epoch, 4);
  buf.writeBigUInt64LE(BigInt(batch.seq), 8);
  buf.writeBigUInt64LE(BigInt(batch.firstLsn), 16);
  buf.writeUInt32LE(payloads.length, 24);
  let at = BATCH_HEADER;
  for (const p of payloads) {
    buf.writeUInt32LE(p.length, at);
    buf.set(p, at + 4);
    at += 4 + p.length;
  }
  const crc = crc32(buf.subarray(BATCH_HEADER), crc32(buf.subarray(0, CRC_AT)));
  buf.writeUInt32LE(crc, CRC_AT);
  return buf;
}

/** Decodes and verifies a batch read from `key`; throws XX001 naming the object when it is damaged. */
export function decodeBatch(
  data: Uint8Array,
  expected: BatchRef,
  key: string,
  location: string,
): DecodedBatch {
  const corrupt = (reason: string) =>
    new SqlError(SqlState.DataCorrupted, `WAL batch "${key}" in ${location} is corrupt: ${reason}`);
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < BATCH_HEADER) throw corrupt(`${buf.length} bytes is shorter than the header`);
  if (!buf.subarray(0, 4).equals(MAGIC)) throw corrupt('bad magic');
  const crc = crc32(buf.subarray(BATCH_HEADER), crc32(buf.subarray(0, CRC_AT)));
  if (crc !== buf.readUInt32LE(CRC_AT)) throw corrupt('checksum mismatch');
  const epoch = buf.readUInt32LE(4);
  const seq = Number(buf.readBigUInt64LE(8));
  const firstLsn = Number(buf.readBigUInt64LE(16));
  if (epoch !== expected.epoch || seq !== expected.seq || firstLsn !== expected.firstLsn) {
    throw corrupt(`header says seq ${seq} epoch ${epoch} first LSN ${firstLsn}, which is not its name`);
  }
  const count = buf.readUInt32LE(24);
  const payloads: Uint8Array[] = [];
  let at = BATCH_HEADER;
  for (let i = 0; i < count; i++) {
    if (at + 4 > buf.length) throw corrupt(`record ${i} of ${count} runs past the end`);
    const length = buf.readUInt32LE(at);
    if (at + 4 + length > buf.length) throw corrupt(`record ${i} of ${count} runs past the end`);
    payloads.push(new Uint8Array(buf.buffer, buf.byteOffset + at + 4, length));
    at += 4 + length;
  }
  if (at !== buf.length) throw corrupt(`${buf.length - at} bytes after the last record`);
  return { epoch, seq, firstLsn, payloads };
}
