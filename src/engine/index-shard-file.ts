/**
 * The file of one index shard as a holder writes it: the shard's vector index file, plus
 * the rows it was built over and a hash of each one's vector, so a node loading it can tell
 * that the rows under those row ids are the same in its copy (a TRUNCATE restarts row ids).
 *
 * Layout, little-endian:
 *
 *   0      4   magic "QVSH"
 *   4      4   u32 row count R
 *   8      4   u32 CRC-32 of the R pairs
 *   12     8R  R × (u32 row id, u32 vector hash)
 *   12+8R  …   the vector index file (index-persistence.ts, checksummed on its own)
 */
import { crc32 } from '../storage/crc32.ts';

const MAGIC = 0x48535651; // "QVSH" read as a little-endian u32
const PREFIX_BYTES = 12;

/** A 32-bit hash of a vector's bytes (FNV-1a over its 32-bit words). */
export function vectorHash(v: Float32Array): number {
  const words = new Uint32Array(v.buffer, v.byteOffset, v.length);
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
  return h >>> 0;
}

export function encodeShardFile(
  rowIds: ArrayLike<number>,
  hashes: ArrayLike<number>,
  indexFile: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(PREFIX_BYTES + 8 * rowIds.length + indexFile.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, rowIds.length, true);
  for (let i = 0; i < rowIds.length; i++) {
    view.setUint32(PREFIX_BYTES + 8 * i, rowIds[i], true);
    view.setUint32(PREFIX_BYTES + 8 * i + 4, hashes[i], true);
  }
  const pairs = out.subarray(PREFIX_BYTES, PREFIX_BYTES + 8 * rowIds.length);
  view.setUint32(8, crc32(pairs), true);
  out.set(indexFile, PREFIX_BYTES + 8 * rowIds.length);
  return out;
}

/** The rows' hashes by row id and the index file, or null when the bytes are not such a file. */
export function decodeShardFile(
  bytes: Uint8Array,
): { readonly hashes: Map<number, number>; readonly indexFile: Uint8Array } | null {
  if (bytes.length < PREFIX_BYTES) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) return null;
  const rows = view.getUint32(4, true);
  const end = PREFIX_BYTES + 8 * rows;
  if (end > bytes.length || crc32(bytes.subarray(PREFIX_BYTES, end)) !== view.getUint32(8, true)) return null;
  const hashes = new Map<number, number>();
  for (let i = 0; i < rows; i++) {
    hashes.set(view.getUint32(PREFIX_BYTES + 8 * i, true), view.getUint32(PREFIX_BYTES + 8 * i + 4, true));
  }
  return { hashes, indexFile: bytes.subarray(end) };
}
