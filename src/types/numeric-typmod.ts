/**
 * numeric(p,s) type modifiers: the stored typmod encoding and apply_typmod(), which rounds
 * to the scale and rejects values needing more integer digits than p - s (22003 with
 * PostgreSQL's DETAIL wording).
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { type Numeric, pow10 } from './numeric.ts';

/** numeric(p,s) typmod as stored: ((p << 16) | (s & 0x7ff)) + 4. */
export function numericTypmod(precision: number, scale = 0): number {
  return ((precision << 16) | (scale & 0x7ff)) + 4;
}

export function decodeNumericTypmod(typmod: number): { precision: number; scale: number } {
  const t = typmod - 4;
  const raw = t & 0x7ff;
  return { precision: (t >> 16) & 0xffff, scale: raw > 1023 ? raw - 2048 : raw };
}

/** apply_typmod(): rounds to the scale and rejects values that need more integer digits. */
export function applyNumericTypmod(n: Numeric, typmod: number): Numeric {
  if (typmod < 4) return n;
  const { precision, scale } = decodeNumericTypmod(typmod);
  if (n.kind === 'nan') return n;
  if (n.kind !== 'finite') {
    throw new SqlError(SqlState.NumericValueOutOfRange, 'numeric field overflow', {
      detail: `A field with precision ${precision}, scale ${scale} cannot hold an infinite value.`,
    });
  }
  const r = n.round(scale);
  const limit = pow10(precision - scale);
  const intPart = r.digits / pow10(r.scale);
  if ((intPart < 0n ? -intPart : intPart) >= limit) {
    throw new SqlError(SqlState.NumericValueOutOfRange, 'numeric field overflow', {
      detail: `A field with precision ${precision}, scale ${scale} must round to an absolute value less than ${precision - scale === 0 ? '1' : `10^${precision - scale}`}.`,
    });
  }
  return r;
}
