/**
 * A list of row ids as an object (a table's tombstones: the sealed rows deleted since they
 * were sealed). Layout: "QVRID1\0\0", u32 count, u32 CRC-32 of the ids, count × f64 (LE).
 */
import { crc32 } from './crc32.ts';

const MAGIC = Buffer.from('QVRID1\0\0', 'latin1');
const HEADER = MAGIC.length + 8;

export function encodeRowIds(ids: readonly number[]): Uint8Array {
  const out = Buffer.alloc(HEADER + ids.length * 8);
  MAGIC.copy(out, 0);
  for (let i = 0; i < ids.length; i++) out.writeDoubleLE(ids[i], HEADER + i * 8);
  out.writeUInt32LE(ids.length, MAGIC.length);
  out.writeUInt32LE(crc32(out.subarray(HEADER)), MAGIC.length + 4);
  return out;
}

/** Decodes the list; throws an Error naming `name` when the bytes are damaged. */
export function decodeRowIds(bytes: Uint8Array, name: string): number[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (why: string): never => {
    throw new Error(`row id file "${name}" is corrupt: ${why}`);
  };
  if (buf.length < HEADER || !buf.subarray(0, MAGIC.length).equals(MAGIC)) fail('bad header');
  const count = buf.readUInt32LE(MAGIC.length);
  if (buf.length !== HEADER + count * 8) fail(`expected ${count} ids, found ${(buf.length - HEADER) / 8}`);
  if (crc32(buf.subarray(HEADER)) !== buf.readUInt32LE(MAGIC.length + 4)) fail('checksum mismatch');
  const ids: number[] = [];
  for (let i = 0; i < count; i++) ids.push(buf.readDoubleLE(HEADER + i * 8));
  return ids;
}
