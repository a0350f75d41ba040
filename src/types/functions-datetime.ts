/**
 * Date/time functions: now() and friends (now/current_timestamp = transaction start,
 * statement_timestamp, clock_timestamp), date_trunc, extract (numeric, PostgreSQL 14+)
 * and date_part (float8), age, to_timestamp, make_date, timezone() (AT TIME ZONE).
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { daysFromCivil, daysInMonth } from './datetime.ts';
import { age, extractLocal, normalizeUnit, truncLocal } from './datetime-math.ts';
import { def, defAll } from './define.ts';
import { nowMicros } from './eval-context.ts';
import { Interval, USECS_PER_DAY, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC } from './interval.ts';
import { Numeric } from './numeric.ts';
import type { EvalContext } from './registry-types.ts';
import { checkTimeZone, localToUtc, zoneOffsetAt } from './time-zone.ts';
import { T, type Value } from './type.ts';

const num = (v: Value) => v as number;
const local = (ts: number, zone: string) => (Number.isFinite(ts) ? ts + zoneOffsetAt(ts, zone) * 1e6 : ts);

defAll(
  ['now', 'current_timestamp', 'transaction_timestamp'],
  [],
  T.timestamptz,
  (_a, ctx) => ctx.transactionTimestamp,
);
def('statement_timestamp', [], T.timestamptz, (_a, ctx) => ctx.statementTimestamp);
def('clock_timestamp', [], T.timestamptz, () => nowMicros(), { volatile: true });
def('localtimestamp', [], T.timestamp, (_a, ctx) => local(ctx.transactionTimestamp, ctx.timeZone));
def('current_date', [], T.date, (_a, ctx) =>
  Math.floor(local(ctx.transactionTimestamp, ctx.timeZone) / USECS_PER_DAY),
);
def('localtime', [], T.time, (_a, ctx) => {
  const l = local(ctx.transactionTimestamp, ctx.timeZone);
  return l - Math.floor(l / USECS_PER_DAY) * USECS_PER_DAY;
});

def('date_trunc', ['text', 'timestamp'], T.timestamp, ([u, ts]) =>
  truncLocal(u as string, num(ts), 'timestamp without time zone'),
);
def('date_trunc', ['text', 'timestamptz'], T.timestamptz, ([u, ts], ctx) =>
  truncTz(u as string, num(ts), ctx.timeZone),
);
def('date_trunc', ['text', 'timestamptz', 'text'], T.timestamptz, ([u, ts, z]) => {
  checkTimeZone(z as string);
  return truncTz(u as string, num(ts), z as string);
});
def('date_trunc', ['text', 'interval'], T.interval, ([u, v]) => {
  const iv = v as Interval;
  const unit = normalizeUnit(u as string);
  const m = iv.months;
  switch (unit) {
    case 'year':
      return new Interval(Math.trunc(m / 12) * 12, 0, 0);
    case 'quarter':
      return new Interval(Math.trunc(m / 3) * 3, 0, 0);
    case 'month':
      return new Interval(m, 0, 0);
    case 'day':
      return new Interval(m, iv.days, 0);
    case 'hour':
      return new Interval(m, iv.days, Math.trunc(iv.micros / USECS_PER_HOUR) * USECS_PER_HOUR);
    case 'minute':
      return new Interval(m, iv.days, Math.trunc(iv.micros / USECS_PER_MINUTE) * USECS_PER_MINUTE);
    case 'second':
      return new Interval(m, iv.days, Math.trunc(iv.micros / USECS_PER_SEC) * USECS_PER_SEC);
    case 'milliseconds':
      return new Interval(m, iv.days, Math.trunc(iv.micros / 1000) * 1000);
    case 'microseconds':
      return iv;
    default:
      throw new SqlError(SqlState.FeatureNotSupported, `unit "${u}" not supported for type interval`);
  }
});

/** Truncation of a timestamptz happens in local time, then converts back (DST-aware). */
function truncTz(unit: string, ts: number, zone: string): number {
  const u = normalizeUnit(unit);
  const l = truncLocal(unit, local(ts, zone), 'timestamp with time zone');
  // Units below a day are exact in UTC too; larger ones are local midnights.
  return ['microseconds', 'milliseconds', 'second', 'minute'].includes(u)
    ? ts - (local(ts, zone) - l)
    : localToUtc(l, zone);
}

