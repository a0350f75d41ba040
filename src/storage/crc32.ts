import * as zlib from 'node:zlib';

/**
 * CRC-32 (IEEE 802.3, the zlib/gzip polynomial) of `data`, continuing from `value`.
 * node:zlib has crc32 from Node 20.15; the table-driven fallback keeps older Node 20 releases
 * (package.json says ">=20") reading and writing the same files.
 */
export function crc32(data: Uint8Array, value = 0): number {
  return zlibCrc32 ? zlibCrc32(data, value) : tableCrc32(data, value);
}

const zlibCrc32: ((data: Uint8Array, value?: number) => number) | undefined = (
  zlib as { crc32?: (data: Uint8Array, value?: number) => number }
).crc32;

let table: Uint32Array | undefined;

/** Byte-at-a-time CRC-32 with the reflected polynomial 0xEDB88320; exported for its test. */
export function tableCrc32(data: Uint8Array, value = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~value >>> 0;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
