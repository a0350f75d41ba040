/**
 * float4/float8 text output as PostgreSQL 12+ prints it. With extra_float_digits > 0 (the
 * default 1) the output is the shortest string that reads back to the same value (Ryu in
 * PostgreSQL), in fixed notation when the decimal exponent is in [-4, 15) for float8 or
 * [-4, 6) for float4, otherwise `1e+20` style with at least two exponent digits. With
 * extra_float_digits <= 0 it is printf's %.Ng with N = DBL_DIG/FLT_DIG + extra_float_digits.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';

function special(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  return undefined;
}

/** Splits toExponential() output into its significant digits and decimal exponent. */
function splitExp(s: string): { neg: boolean; digits: string; exp: number } {
  const neg = s.startsWith('-');
  if (neg) s = s.slice(1);
  const e = s.indexOf('e');
  const digits = s.slice(0, e).replace('.', '').replace(/0+$/, '') || '0';
  return { neg, digits, exp: Number(s.slice(e + 1)) };
}

/** Renders digits × 10^exp (first digit at 10^exp) either fixed or scientific, PostgreSQL style. */
function render(neg: boolean, digits: string, exp: number, fixedLimit: number): string {
  let out: string;
  if (exp < -4 || exp >= fixedLimit) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ae = Math.abs(exp);
    out = `${mant}e${exp < 0 ? '-' : '+'}${ae < 10 ? `0${ae}` : ae}`;
  } else if (exp < 0) {
    out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  } else if (digits.length <= exp + 1) {
    out = digits + '0'.repeat(exp + 1 - digits.length);
  } else {
    out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  return neg ? `-${out}` : out;
}

/** %.Ng formatting (trailing zeros removed), as float8out uses for extra_float_digits <= 0. */
function formatG(v: number, precision: number): string {
  const p = Math.max(1, precision);
  const { neg, digits, exp } = splitExp(v.toExponential(p - 1));
  return render(neg, digits, exp, p);
}

export function formatFloat8(v: number, extraFloatDigits = 1): string {
  const s = special(v);
  if (s !== undefined) return s;
  if (extraFloatDigits <= 0) return formatG(v, 15 + extraFloatDigits);
  const { neg, digits, exp } = splitExp(v.toExponential());
  return render(neg, digits, exp, 15);
}

export function formatFloat4(v: number, extraFloatDigits = 1): string {
  const s = special(v);
  if (s !== undefined) return s;
  if (extraFloatDigits <= 0) return formatG(v, 6 + extraFloatDigits);
  // Shortest precision whose decimal form rounds back to the same float32.
  for (let p = 1; p <= 9; p++) {
    const t = v.toExponential(p - 1);
    if (Math.fround(Number(t)) === v) {
      const { neg, digits, exp } = splitExp(t);
      return render(neg, digits, exp, 6);
    }
  }
  const { neg, digits, exp } = splitExp(v.toExponential(8));
  return render(neg, digits, exp, 6);
}

const FLOAT_RE = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/**
 * float8in/float4in: decimal or the special words (case-insensitive). Out-of-range input is
 * an error (22003), as is float4 overflow after rounding; underflow to zero is an error too.
 */
export function parseFloatText(text: string, typeName: 'real' | 'double precision'): number {
  const t = text.trim().toLowerCase();
  const specials: Record<string, number> = {
    nan: Number.NaN,
    infinity: Infinity,
    '+infinity': Infinity,
    '-infinity': -Infinity,
    inf: Infinity,
    '+inf': Infinity,
    '-inf': -Infinity,
  };
  if (t in specials) return specials[t];
  if (!FLOAT_RE.test(text)) {
    throw new SqlError(
      SqlState.InvalidTextRepresentation,
      `invalid input syntax for type ${typeName}: "${text}"`,
    );
  }
  let v = Number(t);
  if (typeName === 'real') v = Math.fround(v);
  const zeroText = /^[+-]?[0.]*(?:e|$)/.test(t);
  if (!Number.isFinite(v) || (v === 0 && !zeroText)) {
    throw new SqlError(
      SqlState.NumericValueOutOfRange,
      `"${text.trim()}" is out of range for type ${typeName}`,
    );
  }
  return v;
}
