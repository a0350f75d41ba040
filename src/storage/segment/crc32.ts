/**
 * CRC-32 (IEEE 802.3, the polynomial zlib and PNG use) for segment block checksums.
 * node:zlib has had a native crc32 since Node 20.15; the table-driven fallback keeps older
 * Node 20 releases (package.json allows >=20) working, only slower.
 */
import * as zlib from 'node:zlib';

let table: Uint32Array | undefined;

/** Table-driven CRC-32, byte at a time (reflected polynomial 0xedb88320). */
export function crc32Portable(bytes: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

export function crc32(bytes: Uint8Array): number {
  return native ? native(bytes) >>> 0 : crc32Portable(bytes);
}
