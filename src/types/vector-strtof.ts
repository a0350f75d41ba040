/**
 * C `strtof` as pgvector calls it (glibc, C locale), for the element scanners of vector,
 * halfvec and sparsevec. pgvector reads each element with strtof and then decides from
 * the end pointer and errno what to report, so Quiver needs the same three answers:
 * how far the number extends, the float4 value (correctly rounded, ties to even) and
 * whether errno would be ERANGE.
 *
 * Accepted (see grammar/float.peggy): optional sign, then decimal digits with an optional
 * point and exponent, `inf`/`infinity`, `nan`/`nan(chars)` (case-insensitive), or a C99
 * hex float `0x1.8p3`. An exponent or hex prefix with no digits after it is not consumed,
 * exactly like strtof ("1e" reads "1", "0x" reads "0").
 */

export interface ScannedFloat {
  /** The float4 value (a JS number holding a float32). */
  readonly value: number;
  /** Index just past the number; equals the start index when nothing was read. */
  readonly end: number;
  /** strtof would set errno = ERANGE: a finite literal overflowed to ±inf or a non-zero one underflowed to 0. */
  readonly erange: boolean;
}

/** 10^0 … 10^22: every one exact as a double (Clinger's fast path). */
export const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** Significant digits the fast paths take into account. */
const MAX_DIGITS = 30;
/** Relative distance from a float4 midpoint below which an approximate double cannot decide. */
const MIDPOINT_TOLERANCE = 2 ** -44;

/** Whether approximate `d` is too close to a float4 midpoint next to its rounding `f`. */
function nearMidpoint(f: number, d: number): boolean {
  const tolerance = Math.abs(d) * MIDPOINT_TOLERANCE;
  const below = nextFloat32(f, -Infinity);
  const above = nextFloat32(f, Infinity);
  return Math.abs(d - (f + below) / 2) <= tolerance || Math.abs(d - (f + above) / 2) <= tolerance;
}
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** True for the C locale isspace() set, which is also PostgreSQL's scanner_isspace(). */
export function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function matchWord(s: string, pos: number, word: string): boolean {
  return s.substr(pos, word.length).toLowerCase() === word;
}

/** Rounds num/den (positive BigInts) times 2^exp2 to the nearest float32, ties to even. */
export function roundToFloat32(num: bigint, den: bigint, exp2: number): number {
  if (num === 0n) return 0;
  // Scale so that the integer quotient has at least 26 significant bits (24 + guard + round).
  let shift = 0;
  const numBits = num.toString(2).length;
  const denBits = den.toString(2).length;
  shift = 26 - (numBits - denBits);
  if (shift < 0) shift = 0;
  let q = (num << BigInt(shift)) / den;
  let sticky = (num << BigInt(shift)) % den !== 0n;
  let e = exp2 - shift; // value ≈ q · 2^e
  let qBits = q.toString(2).length;
  // Float32 keeps 24 bits for normal numbers; fewer below 2^-126 (subnormals, lsb 2^-149).
  const topExp = e + qBits - 1; // exponent of the leading bit
  let keep = 24;
  if (topExp < -126) keep = 24 - (-126 - topExp);
  if (keep < 0) return 0;
  const drop = qBits - keep;
  if (drop > 0) {
    const mask = (1n << BigInt(drop)) - 1n;
    const rest = q & mask;
    const half = 1n << BigInt(drop - 1);
    q >>= BigInt(drop);
    e += drop;
    if (rest > half || (rest === half && (sticky || (q & 1n) === 1n))) q += 1n;
    sticky = false;
    qBits = q.toString(2).length;
  }
  if (e + qBits - 1 > 127) return Number.POSITIVE_INFINITY;
  return Number(q) * 2 ** e;
}

/** The float32 neighbour of finite `f` in the direction of `toward`. */
function nextFloat32(f: number, toward: number): number {
  f32[0] = f;
  const up = toward > f;
  if (f === 0) {
    u32[0] = 1;
    return up ? f32[0] : -f32[0];
  }
  if (f > 0 === up) u32[0] += 1;
  else u32[0] -= 1;
  return f32[0];
}

/**
 * Correctly rounds the decimal `digits`·10^`exp10` (digits without sign, no leading
 * zeros needed) to float32. Number() rounds to double first; that double rounding only
 * goes wrong when the double lands exactly on a float32 midpoint, which is then
 * settled exactly with BigInt arithmetic.
 */
