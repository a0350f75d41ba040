/**
 * The primary-key Bloom filter of a sealed segment: the shard leader asks it whether a key
 * may be in the segment before it decodes any column (DESIGN §3, PK uniqueness). No false
 * negatives; sized for ~1% false positives.
 *
 * Serialized form (the segment's `bloom` block): k u32 · bit count u32 · bits, LSB first.
 * Probe positions use double hashing (h1 + i·h2 mod m, Kirsch–Mitzenmacher) over two
 * MurmurHash3 (x86, 32-bit) hashes of the key's UTF-8 bytes, seeds 0 and 0x9747b28c.
 * Both the hash and the key derivation are part of the file format: changing either needs a
 * new FORMAT_VERSION, or old segments would answer "absent" for keys they hold.
 */
import { hashKey } from '../../types/compare.ts';
import type { SqlType, Value } from '../../types/type.ts';

const SEED_2 = 0x9747b28c;
const HEADER = 8;

function mix(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

/** MurmurHash3 x86_32 over bytes. */
function murmur3(bytes: Uint8Array, seed: number): number {
  let h = seed | 0;
  const n = bytes.length;
  const tail = n & ~3;
  for (let i = 0; i < tail; i += 4) {
    h ^= mix(bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = n & 3;
  if (rest) {
    let k = bytes[tail];
    if (rest > 1) k |= bytes[tail + 1] << 8;
    if (rest > 2) k |= bytes[tail + 2] << 16;
    h ^= mix(k);
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const utf8 = new TextEncoder();
/** UTF-8 of an ASCII key, written without TextEncoder (keys are mostly short and ASCII). */
let keyBytes = new Uint8Array(64);
const pair: [number, number] = [0, 0];

/** The two hashes probe positions come from (reused pair: read it before the next call). */
function hashes(key: string): [number, number] {
  let bytes: Uint8Array;
  const n = key.length;
  if (n > keyBytes.length) keyBytes = new Uint8Array(n * 2);
  let ascii = true;
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c > 0x7f) {
      ascii = false;
      break;
    }
    keyBytes[i] = c;
  }
  if (ascii) bytes = keyBytes.subarray(0, n);
  else bytes = utf8.encode(key);
  pair[0] = murmur3(bytes, 0);
  // An odd step never cycles early when m is a power of two; harmless otherwise.
  pair[1] = (murmur3(bytes, SEED_2) | 1) >>> 0;
  return pair;
}

/**
 * The filter's key for a row's primary-key values: compare.ts's hashKey per column, so
 * values PostgreSQL calls equal ('1.0'::numeric and '1', bpchar with trailing spaces, -0 and
 * 0) share a key, as the uniqueness check needs.
 */
export function bloomKey(types: readonly SqlType[], values: readonly Value[]): string {
  if (types.length === 1) {
    // The common integer key, spelled as JSON.stringify would spell it (finite numbers only).
    const h = hashKey(types[0], values[0]);
    if (typeof h === 'number' && Number.isFinite(h)) return `[${h}]`;
  }
  return JSON.stringify(types.map((t, i) => hashKey(t, values[i])));
}

export class BloomFilter {
  private constructor(
    /** Number of probes per key. */
    readonly hashes: number,
    /** Number of bits (a multiple of 64). */
    readonly bitCount: number,
    private readonly bits: Uint8Array,
  ) {}

  /** An empty filter sized for `expectedKeys` at `falsePositiveRate`: m = -n·ln p / ln²2, k = m/n·ln 2. */
  static create(expectedKeys: number, falsePositiveRate = 0.01): BloomFilter {
    const n = Math.max(1, expectedKeys);
    const m = Math.max(64, Math.ceil((-n * Math.log(falsePositiveRate)) / Math.LN2 ** 2 / 64) * 64);
    const k = Math.min(30, Math.max(1, Math.round((m / n) * Math.LN2)));
    return new BloomFilter(k, m, new Uint8Array(m / 8));
  }

  /** Parses a serialized filter; returns undefined when the header does not fit the length. */
  static fromBytes(bytes: Uint8Array): BloomFilter | undefined {
    if (bytes.length < HEADER) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER);
    const k = view.getUint32(0, true);
    const m = view.getUint32(4, true);
    if (k < 1 || k > 30 || m < 64 || m % 64 !== 0 || bytes.length !== HEADER + m / 8) return undefined;
    return new BloomFilter(k, m, bytes.subarray(HEADER));
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(HEADER + this.bits.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, this.hashes, true);
    view.setUint32(4, this.bitCount, true);
    out.set(this.bits, HEADER);
    return out;
  }

  add(key: string): void {
    const [h1, h2] = hashes(key);
    const m = this.bitCount;
    const step = h2 % m;
    // Probe i is (h1 + i·h2) mod m, stepped in integers instead of a float modulo per probe.
    for (let i = 0, bit = h1 % m; i < this.hashes; i++) {
      this.bits[bit >>> 3] |= 1 << (bit & 7);
      bit += step;
      if (bit >= m) bit -= m;
    }
  }

  mightContain(key: string): boolean {
    const [h1, h2] = hashes(key);
    const m = this.bitCount;
    const step = h2 % m;
    for (let i = 0, bit = h1 % m; i < this.hashes; i++) {
      if ((this.bits[bit >>> 3] & (1 << (bit & 7))) === 0) return false;
      bit += step;
      if (bit >= m) bit -= m;
    }
    return true;
  }
}
