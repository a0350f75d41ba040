/**
 * pg_size_pretty: a byte count in bytes, kB, MB, GB, TB or PB, with PostgreSQL 15's
 * thresholds and rounding (a unit is used below 10 kB / 20 units, halves rounded away from
 * zero), so `\dt+` and monitoring queries print the same text as PostgreSQL for a size.
 */
import { def } from './define.ts';
import type { Numeric } from './numeric.ts';
import { T } from './type.ts';

interface Unit {
  readonly name: string;
  /** Below this (in the unit's own, possibly doubled, scale) the unit is used. */
  readonly limit: bigint;
  /** Whether the value is kept doubled until printed, then halved rounding away from zero. */
  readonly round: boolean;
  readonly bits: number;
}

const UNITS: readonly Unit[] = [
  { name: 'bytes', limit: 10n * 1024n, round: false, bits: 0 },
  { name: 'kB', limit: 20n * 1024n - 1n, round: true, bits: 10 },
  { name: 'MB', limit: 20n * 1024n - 1n, round: true, bits: 20 },
  { name: 'GB', limit: 20n * 1024n - 1n, round: true, bits: 30 },
  { name: 'TB', limit: 20n * 1024n - 1n, round: true, bits: 40 },
  { name: 'PB', limit: 20n * 1024n - 1n, round: true, bits: 50 },
];

const abs = (n: bigint) => (n < 0n ? -n : n);

export function sizePretty(bytes: bigint): string {
  let size = bytes;
  for (let i = 0; i < UNITS.length; i++) {
    const unit = UNITS[i];
    const next = UNITS[i + 1];
    if (next === undefined || abs(size) < unit.limit) {
      // BigInt division truncates toward zero, as C's does.
      if (unit.round) size = (size + (size < 0n ? -1n : 1n)) / 2n;
      return `${size} ${unit.name}`;
    }
    const shift = next.bits - unit.bits - (next.round ? 1 : 0) + (unit.round ? 1 : 0);
    size /= 1n << BigInt(shift);
  }
  throw new Error('unreachable');
}

def('pg_size_pretty', ['int8'], T.text, ([n]) => sizePretty(n as bigint));
// A sum of bigint sizes is numeric: its whole part, as PostgreSQL's numeric version prints.
def('pg_size_pretty', ['numeric'], T.text, ([n]) => sizePretty((n as Numeric).trunc(0).toBigInt('bigint')));