export function decimalToFloat32(digits: string, exp10: number): number {
  const d = Number(`${digits}e${exp10}`);
  const f = Math.fround(d);
  if (f === d || !Number.isFinite(f)) return f;
  const g = nextFloat32(f, d);
  if (!Number.isFinite(g) || (f + g) / 2 !== d) return f;
  // d is a float32 midpoint: decide from the exact decimal value.
  const m = BigInt(digits);
  return exp10 >= 0
    ? roundToFloat32(m * 10n ** BigInt(exp10), 1n, 0)
    : roundToFloat32(m, 10n ** BigInt(-exp10), 0);
}

/** Reads one number at `start` the way glibc strtof does (leading C whitespace is skipped). */
export function scanFloat(s: string, start: number): ScannedFloat {
  let i = start;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  let negative = false;
  const sc = s.charCodeAt(i);
  if (sc === 43 || sc === 45) {
    negative = sc === 45;
    i++;
  }
  const none: ScannedFloat = { value: 0, end: start, erange: false };
  const c = s.charCodeAt(i);
  if (c === 105 || c === 73) {
    if (matchWord(s, i, 'infinity')) return special(negative ? -Infinity : Infinity, i + 8);
    if (matchWord(s, i, 'inf')) return special(negative ? -Infinity : Infinity, i + 3);
    return none;
  }
  if (c === 110 || c === 78) {
    if (!matchWord(s, i, 'nan')) return none;
    let j = i + 3;
    if (s.charCodeAt(j) === 40) {
      let k = j + 1;
      while (k < s.length && /[A-Za-z0-9_]/.test(s[k]!)) k++;
      if (s.charCodeAt(k) === 41) j = k + 1;
    }
    return special(Number.NaN, j);
  }
  if (c === 48 && (s.charCodeAt(i + 1) | 32) === 120) {
    const hex = scanHex(s, i + 2, negative);
    if (hex) return hex;
  }
  return scanDecimal(s, i, negative, start);
}

function special(value: number, end: number): ScannedFloat {
  return { value, end, erange: false };
}

/**
 * The usual case, without building digit strings: find the literal's extent, let Number()
 * round it to double and fround() to float32. That is the correctly rounded float32 unless
 * the double is exactly a float32 midpoint (see decimalToFloat32); then the exact path
 * decides.
 */
function scanDecimal(s: string, i: number, negative: boolean, start: number): ScannedFloat {
  const from = i;
  // The first MAX_DIGITS significant digits as a number (exact while there are at most 15)
  // and the power of ten that scales it.
  let mantissa = 0;
  let significant = 0;
  let scale = 0;
  let digits = 0;
  let c = s.charCodeAt(i);
  while (isDigit(c)) {
    if (significant > 0 || c !== 48) {
      if (significant < MAX_DIGITS) mantissa = mantissa * 10 + (c - 48);
      else scale++;
      significant++;
    }
    digits++;
    c = s.charCodeAt(++i);
  }
  if (c === 46) {
    let j = i + 1;
    let frac = 0;
    c = s.charCodeAt(j);
    while (isDigit(c)) {
      if (significant > 0 || c !== 48) {
        if (significant < MAX_DIGITS) {
          mantissa = mantissa * 10 + (c - 48);
          scale--;
        }
        significant++;
      } else scale--;
      frac++;
      c = s.charCodeAt(++j);
    }
    if (digits > 0 || frac > 0) i = j;
    else scale = 0;
    digits += frac;
  }
  if (digits === 0) return { value: 0, end: start, erange: false };
  let exponent = 0;
  if ((s.charCodeAt(i) | 32) === 101) {
    let j = i + 1;
    let expNeg = false;
    if (s.charCodeAt(j) === 43 || s.charCodeAt(j) === 45) expNeg = s.charCodeAt(j++) === 45;
    if (isDigit(s.charCodeAt(j))) {
      while (isDigit(s.charCodeAt(j))) {
        if (exponent < 1e6) exponent = exponent * 10 + (s.charCodeAt(j) - 48);
        j++;
      }
      if (expNeg) exponent = -exponent;
      i = j;
    }
  }
  if (significant === 0) return { value: negative ? -0 : 0, end: i, erange: false };
  const power = scale + exponent;
  let d: number;
  let f: number;
  if (significant <= 15 && power >= -22 && power <= 22) {
    // Clinger's fast path: an integer below 2^53 times or over an exact power of ten is
    // the correctly rounded double, so only an exact float4 midpoint needs a closer look.
    d = power >= 0 ? mantissa * POWERS_OF_TEN[power] : mantissa / POWERS_OF_TEN[-power];
    f = Math.fround(d);
    if (f !== d && Number.isFinite(f)) {
      const g = nextFloat32(f, d);
      if (Number.isFinite(g) && (f + g) / 2 === d) return scanDecimalExact(s, from, negative, start);
    }
  } else if (significant <= MAX_DIGITS && power >= -70 && power <= 50) {
    // Longer literals (a float4 printed as a double has 17 digits): a double within a few
    // ulps of the value. Its float4 rounding is right unless the value is that close to a
    // float4 midpoint, in which case the exact path decides.
    d = power >= 0 ? mantissa * 10 ** power : mantissa / 10 ** -power;
    f = Math.fround(d);
    if (Number.isFinite(f) && nearMidpoint(f, d)) return scanDecimalExact(s, from, negative, start);
  } else {
    d = Number(s.slice(from, i));
    f = Math.fround(d);
    if (f !== d && Number.isFinite(f)) {
      const g = nextFloat32(f, d);
      if (Number.isFinite(g) && (f + g) / 2 === d) return scanDecimalExact(s, from, negative, start);
    }
  }
  const erange = f === 0 || !Number.isFinite(f);
  return { value: negative ? -f : f, end: i, erange };
}

