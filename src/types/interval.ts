/**
 * The `interval` value (months, days, microseconds kept apart, as PostgreSQL does, because a
 * month and a day have no fixed length) and its text I/O in the default 'postgres'
 * IntervalStyle: `1 year 2 mons 3 days 04:05:06.5`, `-1 days +02:00:00`.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';

export const USECS_PER_SEC = 1_000_000;
export const USECS_PER_MINUTE = 60 * USECS_PER_SEC;
export const USECS_PER_HOUR = 60 * USECS_PER_MINUTE;
export const USECS_PER_DAY = 24 * USECS_PER_HOUR;

export class Interval {
  constructor(
    readonly months: number,
    readonly days: number,
    readonly micros: number,
  ) {}

  static readonly ZERO = new Interval(0, 0, 0);

  neg(): Interval {
    return new Interval(-this.months || 0, -this.days || 0, -this.micros || 0);
  }
  add(o: Interval): Interval {
    return new Interval(this.months + o.months, this.days + o.days, this.micros + o.micros);
  }
  sub(o: Interval): Interval {
    return this.add(o.neg());
  }
  /** interval * float: fractions of months spill into days and of days into time (interval_mul). */
  mul(f: number): Interval {
    const m = this.months * f;
    const months = Math.trunc(m);
    const d = this.days * f + (m - months) * 30;
    const days = Math.trunc(d);
    const micros = Math.round(this.micros * f + (d - days) * USECS_PER_DAY);
    return new Interval(months, days, micros);
  }

  /** The comparable span PostgreSQL uses (a month counts 30 days, a day 24 hours). */
  span(): bigint {
    return (
      BigInt(this.micros) +
      BigInt(this.days) * BigInt(USECS_PER_DAY) +
      BigInt(this.months) * 30n * BigInt(USECS_PER_DAY)
    );
  }
  cmp(o: Interval): number {
    const a = this.span();
    const b = o.span();
    return a < b ? -1 : a > b ? 1 : 0;
  }

  toString(): string {
    return formatInterval(this);
  }
}

/** "HH:MM:SS[.ffffff]" for a non-negative microsecond count (hours may exceed 24). */
export function formatClock(micros: number): string {
  const h = Math.floor(micros / USECS_PER_HOUR);
  const m = Math.floor((micros % USECS_PER_HOUR) / USECS_PER_MINUTE);
  const us = micros % USECS_PER_MINUTE;
  const s = Math.floor(us / USECS_PER_SEC);
  const frac = us % USECS_PER_SEC;
  const base = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return frac ? `${base}.${String(frac).padStart(6, '0').replace(/0+$/, '')}` : base;
}

/** EncodeInterval(), INTSTYLE_POSTGRES. */
export function formatInterval(iv: Interval): string {
  const parts: string[] = [];
  let before = false;
  const years = Math.trunc(iv.months / 12);
  const mons = iv.months % 12;
  const field = (v: number, unit: string) => {
    if (v === 0) return;
    parts.push(`${before && v > 0 ? '+' : ''}${v} ${unit}${v !== 1 ? 's' : ''}`);
    before = v < 0;
  };
  field(years, 'year');
  field(mons, 'mon');
  field(iv.days, 'day');
  if (parts.length === 0 || iv.micros !== 0) {
    const minus = iv.micros < 0;
    parts.push(`${minus ? '-' : before ? '+' : ''}${formatClock(Math.abs(iv.micros))}`);
  }
  return parts.join(' ');
}

type Unit = 'us' | 'ms' | 's' | 'min' | 'h' | 'd' | 'w' | 'mon' | 'y' | 'dec' | 'c' | 'mil';
const UNITS: Record<string, Unit> = {};
const unitNames: [Unit, string[]][] = [
  ['us', ['microsecond', 'microseconds', 'us', 'usec', 'usecs', 'useconds']],
  ['ms', ['millisecond', 'milliseconds', 'ms', 'msec', 'msecs', 'mseconds']],
  ['s', ['second', 'seconds', 's', 'sec', 'secs']],
  ['min', ['minute', 'minutes', 'm', 'min', 'mins']],
  ['h', ['hour', 'hours', 'h', 'hr', 'hrs']],
  ['d', ['day', 'days', 'd']],
  ['w', ['week', 'weeks', 'w']],
  ['mon', ['month', 'months', 'mon', 'mons']],
  ['y', ['year', 'years', 'y', 'yr', 'yrs']],
  ['dec', ['decade', 'decades', 'dec', 'decs']],
  ['c', ['century', 'centuries', 'c', 'cent']],
  ['mil', ['millennium', 'millennia', 'millenniums', 'mil', 'mils']],
];
for (const [u, names] of unitNames) for (const n of names) UNITS[n] = u;

