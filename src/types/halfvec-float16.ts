/**
 * IEEE 754 binary16 conversions as pgvector's halfutils.h does them: float4 → half rounds
 * to nearest, ties to even (Float4ToHalfUnchecked; F16C's _cvtss_sh with mode 0 and the
 * portable C path agree), half → float4 is exact (HalfToFloat4). Node 20 has no
 * Math.f16round, so both directions are done on the bits here.
 */

import { outOfRange } from './vector-checks.ts';
import { formatFloat4 } from './vector-float-out.ts';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** All 65536 half values as float32, so HalfToFloat4 is one table lookup. */
const HALF_TO_FLOAT = new Float32Array(65536);
for (let h = 0; h < 65536; h++) {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  let v: number;
  if (exp === 0) v = mant * 2 ** -24;
  else if (exp === 31) v = mant === 0 ? Infinity : Number.NaN;
  else v = (1024 + mant) * 2 ** (exp - 25);
  HALF_TO_FLOAT[h] = sign * v;
}

export function halfToFloat(bits: number): number {
  return HALF_TO_FLOAT[bits & 0xffff]!;
}

/** Float4ToHalfUnchecked: the binary16 bits nearest to float32 `value` (overflow → ±inf). */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const e = (x >>> 23) & 0xff;
  let m = x & 0x7fffff;
  if (e === 255) return sign | (m !== 0 ? 0x7e00 | (m >> 13) : 0x7c00);
  let he = e - 127 + 15;
  if (he >= 31) return sign | 0x7c00;
  if (he <= 0) {
    // Half subnormal (or zero): value = M · 2^(he − 14 − 10) with the implicit bit made explicit.
    if (he < -10) return sign;
    m |= 0x800000;
    const shift = 14 - he;
    let hm = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (hm & 1) === 1)) hm++;
    return sign | hm;
  }
  let hm = m >>> 13;
  const rem = m & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (hm & 1) === 1)) {
    hm++;
    if (hm === 0x400) {
      hm = 0;
      he++;
      if (he >= 31) return sign | 0x7c00;
    }
  }
  return sign | (he << 10) | hm;
}

export function halfIsInf(bits: number): boolean {
  return (bits & 0x7fff) === 0x7c00;
}

export function halfIsNan(bits: number): boolean {
  return (bits & 0x7c00) === 0x7c00 && (bits & 0x7fff) !== 0x7c00;
}

export function halfIsZero(bits: number): boolean {
  return (bits & 0x7fff) === 0;
}

/**
 * Float4ToHalf: like floatToHalf, but a finite float4 that overflows binary16 is
 * 22003 `"65520" is out of range for type halfvec` (the float4 printed shortest).
 */
export function floatToHalfChecked(value: number): number {
  const h = floatToHalf(value);
  if (halfIsInf(h) && Number.isFinite(value)) throw outOfRange('halfvec', formatFloat4(value));
  return h;
}