/** scanDecimal with exact (BigInt) rounding, for literals whose double is a float32 midpoint. */
function scanDecimalExact(s: string, i: number, negative: boolean, start: number): ScannedFloat {
  let intDigits = '';
  let fracDigits = '';
  while (isDigit(s.charCodeAt(i))) intDigits += s[i++];
  if (s.charCodeAt(i) === 46) {
    let j = i + 1;
    while (isDigit(s.charCodeAt(j))) fracDigits += s[j++];
    if (intDigits.length > 0 || fracDigits.length > 0) i = j;
  }
  if (intDigits.length === 0 && fracDigits.length === 0) return { value: 0, end: start, erange: false };
  let exp10 = 0;
  if ((s.charCodeAt(i) | 32) === 101) {
    let j = i + 1;
    let expNeg = false;
    if (s.charCodeAt(j) === 43 || s.charCodeAt(j) === 45) expNeg = s.charCodeAt(j++) === 45;
    if (isDigit(s.charCodeAt(j))) {
      let e = 0;
      while (isDigit(s.charCodeAt(j))) {
        // Saturate: anything past ±99999 already over/underflows every float.
        if (e < 1e6) e = e * 10 + (s.charCodeAt(j) - 48);
        j++;
      }
      exp10 = expNeg ? -e : e;
      i = j;
    }
  }
  let digits = (intDigits + fracDigits).replace(/^0+/, '');
  exp10 -= fracDigits.length;
  if (digits.length === 0) return { value: negative ? -0 : 0, end: i, erange: false };
  // Keep the value exact but bounded: trailing zeros move into the exponent.
  const trimmed = digits.replace(/0+$/, '');
  exp10 += digits.length - trimmed.length;
  digits = trimmed;
  let value: number;
  if (exp10 + digits.length > 50) value = Infinity;
  else if (exp10 + digits.length < -50) value = 0;
  else value = decimalToFloat32(digits, exp10);
  const erange = value === 0 || !Number.isFinite(value);
  return { value: negative ? -value : value, end: i, erange };
}

function scanHex(s: string, i: number, negative: boolean): ScannedFloat | undefined {
  let mant = 0n;
  let exp2 = 0;
  let any = false;
  while (hexValue(s.charCodeAt(i)) >= 0) {
    mant = mant * 16n + BigInt(hexValue(s.charCodeAt(i++)));
    any = true;
  }
  if (s.charCodeAt(i) === 46) {
    let j = i + 1;
    let frac = false;
    while (hexValue(s.charCodeAt(j)) >= 0) {
      mant = mant * 16n + BigInt(hexValue(s.charCodeAt(j++)));
      exp2 -= 4;
      frac = true;
    }
    if (any || frac) i = j;
    any = any || frac;
  }
  // "0x" without hex digits: strtof reads just the "0".
  if (!any) return undefined;
  if ((s.charCodeAt(i) | 32) === 112) {
    let j = i + 1;
    let expNeg = false;
    if (s.charCodeAt(j) === 43 || s.charCodeAt(j) === 45) expNeg = s.charCodeAt(j++) === 45;
    if (isDigit(s.charCodeAt(j))) {
      let e = 0;
      while (isDigit(s.charCodeAt(j))) {
        if (e < 1e6) e = e * 10 + (s.charCodeAt(j) - 48);
        j++;
      }
      exp2 += expNeg ? -e : e;
      i = j;
    }
  }
  if (mant === 0n) return { value: negative ? -0 : 0, end: i, erange: false };
  const value =
    exp2 >= 0 ? roundToFloat32(mant << BigInt(Math.min(exp2, 400)), 1n, 0) : roundToFloat32(mant, 1n, exp2);
  const erange = value === 0 || !Number.isFinite(value);
  return { value: negative ? -value : value, end: i, erange };
}
