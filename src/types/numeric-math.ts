/**
 * sqrt, exp, ln, log10 and power on numeric, computed exactly enough on bigint fixed point
 * and rounded to the result scales PostgreSQL picks (numeric_sqrt, numeric_exp, numeric_ln,
 * power_var): 16 significant digits around the result's decimal weight, never fewer
 * decimals than the input has.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { ExtraSqlState } from './extra-sqlstates.ts';
import { Numeric, pow10, roundDiv } from './numeric.ts';

const MIN_SIG = 16;
const clampScale = (r: number, ...mins: number[]) => Math.min(Math.max(r, 0, ...mins), 1000);

export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  if (x === 0n) x = 1n;
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x && y - x <= 1n) {
      while (x * x > n) x--;
      while ((x + 1n) * (x + 1n) <= n) x++;
      return x;
    }
    x = y;
  }
}

/** The value as a fixed-point bigint with `p` decimals. */
const fixed = (n: Numeric, p: number): bigint =>
  p >= n.scale ? n.digits * pow10(p - n.scale) : roundDiv(n.digits, pow10(n.scale - p));

export function numericSqrt(n: Numeric): Numeric {
  if (n.isNaN) return n;
  if (n.sign() < 0) {
    throw new SqlError(
      ExtraSqlState.InvalidArgumentForPowerFunction,
      'cannot take square root of a negative number',
    );
  }
  if (!n.isFinite) return n;
  const sweight = Math.trunc(((n.base10000().weight + 1) * 4) / 2) - 1;
  const rscale = clampScale(MIN_SIG - sweight, n.scale);
  const q = isqrt(fixed(n, 2 * rscale + 2));
  return Numeric.of(roundDiv(q, 10n), rscale);
}

/** e^x on fixed point with `p` decimals: argument halving, Taylor series, squaring back. */
function expFixed(x: bigint, p: number): bigint {
  const one = pow10(p);
  let k = 0;
  while ((x < 0n ? -x : x) > one / 10n) {
    x /= 2n;
    k++;
  }
  let sum = one;
  let term = one;
  for (let i = 1n; term !== 0n; i++) {
    term = (term * x) / one / i;
    sum += term;
  }
  for (; k > 0; k--) sum = (sum * sum) / one;
  return sum;
}

/** ln(x) for fixed-point x > 0 with `p` decimals: square roots towards 1, then 2·atanh. */
function lnFixed(x: bigint, p: number): bigint {
  const one = pow10(p);
  // Pull out powers of ten first so the square-root loop stays short.
  let e = 0;
  while (x > 10n * one) {
    x /= 10n;
    e++;
  }
  while (x < one / 10n) {
    x *= 10n;
    e--;
  }
  let k = 0;
  const eps = one / 100n;
  while ((x > one ? x - one : one - x) > eps) {
    x = isqrt(x * one);
    k++;
  }
  const z = ((x - one) * one) / (x + one);
  const z2 = (z * z) / one;
  let sum = 0n;
  let term = z;
  for (let i = 1n; term !== 0n; i += 2n) {
    sum += term / i;
    term = (term * z2) / one;
  }
  let r = 2n * sum * (1n << BigInt(k));
  if (e !== 0) r += BigInt(e) * ln10(p);
  return r;
}

const ln10Cache = new Map<number, bigint>();
function ln10(p: number): bigint {
  let v = ln10Cache.get(p);
  if (v === undefined) {
    // ln 10 = ln(10/8) + 3·ln 2, both arguments already close to 1.
    const one = pow10(p + 5);
    const l = lnFixed((one * 10n) / 8n, p + 5) + 3n * lnFixed(2n * one, p + 5);
    v = l / pow10(5);
    ln10Cache.set(p, v);
  }
  return v;
}

/**
 * estimate_ln_dweight(): decimal weight of ln(n), from n - 1 when n is within [0.9, 1.1]
 * (where ln n ≈ n - 1) and from n's leading digits otherwise. Result scales depend on it.
 */
export function estimateLnDweight(n: Numeric): number {
  if (n.sign() <= 0 || !n.isFinite) return 0;
  if (n.cmp(Numeric.parse('0.9')) >= 0 && n.cmp(Numeric.parse('1.1')) <= 0) {
    const x = n.sub(Numeric.fromInt(1));
    if (x.sign() === 0) return 0;
    const abs = x.digits < 0n ? -x.digits : x.digits;
    return abs.toString().length - 1 - x.scale;
  }
  const { weight, digits } = n.base10000();
  let lead = digits[0] ?? 0;
  let dweight = weight * 4;
  if (digits.length > 1) {
    lead = lead * 10000 + digits[1];
    dweight -= 4;
  }
  return Math.trunc(Math.log10(Math.abs(Math.log(lead) + dweight * Math.LN10)));
}