/** Accumulates fractional field values the way DecodeInterval spills fractions downwards. */
class Acc {
  months = 0;
  days = 0;
  micros = 0;
  addMonths(v: number): void {
    const whole = Math.trunc(v);
    this.months += whole;
    this.addDays((v - whole) * 30);
  }
  addDays(v: number): void {
    const whole = Math.trunc(v);
    this.days += whole;
    this.micros += Math.round((v - whole) * USECS_PER_DAY);
  }
  add(unit: Unit, v: number): void {
    switch (unit) {
      case 'us':
        return void (this.micros += Math.round(v));
      case 'ms':
        return void (this.micros += Math.round(v * 1000));
      case 's':
        return void (this.micros += Math.round(v * USECS_PER_SEC));
      case 'min':
        return void (this.micros += Math.round(v * USECS_PER_MINUTE));
      case 'h':
        return void (this.micros += Math.round(v * USECS_PER_HOUR));
      case 'd':
        return this.addDays(v);
      case 'w':
        return this.addDays(v * 7);
      case 'mon':
        return this.addMonths(v);
      case 'y':
        return this.addMonths(v * 12);
      case 'dec':
        return this.addMonths(v * 120);
      case 'c':
        return this.addMonths(v * 1200);
      case 'mil':
        return this.addMonths(v * 12000);
    }
  }
}

const CLOCK_RE = /^([+-])?(\d+):(\d+)(?::(\d+(?:\.\d*)?))?$/;
const ISO_RE =
  /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

export function parseInterval(text: string): Interval {
  const bad = () =>
    new SqlError(SqlState.InvalidDatetimeFormat, `invalid input syntax for type interval: "${text}"`);
  const acc = new Acc();
  const t = text.trim();
  const iso = ISO_RE.exec(t);
  if (iso && t.length > 1) {
    const units: Unit[] = ['y', 'mon', 'w', 'd', 'h', 'min', 's'];
    units.forEach((u, i) => {
      if (iso[i + 1] !== undefined) acc.add(u, Number(iso[i + 1]));
    });
    return new Interval(acc.months, acc.days, acc.micros);
  }
  const tokens = t.toLowerCase().replace(/^@\s*/, '').split(/\s+/).filter(Boolean);
  if (tokens.length === 0) throw bad();
  let ago = false;
  let seen = false;
  for (let i = 0; i < tokens.length; i++) {
    let tok = tokens[i];
    if (tok === 'ago' && i === tokens.length - 1) {
      ago = true;
      continue;
    }
    const clock = CLOCK_RE.exec(tok);
    if (clock) {
      const sign = clock[1] === '-' ? -1 : 1;
      const us =
        Number(clock[2]) * USECS_PER_HOUR +
        Number(clock[3]) * USECS_PER_MINUTE +
        Math.round(Number(clock[4] ?? 0) * USECS_PER_SEC);
      acc.micros += sign * us;
      seen = true;
      continue;
    }
    // A number, optionally glued to its unit ("5min"), else followed by a unit token.
    const m = /^([+-]?(?:\d+\.?\d*|\.\d+))([a-z]*)$/.exec(tok);
    if (!m) throw bad();
    const v = Number(m[1]);
    tok = m[2];
    if (!tok) {
      const next = tokens[i + 1];
      if (next !== undefined && UNITS[next] !== undefined) {
        tok = next;
        i++;
      } else {
        acc.add('s', v);
        seen = true;
        continue;
      }
    }
    const unit = UNITS[tok];
    if (unit === undefined) throw bad();
    acc.add(unit, v);
    seen = true;
  }
  if (!seen) throw bad();
  const iv = new Interval(acc.months, acc.days, acc.micros);
  return ago ? iv.neg() : iv;
}