/** extract() results are numeric: fractional fields carry 6 (ms: 3) decimals. */
function extractNumeric(field: string, ts: number, typeName: string): Numeric {
  const f = normalizeUnit(field);
  if (!Number.isFinite(ts)) return ts > 0 ? Numeric.Infinity : Numeric.NegInfinity;
  const time = ts - Math.floor(ts / USECS_PER_DAY) * USECS_PER_DAY;
  if (f === 'second') return Numeric.of(BigInt(time % USECS_PER_MINUTE), 6);
  if (f === 'milliseconds') return Numeric.of(BigInt(time % USECS_PER_MINUTE), 3);
  if (f === 'epoch') return Numeric.of(BigInt(ts) + 946684800000000n, 6);
  return Numeric.parse(String(extractLocal(f, ts, typeName)));
}

const DATE_FIELDS = [
  'day',
  'month',
  'quarter',
  'year',
  'decade',
  'century',
  'millennium',
  'dow',
  'isodow',
  'doy',
  'week',
  'isoyear',
  'julian',
  'epoch',
];
function dateField(field: string): string {
  const f = normalizeUnit(field);
  if (!DATE_FIELDS.includes(f))
    throw new SqlError(SqlState.FeatureNotSupported, `unit "${field}" not supported for type date`);
  return f;
}

function intervalField(field: string, iv: Interval): Numeric {
  const f = normalizeUnit(field);
  const us = iv.micros;
  switch (f) {
    case 'epoch': {
      // A year counts 365.25 days and a month 30 days here (DAYS_PER_YEAR, DAYS_PER_MONTH).
      const years = Math.trunc(iv.months / 12);
      const secs =
        BigInt(Math.round(years * 365.25 * 86400)) * 1000000n +
        BigInt((iv.months % 12) * 30 + iv.days) * BigInt(USECS_PER_DAY) +
        BigInt(us);
      return Numeric.of(secs, 6);
    }
    case 'year':
      return Numeric.fromInt(Math.trunc(iv.months / 12));
    case 'month':
      return Numeric.fromInt(iv.months % 12);
    case 'day':
      return Numeric.fromInt(iv.days);
    case 'hour':
      return Numeric.fromInt(Math.trunc(us / USECS_PER_HOUR));
    case 'minute':
      return Numeric.fromInt(Math.trunc((us % USECS_PER_HOUR) / USECS_PER_MINUTE));
    case 'second':
      return Numeric.of(BigInt(us % USECS_PER_MINUTE), 6);
    case 'milliseconds':
      return Numeric.of(BigInt(us % USECS_PER_MINUTE), 3);
    case 'microseconds':
      return Numeric.fromInt(us % USECS_PER_MINUTE);
    default:
      throw new SqlError(SqlState.FeatureNotSupported, `unit "${field}" not supported for type interval`);
  }
}