function lnChecked(n: Numeric): void {
  if (n.sign() <= 0) {
    const msg =
      n.sign() === 0 ? 'cannot take logarithm of zero' : 'cannot take logarithm of a negative number';
    throw new SqlError(ExtraSqlState.InvalidArgumentForLogarithm, msg);
  }
}

export function numericLn(n: Numeric): Numeric {
  if (n.isNaN) return n;
  lnChecked(n);
  if (!n.isFinite) return n;
  const rscale = clampScale(MIN_SIG - estimateLnDweight(n), n.scale);
  const p = rscale + 10;
  return Numeric.of(roundDiv(lnFixed(fixed(n, p), p), pow10(10)), rscale);
}

/** log_var(): log of `x` to base `b`, 16 significant digits by the estimated result weight. */
export function numericLog(b: Numeric, x: Numeric): Numeric {
  if (b.isNaN || x.isNaN) return Numeric.NaN;
  lnChecked(b);
  lnChecked(x);
  const rscale = clampScale(MIN_SIG - (estimateLnDweight(x) - estimateLnDweight(b)), b.scale, x.scale);
  const p = rscale + 10 + Math.max(0, -estimateLnDweight(b));
  const lb = lnFixed(fixed(b, p), p);
  if (lb === 0n) throw new SqlError(SqlState.DivisionByZero, 'division by zero');
  return Numeric.of(roundDiv(lnFixed(fixed(x, p), p) * pow10(rscale), lb), rscale);
}

export function numericLog10(n: Numeric): Numeric {
  return numericLog(Numeric.fromInt(10), n);
}

export function numericExp(n: Numeric): Numeric {
  if (n.isNaN) return n;
  if (n.kind === 'pinf') return n;
  if (n.kind === 'ninf') return Numeric.ZERO;
  const val = Math.max(-1000, Math.min(1000, n.toNumber() * Math.LOG10E));
  if (val > 1000 - 1) throw new SqlError(SqlState.NumericValueOutOfRange, 'value overflows numeric format');
  const rscale = clampScale(MIN_SIG - Math.trunc(val), n.scale);
  const p = rscale + 10 + Math.max(0, Math.ceil(val));
  return Numeric.of(roundDiv(expFixed(fixed(n, p), p), pow10(p - rscale)), rscale);
}

export function numericPower(base: Numeric, exp: Numeric): Numeric {
  if (base.isNaN || exp.isNaN) {
    // PostgreSQL: NaN ^ 0 = 1 and 1 ^ NaN = 1, anything else involving NaN is NaN.
    if (exp.isFinite && exp.sign() === 0) return Numeric.fromInt(1);
    if (base.isFinite && base.cmp(Numeric.fromInt(1)) === 0) return Numeric.fromInt(1);
    return Numeric.NaN;
  }
  if (!base.isFinite || !exp.isFinite) return Numeric.fromFloat(base.toNumber() ** exp.toNumber());
  const isInt = exp.trunc(0).cmp(exp) === 0;
  if (base.sign() === 0 && exp.sign() < 0) {
    throw new SqlError(
      ExtraSqlState.InvalidArgumentForPowerFunction,
      'zero raised to a negative power is undefined',
    );
  }
  if (base.sign() < 0 && !isInt) {
    throw new SqlError(
      ExtraSqlState.InvalidArgumentForPowerFunction,
      'a negative number raised to a non-integer power yields a complex result',
    );
  }
  if (isInt && Math.abs(exp.toNumber()) < 100000) {
    const rscale = clampScale(MIN_SIG, base.scale);
    const k = Number(exp.trunc(0).digits);
    const num = base.digits ** BigInt(Math.abs(k));
    const den = pow10(base.scale * Math.abs(k));
    if (k >= 0) return Numeric.of(roundDiv(num * pow10(rscale), den), rscale);
    return Numeric.of(roundDiv(den * pow10(rscale), num), rscale);
  }
  const val = Math.log(Math.abs(base.toNumber())) * exp.toNumber() * Math.LOG10E;
  const rscale = clampScale(MIN_SIG - Math.trunc(val), base.scale, exp.scale);
  const p = rscale + 10 + Math.max(0, Math.ceil(val));
  const l = lnFixed(fixed(base, p), p);
  const y = (l * fixed(exp, p)) / pow10(p);
  return Numeric.of(roundDiv(expFixed(y, p), pow10(p - rscale)), rscale);
}

/** sqrt rounded to exactly `rscale` decimals (stddev uses the variance's scale). */
export function numericSqrtAt(n: Numeric, rscale: number): Numeric {
  if (!n.isFinite || n.sign() < 0) return numericSqrt(n);
  return Numeric.of(roundDiv(isqrt(fixed(n, 2 * rscale + 2)), 10n), rscale);
}
