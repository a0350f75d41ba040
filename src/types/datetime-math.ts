/**
 * Calendar arithmetic: timestamp ± interval (months clamp the day of month, as
 * timestamp_pl_interval; for timestamptz months and days move in the session's local time
 * and the time part moves in absolute time), timestamp differences, age(), date_trunc and
 * extract/date_part fields.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { civilFromDays, daysFromCivil, daysInMonth } from './datetime.ts';
import { Interval, USECS_PER_DAY, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC } from './interval.ts';
import { localToUtc, zoneOffsetAt } from './time-zone.ts';

function checkRange(ts: number, typeName: string): number {
  // PostgreSQL's limits: 4714-11-24 BC .. 294276-12-31 AD.
  if (Number.isFinite(ts) && (ts < -211813488000000000 || ts >= 9224318016000000000)) {
    throw new SqlError(SqlState.DatetimeFieldOverflow, `${typeName} out of range`);
  }
  return ts;
}

/** Adds months to a local timestamp, clamping the day to the target month's length. */
function addMonths(local: number, months: number): number {
  if (!months) return local;
  const day = Math.floor(local / USECS_PER_DAY);
  const time = local - day * USECS_PER_DAY;
  const { y, m, d } = civilFromDays(day);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12 + 1;
  const nd = Math.min(d, daysInMonth(ny, nm));
  return daysFromCivil(ny, nm, nd) * USECS_PER_DAY + time;
}

export function timestampPlusInterval(ts: number, iv: Interval): number {
  if (!Number.isFinite(ts)) return ts;
  const r = addMonths(ts, iv.months) + iv.days * USECS_PER_DAY + iv.micros;
  return checkRange(r, 'timestamp');
}

export function timestamptzPlusInterval(ts: number, iv: Interval, zone: string): number {
  if (!Number.isFinite(ts)) return ts;
  let r = ts;
  if (iv.months || iv.days) {
    const local = ts + zoneOffsetAt(ts, zone) * 1e6;
    r = localToUtc(addMonths(local, iv.months) + iv.days * USECS_PER_DAY, zone);
  }
  return checkRange(r + iv.micros, 'timestamp');
}

/** timestamp - timestamp: days and time only (interval_justify_hours of the difference). */
export function timestampDiff(a: number, b: number): Interval {
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    throw new SqlError(SqlState.DatetimeFieldOverflow, 'cannot subtract infinite timestamps');
  }
  const diff = a - b;
  const days = Math.trunc(diff / USECS_PER_DAY);
  return new Interval(0, days, diff - days * USECS_PER_DAY);
}

/** age(): symbolic years/months/days difference computed field by field, as timestamp_age. */
export function age(a: number, b: number): Interval {
  const split = (ts: number) => {
    const day = Math.floor(ts / USECS_PER_DAY);
    return { ...civilFromDays(day), t: ts - day * USECS_PER_DAY };
  };
  const neg = a < b;
  const x = split(neg ? b : a);
  const y = split(neg ? a : b);
  let micros = x.t - y.t;
  let days = x.d - y.d;
  let months = x.m - y.m;
  let years = x.y - y.y;
  if (micros < 0) {
    micros += USECS_PER_DAY;
    days--;
  }
  while (days < 0) {
    // Borrow the length of the earlier date's month, as timestamp_age does.
    days += daysInMonth(y.y, y.m);
    months--;
  }
  if (months < 0) {
    months += 12;
    years--;
  }
  const iv = new Interval(years * 12 + months, days, micros);
  return neg ? iv.neg() : iv;
}

const TRUNC_UNITS = [
  'microseconds',
  'milliseconds',
  'second',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'quarter',
  'year',
  'decade',
  'century',
  'millennium',
];

export function normalizeUnit(unit: string): string {
  const u = unit.toLowerCase().trim();
  const alias: Record<string, string> = {
    microsecond: 'microseconds',
    us: 'microseconds',
    usec: 'microseconds',
    usecs: 'microseconds',
    millisecond: 'milliseconds',
    ms: 'milliseconds',
    msec: 'milliseconds',
    msecs: 'milliseconds',
    seconds: 'second',
    sec: 'second',
    secs: 'second',
    s: 'second',
    minutes: 'minute',
    min: 'minute',
    mins: 'minute',
    m: 'minute',
    hours: 'hour',
    hr: 'hour',
    hrs: 'hour',
    h: 'hour',
    days: 'day',
    d: 'day',
    weeks: 'week',
    w: 'week',
    months: 'month',
    mon: 'month',
    mons: 'month',
    quarters: 'quarter',
    qtr: 'quarter',
    years: 'year',
    y: 'year',
    yr: 'year',
    yrs: 'year',
    decades: 'decade',
    dec: 'decade',
    centuries: 'century',
    cent: 'century',
    millennia: 'millennium',
    mil: 'millennium',
  };
  return alias[u] ?? u;
}

