/**
 * float4 text output exactly as PostgreSQL's float_to_shortest_decimal_bufn (src/common/f2s.c,
 * Ryu), which pgvector's vector_out/halfvec_out/sparsevec_out use for every element and
 * float4out uses when extra_float_digits > 0:
 *   - the shortest digit string that reads back as the same float4, the closest one if
 *     several have that length;
 *   - fixed notation when the decimal exponent is in [-4, 6), otherwise `d.ddde±XX`
 *     with at least two exponent digits (1e-07, 1e+08, 1.5e+38);
 *   - "0", "-0", "NaN", "Infinity", "-Infinity" for the special values.
 */
import { decimalToFloat32 } from './vector-strtof.ts';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Digits (no leading/trailing zeros) and the decimal exponent of the first digit. */
interface Decimal {
  digits: string;
  exp: number;
}

function parseExponential(s: string): Decimal {
  // s is Number.prototype.toExponential output: "d.ddde+X" or "de-X".
  const e = s.indexOf('e');
  const digits = (s[0]! + s.slice(2, e)).replace(/0+$/, '') || '0';
  return { digits, exp: Number(s.slice(e + 1)) };
}

function roundTrips(d: Decimal, v: number): boolean {
  return decimalToFloat32(d.digits, d.exp - d.digits.length + 1) === v;
}

/** The next p-digit decimal above `d` (d has at most p digits). */
function bumpUp(d: Decimal, p: number): Decimal {
  const padded = BigInt(d.digits.padEnd(p, '0')) + 1n;
  const s = padded.toString();
  if (s.length > p) return { digits: s.slice(0, p).replace(/0+$/, ''), exp: d.exp + 1 };
  return { digits: s.replace(/0+$/, ''), exp: d.exp };
}

/** Shortest round-trip decimal of positive finite float32 `v`. */
function shortest(v: number): Decimal {
  f32[0] = v;
  const powerOfTwo = (u32[0]! & 0x7fffff) === 0;
  for (let p = 1; p < 9; p++) {
    const d = parseExponential(v.toExponential(p - 1));
    if (roundTrips(d, v)) return d;
    // Just above a power of two the interval below is half as wide as the one above, so
    // the nearest p-digit decimal may miss while the next one up still reads back.
    if (powerOfTwo && Number(`${d.digits}e${d.exp - d.digits.length + 1}`) < v) {
      const up = bumpUp(d, p);
      if (roundTrips(up, v)) return up;
    }
  }
  return parseExponential(v.toExponential(8));
}

/** Formats a float4 value (any JS number is first rounded to float32). */
export function formatFloat4(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  const v = Math.fround(value);
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const neg = v < 0;
  const abs = neg ? -v : v;
  // Integers below 2^24 print all their digits (f2s's small-int path); this is also
  // their shortest form, and Number#toString already gives it.
  let body: string;
  if (abs < 1e6 && Number.isInteger(abs)) body = String(abs);
  else body = layout(shortest(abs));
  return neg ? `-${body}` : body;
}

function layout(d: Decimal): string {
  const { digits, exp } = d;
  if (exp >= -4 && exp < 6) {
    if (exp < 0) return `0.${'0'.repeat(-exp - 1)}${digits}`;
    if (digits.length <= exp + 1) return digits + '0'.repeat(exp + 1 - digits.length);
    return `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const ae = Math.abs(exp);
  return `${mant}e${exp < 0 ? '-' : '+'}${ae < 10 ? `0${ae}` : ae}`;
}
