/**
 * vector_in for the literals a bulk load is made of, read straight from UTF-8 bytes:
 * `[` decimal numbers separated by `,` `]`, with C white space around them. Anything else —
 * inf/nan/hex elements, more than 19 significant digits, values outside float4's normal
 * range, a wrong dimension count, a syntax error — returns undefined, and the caller runs
 * the full parser on the text (vector-text.ts), which decides and words the error. So this
 * path only ever returns what that parser would.
 *
 * Rounding: an element's digits (at most 19 significant, as a double) scaled by an exact
 * power of ten (|p| ≤ 22) is within a few double ulps of the literal's value; its float4
 * rounding is the correctly rounded float4 unless a float4 midpoint lies that close, which
 * shows in the 29 mantissa bits float4 drops being close to 2^28. Those give up too.
 */
import type { Float32Allocator } from './float32-appender.ts';
import { VECTOR_MAX_DIM } from './vector-checks.ts';
import { isCSpace, POWERS_OF_TEN } from './vector-strtof.ts';

const MAX_SIGNIFICANT = 19;
/** Double ulps from a float4 midpoint below which the rounding is left to the exact parser. */
const MIDPOINT_MARGIN = 1024;
const HALF = 2 ** 28;
const MIN_NORMAL = 2 ** -126;
const MAX_SAFE = 2 ** 127;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Index of the low word of a double in `u32` (little-endian hosts: 0). */
const LOW = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 0 : 1;

const scratch = new Float32Array(VECTOR_MAX_DIM);

/** A DataView over the last input buffer (made once per buffer, not per literal). */
let viewOf: Uint8Array | null = null;
let view: DataView = new DataView(new ArrayBuffer(0));

/**
 * Four ASCII digits read as a little-endian word (the first digit in the low byte) as their
 * number 0..9999, or -1 when any byte is not a digit (SWAR: a handful of integer operations
 * instead of four byte loops).
 */
function fourDigits(word: number): number {
  // Each byte in 0x30..0x39: its high nibble is 3, and adding 6 keeps it 3.
  if ((word & 0xf0f0f0f0) !== 0x30303030 || ((word + 0x06060606) & 0xf0f0f0f0) !== 0x30303030) return -1;
  let w = word - 0x30303030;
  // Pairs: byte 0 × 10 + byte 1, byte 2 × 10 + byte 3; then the two pairs.
  w = (w * 10 + (w >>> 8)) & 0x00ff00ff;
  return (w * 100 + (w >>> 16)) & 0xffff;
}

/**
 * Parses `bytes[start, end)` as a vector literal with `typmod` (-1: any dimension count).
 * Returns a view from `slab`, or undefined when the full parser must decide.
 */
export function parseVectorBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
  typmod: number,
  slab: Float32Allocator,
): Float32Array | undefined {
  let i = start;
  while (i < end && isCSpace(bytes[i])) i++;
  if (i >= end || bytes[i] !== 91) return undefined;
  // The closing bracket, found first, stops every scan below: no bounds check per byte.
  let last = end - 1;
  while (last > i && isCSpace(bytes[last])) last--;
  if (last === i || bytes[last] !== 93) return undefined;
  i++;
  // With a typmod the values go straight to their place; otherwise via the scratch array.
  const out = typmod > 0 && typmod <= VECTOR_MAX_DIM ? slab.take(typmod) : scratch;
  const max = out.length;
  let n = 0;
  for (;;) {
    let c = bytes[i];
    while (c === 32 || (c >= 9 && c <= 13)) c = bytes[++i];
    let negative = false;
    if (c === 45 || c === 43) {
      negative = c === 45;
      c = bytes[++i];
    }
    let mantissa = 0;
    let significant = 0;
    let scale = 0;
    let digits = 0;
    while (c >= 48 && c <= 57) {
      if (significant > 0 || c !== 48) {
        mantissa = mantissa * 10 + (c - 48);
        significant++;
      }
      digits++;
      c = bytes[++i];
    }
    if (c === 46) {
      i++;
      // Eight digits at a time while there are eight: most of a client's float4-as-double
      // literal ("0.43589347600936890") is its fraction.
      if (i + 8 <= last) {
        if (bytes !== viewOf) {
          viewOf = bytes;
          view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        }
        while (i + 8 <= last) {
          const high = fourDigits(view.getUint32(i, true));
          const low = fourDigits(view.getUint32(i + 4, true));
          if (high < 0 || low < 0) break;
          const block = high * 10_000 + low;
          if (significant > 0) significant += 8;
          else if (block > 0) significant = block >= 1e7 ? 8 : Math.floor(Math.log10(block)) + 1;
          mantissa = mantissa * 1e8 + block;
          scale -= 8;
          digits += 8;
          i += 8;
        }
      }
      c = bytes[i];
      while (c >= 48 && c <= 57) {
        if (significant > 0 || c !== 48) {
          mantissa = mantissa * 10 + (c - 48);
          significant++;
        }
        scale--;
        digits++;
        c = bytes[++i];
      }
    }
    if (digits === 0 || significant > MAX_SIGNIFICANT) return undefined;
    if ((c | 32) === 101) {
      let j = i + 1;
      let expNegative = false;
      if (bytes[j] === 45 || bytes[j] === 43) expNegative = bytes[j++] === 45;
      let exponent = 0;
      let expDigits = 0;
      c = bytes[j];
      while (c >= 48 && c <= 57) {
        exponent = exponent * 10 + (c - 48);
        expDigits++;
        c = bytes[++j];
      }
      // "1e" reads as "1" in strtof; a long exponent is beyond this path's range anyway.
      if (expDigits === 0 || expDigits > 3) return undefined;
      scale += expNegative ? -exponent : exponent;
      i = j;
    }
    let value = 0;
    if (significant > 0) {
      if (scale > 22 || scale < -22) return undefined;
      const d = scale >= 0 ? mantissa * POWERS_OF_TEN[scale] : mantissa / POWERS_OF_TEN[-scale];
      if (d < MIN_NORMAL || d >= MAX_SAFE) return undefined;
      f64[0] = d;
      const dropped = u32[LOW] & 0x1fffffff;
      if (dropped - HALF <= MIDPOINT_MARGIN && HALF - dropped <= MIDPOINT_MARGIN) return undefined;
      value = Math.fround(d);
    }
    if (n === max) return undefined;
    out[n++] = negative ? -value : value;
    while (c === 32 || (c >= 9 && c <= 13)) c = bytes[++i];
    i++;
    if (c === 44) continue;
    if (c !== 93 || i - 1 !== last) return undefined;
    break;
  }
  if (out !== scratch) return n === max ? out : undefined;
  if (typmod !== -1 && typmod !== n) return undefined;
  const copy = slab.take(n);
  copy.set(scratch.subarray(0, n));
  return copy;
}