/** date_trunc on a local timestamp (µs). */
export function truncLocal(unit: string, ts: number, typeName: string): number {
  const u = normalizeUnit(unit);
  if (!TRUNC_UNITS.includes(u)) {
    throw new SqlError(SqlState.FeatureNotSupported, `unit "${unit}" not supported for type ${typeName}`);
  }
  if (!Number.isFinite(ts)) return ts;
  const floorTo = (q: number) => Math.floor(ts / q) * q;
  switch (u) {
    case 'microseconds':
      return ts;
    case 'milliseconds':
      return floorTo(1000);
    case 'second':
      return floorTo(USECS_PER_SEC);
    case 'minute':
      return floorTo(USECS_PER_MINUTE);
    case 'hour':
      return floorTo(USECS_PER_HOUR);
    case 'day':
      return floorTo(USECS_PER_DAY);
  }
  const day = Math.floor(ts / USECS_PER_DAY);
  const { y, m } = civilFromDays(day);
  let r: number;
  switch (u) {
    case 'week': {
      const dow = (((day + 5) % 7) + 7) % 7; // 2000-01-01 was a Saturday; Monday = 0 here
      r = day - dow;
      break;
    }
    case 'month':
      r = daysFromCivil(y, m, 1);
      break;
    case 'quarter':
      r = daysFromCivil(y, m - ((m - 1) % 3), 1);
      break;
    case 'year':
      r = daysFromCivil(y, 1, 1);
      break;
    case 'decade':
      r = daysFromCivil(Math.floor(y / 10) * 10, 1, 1);
      break;
    case 'century':
      r = daysFromCivil(y > 0 ? Math.floor((y - 1) / 100) * 100 + 1 : -Math.floor(-y / 100) * 100 - 99, 1, 1);
      break;
    default:
      r = daysFromCivil(
        y > 0 ? Math.floor((y - 1) / 1000) * 1000 + 1 : -Math.floor(-y / 1000) * 1000 - 999,
        1,
        1,
      );
  }
  return r * USECS_PER_DAY;
}

/** extract(field from local timestamp) as a JS number (callers turn it into numeric/float8). */
export function extractLocal(field: string, ts: number, typeName: string): number {
  const f = normalizeUnit(field);
  const day = Math.floor(ts / USECS_PER_DAY);
  const time = ts - day * USECS_PER_DAY;
  const { y, m, d } = civilFromDays(day);
  const dow = (((day + 6) % 7) + 7) % 7; // Sunday = 0; 2000-01-01 (day 0) was a Saturday
  switch (f) {
    case 'microseconds':
      return time % USECS_PER_MINUTE;
    case 'milliseconds':
      return (time % USECS_PER_MINUTE) / 1000;
    case 'second':
      return (time % USECS_PER_MINUTE) / USECS_PER_SEC;
    case 'minute':
      return Math.floor((time % USECS_PER_HOUR) / USECS_PER_MINUTE);
    case 'hour':
      return Math.floor(time / USECS_PER_HOUR);
    case 'day':
      return d;
    case 'month':
      return m;
    case 'quarter':
      return Math.floor((m - 1) / 3) + 1;
    case 'year':
      return y > 0 ? y : y - 1;
    case 'decade':
      return Math.floor(y / 10);
    case 'century':
      return y > 0 ? Math.floor((y + 99) / 100) : -Math.floor((99 - (y - 1)) / 100);
    case 'millennium':
      return y > 0 ? Math.floor((y + 999) / 1000) : -Math.floor((999 - (y - 1)) / 1000);
    case 'dow':
      return dow;
    case 'isodow':
      return dow || 7;
    case 'doy':
      return day - daysFromCivil(y, 1, 1) + 1;
    case 'epoch':
      return ts / USECS_PER_SEC + 946684800;
    case 'julian':
      return day + 2451545 + time / USECS_PER_DAY;
    case 'week': {
      // ISO week: the week containing the year's first Thursday is week 1.
      const isoDow = dow || 7;
      const thursday = day - isoDow + 4;
      const ty = civilFromDays(thursday).y;
      return Math.floor((thursday - daysFromCivil(ty, 1, 1)) / 7) + 1;
    }
    case 'isoyear': {
      const isoDow = dow || 7;
      return civilFromDays(day - isoDow + 4).y;
    }
    default:
      throw new SqlError(SqlState.FeatureNotSupported, `unit "${field}" not supported for type ${typeName}`);
  }
}
