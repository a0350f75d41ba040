/**
 * Date/time arithmetic operators: date ± integer, date - date (integer days), date/time/
 * timestamp(tz) ± interval, timestamp differences, date + time, interval arithmetic and
 * scaling. Results and overflow messages follow PostgreSQL's date.c/timestamp.c.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { divisionByZero } from './arith.ts';
import { timestampDiff, timestampPlusInterval, timestamptzPlusInterval } from './datetime-math.ts';
import { Interval, USECS_PER_DAY } from './interval.ts';
import { registerOperator } from './registry.ts';
import type { OperatorDef } from './registry-types.ts';
import { T } from './type.ts';

const op = (def: OperatorDef) => registerOperator(def);

function dateAdd(d: number, n: number): number {
  if (!Number.isFinite(d)) return d;
  const r = d + n;
  // PostgreSQL's date range ends at 5874897-12-31.
  if (r < -2451545 || r > 2145031948) throw new SqlError(SqlState.DatetimeFieldOverflow, 'date out of range');
  return r;
}

op({
  name: '+',
  left: 'date',
  right: 'int4',
  result: T.date,
  fn: (a, b) => dateAdd(a as number, b as number),
});
op({
  name: '+',
  left: 'int4',
  right: 'date',
  result: T.date,
  fn: (a, b) => dateAdd(b as number, a as number),
});
op({
  name: '-',
  left: 'date',
  right: 'int4',
  result: T.date,
  fn: (a, b) => dateAdd(a as number, -(b as number)),
});
op({
  name: '-',
  left: 'date',
  right: 'date',
  result: T.int4,
  fn: (a, b) => {
    if (!Number.isFinite(a as number) || !Number.isFinite(b as number)) {
      throw new SqlError(SqlState.DatetimeFieldOverflow, 'cannot subtract infinite dates');
    }
    return (a as number) - (b as number);
  },
});

const dateTs = (d: number) => d * USECS_PER_DAY;
op({
  name: '+',
  left: 'date',
  right: 'interval',
  result: T.timestamp,
  fn: (a, b) => timestampPlusInterval(dateTs(a as number), b as Interval),
});
op({
  name: '+',
  left: 'interval',
  right: 'date',
  result: T.timestamp,
  fn: (a, b) => timestampPlusInterval(dateTs(b as number), a as Interval),
});
op({
  name: '-',
  left: 'date',
  right: 'interval',
  result: T.timestamp,
  fn: (a, b) => timestampPlusInterval(dateTs(a as number), (b as Interval).neg()),
});
op({
  name: '+',
  left: 'date',
  right: 'time',
  result: T.timestamp,
  fn: (a, b) => dateTs(a as number) + (b as number),
});
op({
  name: '+',
  left: 'time',
  right: 'date',
  result: T.timestamp,
  fn: (a, b) => dateTs(b as number) + (a as number),
});

op({
  name: '+',
  left: 'timestamp',
  right: 'interval',
  result: T.timestamp,
  fn: (a, b) => timestampPlusInterval(a as number, b as Interval),
});
op({
  name: '+',
  left: 'interval',
  right: 'timestamp',
  result: T.timestamp,
  fn: (a, b) => timestampPlusInterval(b as number, a as Interval),
});
op({
  name: '-',
  left: 'timestamp',
  right: 'interval',
  result: T.timestamp,
  fn: (a, b) => timestampPlusInterval(a as number, (b as Interval).neg()),
});
op({
  name: '-',
  left: 'timestamp',
  right: 'timestamp',
  result: T.interval,
  fn: (a, b) => timestampDiff(a as number, b as number),
});

op({
  name: '+',
  left: 'timestamptz',
  right: 'interval',
  result: T.timestamptz,
  fn: (a, b, ctx) => timestamptzPlusInterval(a as number, b as Interval, ctx.timeZone),
});
op({
  name: '+',
  left: 'interval',
  right: 'timestamptz',
  result: T.timestamptz,
  fn: (a, b, ctx) => timestamptzPlusInterval(b as number, a as Interval, ctx.timeZone),
});
op({
  name: '-',
  left: 'timestamptz',
  right: 'interval',
  result: T.timestamptz,
  fn: (a, b, ctx) => timestamptzPlusInterval(a as number, (b as Interval).neg(), ctx.timeZone),
});
op({
  name: '-',
  left: 'timestamptz',
  right: 'timestamptz',
  result: T.interval,
  fn: (a, b) => timestampDiff(a as number, b as number),
});

/** time ± interval wraps around midnight (time_pl_interval). */
const wrapTime = (t: number) => ((t % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY;
op({
  name: '+',
  left: 'time',
  right: 'interval',
  result: T.time,
  fn: (a, b) => wrapTime((a as number) + (b as Interval).micros),
});
op({
  name: '-',
  left: 'time',
  right: 'interval',
  result: T.time,
  fn: (a, b) => wrapTime((a as number) - (b as Interval).micros),
});
op({
  name: '-',
  left: 'time',
  right: 'time',
  result: T.interval,
  fn: (a, b) => new Interval(0, 0, (a as number) - (b as number)),
});

op({
  name: '+',
  left: 'interval',
  right: 'interval',
  result: T.interval,
  fn: (a, b) => (a as Interval).add(b as Interval),
});
op({
  name: '-',
  left: 'interval',
  right: 'interval',
  result: T.interval,
  fn: (a, b) => (a as Interval).sub(b as Interval),
});
op({ name: '-', left: null, right: 'interval', result: T.interval, fn: (_a, b) => (b as Interval).neg() });
op({
  name: '*',
  left: 'interval',
  right: 'float8',
  result: T.interval,
  fn: (a, b) => (a as Interval).mul(b as number),
});
op({
  name: '*',
  left: 'float8',
  right: 'interval',
  result: T.interval,
  fn: (a, b) => (b as Interval).mul(a as number),
});
op({
  name: '/',
  left: 'interval',
  right: 'float8',
  result: T.interval,
  fn: (a, b) => {
    if (b === 0) throw divisionByZero();
    return (a as Interval).mul(1 / (b as number));
  },
});