const tsTypes = [
  ['timestamp', 'timestamp without time zone', (ts: number, _c: EvalContext) => ts],
  ['timestamptz', 'timestamp with time zone', (ts: number, c: EvalContext) => local(ts, c.timeZone)],
] as const;
for (const [type, display, toLocal] of tsTypes) {
  def('extract', ['text', type], T.numeric, ([f, ts], ctx) => {
    const fld = normalizeUnit(f as string);
    // epoch is absolute for timestamptz and local for timestamp.
    return extractNumeric(fld, fld === 'epoch' ? num(ts) : toLocal(num(ts), ctx), display);
  });
  def('date_part', ['text', type], T.float8, ([f, ts], ctx) => {
    const fld = normalizeUnit(f as string);
    return extractNumeric(fld, fld === 'epoch' ? num(ts) : toLocal(num(ts), ctx), display).toNumber();
  });
}
def('extract', ['text', 'date'], T.numeric, ([f, d]) => {
  const fld = dateField(f as string);
  if (fld === 'epoch') return Numeric.fromInt(num(d) * 86400 + 946684800);
  return Numeric.parse(String(extractLocal(fld, num(d) * USECS_PER_DAY, 'date')));
});
def('date_part', ['text', 'date'], T.float8, ([f, d]) => {
  const fld = dateField(f as string);
  if (fld === 'epoch') return num(d) * 86400 + 946684800;
  return extractLocal(fld, num(d) * USECS_PER_DAY, 'date');
});
def('extract', ['text', 'time'], T.numeric, ([f, t]) =>
  extractNumeric(f as string, num(t), 'time without time zone'),
);
def('extract', ['text', 'interval'], T.numeric, ([f, v]) => intervalField(f as string, v as Interval));
def('date_part', ['text', 'interval'], T.float8, ([f, v]) =>
  intervalField(f as string, v as Interval).toNumber(),
);
def('date_part', ['text', 'time'], T.float8, ([f, t]) =>
  extractNumeric(f as string, num(t), 'time without time zone').toNumber(),
);

def('age', ['timestamp', 'timestamp'], T.interval, ([a, b]) => age(num(a), num(b)));
def('age', ['timestamptz', 'timestamptz'], T.interval, ([a, b], ctx) =>
  age(local(num(a), ctx.timeZone), local(num(b), ctx.timeZone)),
);
def('age', ['timestamp'], T.interval, ([a], ctx) => {
  const today = Math.floor(local(ctx.transactionTimestamp, ctx.timeZone) / USECS_PER_DAY) * USECS_PER_DAY;
  return age(today, num(a));
});

def('to_timestamp', ['float8'], T.timestamptz, ([s]) => {
  const v = num(s);
  if (Number.isNaN(v)) throw new SqlError(SqlState.DatetimeFieldOverflow, 'timestamp cannot be NaN');
  if (!Number.isFinite(v)) return v;
  return Math.round((v - 946684800) * 1e6);
});

def('make_date', ['int4', 'int4', 'int4'], T.date, ([y, m, d]) => {
  const [yy, mm, dd] = [num(y), num(m), num(d)];
  if (yy === 0 || mm < 1 || mm > 12 || dd < 1 || dd > daysInMonth(yy < 0 ? yy + 1 : yy, mm)) {
    throw new SqlError(
      SqlState.DatetimeFieldOverflow,
      `date field value out of range: ${yy}-${String(mm).padStart(2, '0')}-${String(dd).padStart(2, '0')}`,
    );
  }
  return daysFromCivil(yy < 0 ? yy + 1 : yy, mm, dd);
});

// AT TIME ZONE: timestamptz → local timestamp in zone, timestamp (read in zone) → timestamptz.
def('timezone', ['text', 'timestamptz'], T.timestamp, ([z, ts]) => {
  checkTimeZone(z as string);
  return local(num(ts), z as string);
});
def('timezone', ['text', 'timestamp'], T.timestamptz, ([z, ts]) => {
  checkTimeZone(z as string);
  return localToUtc(num(ts), z as string);
});
def('isfinite', ['timestamp'], T.bool, ([ts]) => Number.isFinite(num(ts)));
def('isfinite', ['date'], T.bool, ([d]) => Number.isFinite(num(d)));
def('justify_hours', ['interval'], T.interval, ([v]) => {
  const iv = v as Interval;
  const days = Math.trunc(iv.micros / USECS_PER_DAY);
  return new Interval(iv.months, iv.days + days, iv.micros - days * USECS_PER_DAY);
});
def('justify_days', ['interval'], T.interval, ([v]) => {
  const iv = v as Interval;
  const months = Math.trunc(iv.days / 30);
  return new Interval(iv.months + months, iv.days - months * 30, iv.micros);
});
