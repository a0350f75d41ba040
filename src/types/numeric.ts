/**
 * Exact decimal numbers for the `numeric` type: value = digits × 10^-scale on a bigint, plus
 * NaN and ±Infinity. Result scales follow PostgreSQL's numeric.c (add/sub keep the larger
 * scale, mul adds scales, div uses select_div_scale: at least 16 significant digits).
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';

export type NumericKind = 'finite' | 'nan' | 'pinf' | 'ninf';

/** PostgreSQL's NUMERIC_MIN_SIG_DIGITS / display scale limits. */
const MIN_SIG_DIGITS = 16;
const MAX_DISPLAY_SCALE = 1000;

const pow10Cache: bigint[] = [];
export function pow10(n: number): bigint {
  if (n < 64) return (pow10Cache[n] ??= 10n ** BigInt(n));
  return 10n ** BigInt(n);
}

/** Rounds num/den to an integer, halves away from zero (PostgreSQL's numeric rounding). */
export function roundDiv(num: bigint, den: bigint): bigint {
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const q = num / den;
  const r = num % den;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= den) return num < 0n ? q - 1n : q + 1n;
  return q;
}

const NUMERIC_RE = /^\s*([+-])?(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?\s*$/;

export class Numeric {
  private constructor(
    readonly kind: NumericKind,
    readonly digits: bigint,
    readonly scale: number,
  ) {}

  static readonly NaN = new Numeric('nan', 0n, 0);
  static readonly Infinity = new Numeric('pinf', 0n, 0);
  static readonly NegInfinity = new Numeric('ninf', 0n, 0);
  static readonly ZERO = new Numeric('finite', 0n, 0);

  static of(digits: bigint, scale = 0): Numeric {
    return new Numeric('finite', digits, Math.max(0, scale));
  }

  static fromInt(n: number | bigint): Numeric {
    return new Numeric('finite', BigInt(n), 0);
  }

  /** float → numeric keeps DBL_DIG (15) or FLT_DIG (6) significant digits, as float8_numeric does. */
  static fromFloat(f: number, sigDigits = 15): Numeric {
    if (Number.isNaN(f)) return Numeric.NaN;
    if (f === Infinity) return Numeric.Infinity;
    if (f === -Infinity) return Numeric.NegInfinity;
    // %.15g drops trailing zeros of the mantissa.
    const [mant, exp] = f.toPrecision(sigDigits).split('e');
    const trimmed = mant.includes('.') ? mant.replace(/\.?0+$/, '') : mant;
    return Numeric.parse(exp === undefined ? trimmed : `${trimmed}e${exp}`);
  }

  /** Parses numeric_in's accepted syntax; `typeName` only shapes the error message. */
  static parse(text: string, typeName = 'numeric'): Numeric {
    const m = NUMERIC_RE.exec(text);
    if (!m) {
      const t = text.trim().toLowerCase();
      if (t === 'nan') return Numeric.NaN;
      if (t === 'infinity' || t === '+infinity' || t === 'inf' || t === '+inf') return Numeric.Infinity;
      if (t === '-infinity' || t === '-inf') return Numeric.NegInfinity;
      throw new SqlError(
        SqlState.InvalidTextRepresentation,
        `invalid input syntax for type ${typeName}: "${text}"`,
      );
    }
    const [, sign, body, expText] = m;
    const dot = body.indexOf('.');
    const intPart = dot < 0 ? body : body.slice(0, dot);
    const fracPart = dot < 0 ? '' : body.slice(dot + 1);
    let digits = BigInt(intPart + fracPart || '0');
    let scale = fracPart.length;
    if (expText !== undefined) {
      const exp = Number(expText);
      if (Math.abs(exp) > 1000 + MAX_DISPLAY_SCALE) {
        throw new SqlError(SqlState.NumericValueOutOfRange, 'value overflows numeric format');
      }
      scale -= exp;
      if (scale < 0) {
        digits *= pow10(-scale);
        scale = 0;
      }
    }
    return new Numeric('finite', sign === '-' ? -digits : digits, scale);
  }

  get isFinite(): boolean {
    return this.kind === 'finite';
  }
  get isNaN(): boolean {
    return this.kind === 'nan';
  }

  toString(): string {
    if (this.kind === 'nan') return 'NaN';
    if (this.kind === 'pinf') return 'Infinity';
    if (this.kind === 'ninf') return '-Infinity';
    const neg = this.digits < 0n;
    let s = (neg ? -this.digits : this.digits).toString();
    if (this.scale > 0) {
      s = s.padStart(this.scale + 1, '0');
      s = `${s.slice(0, s.length - this.scale)}.${s.slice(s.length - this.scale)}`;
    }
    return neg ? `-${s}` : s;
  }

  toNumber(): number {
    if (this.kind === 'nan') return Number.NaN;
    if (this.kind === 'pinf') return Infinity;
    if (this.kind === 'ninf') return -Infinity;
    return Number.parseFloat(this.toString());
  }

  /** Rounds half away from zero to an integer (numeric → int casts); caller checks the range. */
  toBigInt(typeName: string): bigint {
    if (this.kind === 'nan') {
      throw new SqlError(SqlState.FeatureNotSupported, `cannot convert NaN to ${typeName}`);
    }
    if (this.kind !== 'finite') {
      throw new SqlError(SqlState.FeatureNotSupported, `cannot convert infinity to ${typeName}`);
    }
    return roundDiv(this.digits, pow10(this.scale));
  }

  sign(): number {
    if (this.kind === 'nan') return Number.NaN;
    if (this.kind === 'pinf') return 1;
    if (this.kind === 'ninf') return -1;
    return this.digits === 0n ? 0 : this.digits < 0n ? -1 : 1;
  }

  /** Digits rescaled to `scale` (must be ≥ this.scale, so exact). */
  private at(scale: number): bigint {
    return this.digits * pow10(scale - this.scale);
  }

  /** PostgreSQL ordering: -Infinity < finite < Infinity < NaN (NaN equals NaN for sorting). */
  cmp(o: Numeric): number {
    const rank = (n: Numeric) =>
      n.kind === 'ninf' ? 0 : n.kind === 'finite' ? 1 : n.kind === 'pinf' ? 2 : 3;
    const ra = rank(this);
    const rb = rank(o);
    if (ra !== rb || ra !== 1) return ra - rb;
    const s = Math.max(this.scale, o.scale);
    const a = this.at(s);
    const b = o.at(s);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  neg(): Numeric {
    if (this.kind === 'pinf') return Numeric.NegInfinity;
    if (this.kind === 'ninf') return Numeric.Infinity;
    if (this.kind === 'nan') return this;
    return new Numeric('finite', -this.digits, this.scale);
  }

  abs(): Numeric {
    return this.sign() < 0 ? this.neg() : this;
  }

  add(o: Numeric): Numeric {
    if (this.kind !== 'finite' || o.kind !== 'finite') {
      if (this.kind === 'nan' || o.kind === 'nan') return Numeric.NaN;
      if (this.kind === 'finite') return o;
      if (o.kind === 'finite' || o.kind === this.kind) return this;
      return Numeric.NaN;
    }
    const s = Math.max(this.scale, o.scale);
    return new Numeric('finite', this.at(s) + o.at(s), s);
  }

  sub(o: Numeric): Numeric {
    return this.add(o.neg());
  }

  mul(o: Numeric): Numeric {
    if (this.kind !== 'finite' || o.kind !== 'finite') {
      if (this.kind === 'nan' || o.kind === 'nan') return Numeric.NaN;
      const s = this.sign() * o.sign();
      if (s === 0) return Numeric.NaN;
      return s > 0 ? Numeric.Infinity : Numeric.NegInfinity;
    }
    return new Numeric('finite', this.digits * o.digits, this.scale + o.scale);
  }

  div(o: Numeric): Numeric {
    if (o.kind === 'finite' && o.digits === 0n && this.kind !== 'nan') {
      throw new SqlError(SqlState.DivisionByZero, 'division by zero');
    }
    if (this.kind !== 'finite' || o.kind !== 'finite') {
      if (this.kind === 'nan' || o.kind === 'nan') return Numeric.NaN;
      if (this.kind !== 'finite') {
        if (o.kind !== 'finite') return Numeric.NaN;
        return this.sign() * o.sign() > 0 ? Numeric.Infinity : Numeric.NegInfinity;
      }
      return Numeric.ZERO;
    }
    return this.divRound(o, this.divScale(o));
  }

  /** Quotient rounded (half away from zero) to `rscale` decimals. */
  divRound(o: Numeric, rscale: number): Numeric {
    const num = this.digits * pow10(o.scale + rscale);
    const den = o.digits * pow10(this.scale);
    return new Numeric('finite', roundDiv(num, den), rscale);
  }

  /** select_div_scale(): enough decimals for MIN_SIG_DIGITS significant digits, never fewer than the inputs'. */
  divScale(o: Numeric): number {
    const a = this.base10000();
    const b = o.base10000();
    const w1 = a.digits.length ? a.weight : 0;
    const d1 = a.digits[0] ?? 0;
    const w2 = b.digits.length ? b.weight : 0;
    const d2 = b.digits[0] ?? 0;
    let qweight = w1 - w2;
    if (d1 <= d2) qweight--;
    let rscale = MIN_SIG_DIGITS - qweight * 4;
    rscale = Math.max(rscale, this.scale, o.scale, 0);
    return Math.min(rscale, MAX_DISPLAY_SCALE);
  }

  mod(o: Numeric): Numeric {
    if (o.kind === 'finite' && o.digits === 0n && this.kind !== 'nan') {
      throw new SqlError(SqlState.DivisionByZero, 'division by zero');
    }
    if (this.kind !== 'finite' || o.kind !== 'finite') {
      if (this.kind === 'nan' || o.kind === 'nan' || this.kind !== 'finite') return Numeric.NaN;
      return this;
    }
    const s = Math.max(this.scale, o.scale);
    return new Numeric('finite', this.at(s) % o.at(s), s);
  }

  /** round(x, n): n may be negative; the result's display scale is max(n, 0). */
  round(n = 0): Numeric {
    if (this.kind !== 'finite') return this;
    if (n >= this.scale) return new Numeric('finite', this.at(n), n);
    const q = roundDiv(this.digits, pow10(this.scale - n));
    return n >= 0 ? new Numeric('finite', q, n) : new Numeric('finite', q * pow10(-n), 0);
  }

  trunc(n = 0): Numeric {
    if (this.kind !== 'finite') return this;
    if (n >= this.scale) return new Numeric('finite', this.at(n), n);
    const q = this.digits / pow10(this.scale - n);
    return n >= 0 ? new Numeric('finite', q, n) : new Numeric('finite', q * pow10(-n), 0);
  }

  floor(): Numeric {
    const t = this.trunc(0);
    return this.kind === 'finite' && t.cmp(this) > 0 ? t.sub(Numeric.fromInt(1)) : t;
  }

  ceil(): Numeric {
    const t = this.trunc(0);
    return this.kind === 'finite' && t.cmp(this) < 0 ? t.add(Numeric.fromInt(1)) : t;
  }

  /** Same value with trailing fractional zeros removed (trim_scale, used for hashing). */
  normalized(): Numeric {
    if (this.kind !== 'finite') return this;
    let d = this.digits;
    let s = this.scale;
    while (s > 0 && d % 10n === 0n) {
      d /= 10n;
      s--;
    }
    return new Numeric('finite', d, s);
  }

  /** The value as PostgreSQL's base-10000 digit array (for binary I/O and select_div_scale). */
  base10000(): { weight: number; digits: number[] } {
    if (this.kind !== 'finite' || this.digits === 0n) return { weight: 0, digits: [] };
    let s = (this.digits < 0n ? -this.digits : this.digits).toString();
    s = s.padStart(this.scale + 1, '0');
    let ip = s.slice(0, s.length - this.scale);
    let fp = s.slice(s.length - this.scale);
    ip = ip.padStart(Math.ceil(ip.length / 4) * 4, '0');
    fp = fp.padEnd(Math.ceil(fp.length / 4) * 4, '0');
    const all = ip + fp;
    const groups: number[] = [];
    for (let i = 0; i < all.length; i += 4) groups.push(Number(all.slice(i, i + 4)));
    let weight = ip.length / 4 - 1;
    while (groups.length && groups[0] === 0) {
      groups.shift();
      weight--;
    }
    while (groups.length && groups[groups.length - 1] === 0) groups.pop();
    return { weight, digits: groups };
  }

  static fromBase10000(
    negative: boolean,
    weight: number,
    digits: readonly number[],
    dscale: number,
  ): Numeric {
    let d = 0n;
    for (const g of digits) d = d * 10000n + BigInt(g);
    const exp = 4 * (weight - digits.length + 1) + dscale;
    d = exp >= 0 ? d * pow10(exp) : roundDiv(d, pow10(-exp));
    return new Numeric('finite', negative ? -d : d, dscale);
  }
}
