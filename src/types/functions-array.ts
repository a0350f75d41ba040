/**
 * Array functions (array_length, cardinality, array_upper/lower/ndims/dims, array_append/
 * prepend/cat/position/remove, string_to_array, array_to_string) and the set-returning
 * unnest and generate_series (int4, int8, numeric, timestamp, timestamptz). SRFs return a
 * JS array of rows.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { ArrayValue } from './array.ts';
import { compareValues } from './compare.ts';
import { timestampPlusInterval, timestamptzPlusInterval } from './datetime-math.ts';
import { def } from './define.ts';
import { Interval } from './interval.ts';
import { Numeric } from './numeric.ts';
import { arrayAppend, arrayCat, arrayPrepend } from './operators-array.ts';
import { arrayOf, elementOf, sqlType, T, type Value } from './type.ts';
import { textOut } from './value-io.ts';

const ANYARRAY = sqlType('anyarray');
const ANYELEMENT = sqlType('anyelement');
const arr = (v: Value) => v as ArrayValue;

/** Dimension `d` (1-based) exists? PostgreSQL returns NULL otherwise. */
const dimOk = (a: ArrayValue, d: number) => d >= 1 && d <= a.ndim;

def('array_length', [ANYARRAY, 'int4'], T.int4, ([a, d]) =>
  dimOk(arr(a), d as number) ? arr(a).dims[(d as number) - 1] : null,
);
def('array_lower', [ANYARRAY, 'int4'], T.int4, ([a, d]) =>
  dimOk(arr(a), d as number) ? arr(a).lbounds[(d as number) - 1] : null,
);
def('array_upper', [ANYARRAY, 'int4'], T.int4, ([a, d]) => {
  const x = arr(a);
  const k = (d as number) - 1;
  return dimOk(x, d as number) ? x.lbounds[k] + x.dims[k] - 1 : null;
});
def('array_ndims', [ANYARRAY], T.int4, ([a]) => (arr(a).ndim ? arr(a).ndim : null));
def('array_dims', [ANYARRAY], T.text, ([a]) => {
  const x = arr(a);
  return x.ndim ? x.dims.map((n, k) => `[${x.lbounds[k]}:${x.lbounds[k] + n - 1}]`).join('') : null;
});
def('cardinality', [ANYARRAY], T.int4, ([a]) => arr(a).elements.length);

def('array_append', [ANYARRAY, ANYELEMENT], ANYARRAY, ([a, v]) => arrayAppend(a as ArrayValue | null, v), {
  strict: false,
});
def('array_prepend', [ANYELEMENT, ANYARRAY], ANYARRAY, ([v, a]) => arrayPrepend(v, a as ArrayValue | null), {
  strict: false,
});
def(
  'array_cat',
  [ANYARRAY, ANYARRAY],
  ANYARRAY,
  ([a, b]) => (a === null ? b : b === null ? a : arrayCat(arr(a), arr(b))),
  {
    strict: false,
  },
);
def(
  'array_position',
  [ANYARRAY, ANYELEMENT],
  T.int4,
  ([a, v], _ctx, types) => {
    if (a === null) return null;
    const x = arr(a);
    if (x.ndim > 1)
      throw new SqlError(
        SqlState.FeatureNotSupported,
        'searching for elements in multidimensional arrays is not supported',
      );
    const elem = elementOf(types[0]);
    const i = x.elements.findIndex((e) =>
      v === null ? e === null : e !== null && compareValues(elem, e, v) === 0,
    );
    return i < 0 ? null : i + (x.lbounds[0] ?? 1);
  },
  { strict: false },
);
def(
  'array_remove',
  [ANYARRAY, ANYELEMENT],
  ANYARRAY,
  ([a, v], _ctx, types) => {
    if (a === null) return null;
    const x = arr(a);
    if (x.ndim > 1)
      throw new SqlError(
        SqlState.FeatureNotSupported,
        'removing elements from multidimensional arrays is not supported',
      );
    const elem = elementOf(types[0]);
    return ArrayValue.of(
      x.elements.filter((e) => (v === null ? e !== null : e === null || compareValues(elem, e, v) !== 0)),
    );
  },
  { strict: false },
);

/** string_to_array: NULL delimiter splits into characters, '' keeps the whole string. */
function stringToArray(s: Value, delim: Value, nullStr: Value): Value {
  if (s === null) return null;
  const text = s as string;
  if (text === '') return ArrayValue.EMPTY;
  const parts = delim === null ? [...text] : delim === '' ? [text] : text.split(delim as string);
  return ArrayValue.of(parts.map((p) => (nullStr !== null && p === nullStr ? null : p)));
}
def('string_to_array', ['text', 'text'], arrayOf(T.text), ([s, d]) => stringToArray(s, d, null), {
  strict: false,
});
def('string_to_array', ['text', 'text', 'text'], arrayOf(T.text), ([s, d, n]) => stringToArray(s, d, n), {
  strict: false,
});

function arrayToString(
  a: ArrayValue,
  sep: string,
  nullStr: string | null,
  elemType: Parameters<typeof textOut>[0],
  ctx: Parameters<typeof textOut>[2],
): string {
  const parts: string[] = [];
  for (const e of a.elements) {
    if (e === null) {
      if (nullStr !== null) parts.push(nullStr);
    } else parts.push(textOut(elemType, e, ctx));
  }
  return parts.join(sep);
}
def('array_to_string', [ANYARRAY, 'text'], T.text, ([a, s], ctx, types) =>
  arrayToString(arr(a), s as string, null, elementOf(types[0]), ctx),
);
def(
  'array_to_string',
  [ANYARRAY, 'text', 'text'],
  T.text,
  ([a, s, n], ctx, types) =>
    a === null || s === null
      ? null
      : arrayToString(arr(a), s as string, n as string | null, elementOf(types[0]), ctx),
  { strict: false },
);

def('unnest', [ANYARRAY], ANYELEMENT, ([a]) => [...arr(a).elements], { returnsSet: true });

const zeroStep = () => new SqlError(SqlState.InvalidParameterValue, 'step size cannot equal zero');

function seriesInt(start: bigint, stop: bigint, step: bigint): bigint[] {
  if (step === 0n) throw zeroStep();
  const out: bigint[] = [];
  for (let v = start; step > 0n ? v <= stop : v >= stop; v += step) out.push(v);
  return out;
}
def(
  'generate_series',
  ['int4', 'int4'],
  T.int4,
  ([a, b]) => seriesInt(BigInt(a as number), BigInt(b as number), 1n).map(Number),
  { returnsSet: true },
);
def(
  'generate_series',
  ['int4', 'int4', 'int4'],
  T.int4,
  ([a, b, s]) => seriesInt(BigInt(a as number), BigInt(b as number), BigInt(s as number)).map(Number),
  {
    returnsSet: true,
  },
);
def('generate_series', ['int8', 'int8'], T.int8, ([a, b]) => seriesInt(a as bigint, b as bigint, 1n), {
  returnsSet: true,
});
def(
  'generate_series',
  ['int8', 'int8', 'int8'],
  T.int8,
  ([a, b, s]) => seriesInt(a as bigint, b as bigint, s as bigint),
  { returnsSet: true },
);

function seriesNumeric(start: Numeric, stop: Numeric, step: Numeric): Numeric[] {
  for (const [v, what] of [
    [start, 'start'],
    [stop, 'stop'],
    [step, 'step size'],
  ] as const) {
    if (v.isNaN) throw new SqlError(SqlState.InvalidParameterValue, `${what} value cannot be NaN`);
    if (!v.isFinite && what !== 'step size')
      throw new SqlError(SqlState.InvalidParameterValue, `${what} value cannot be infinity`);
  }
  if (step.sign() === 0) throw zeroStep();
  const out: Numeric[] = [];
  for (let v = start; step.sign() > 0 ? v.cmp(stop) <= 0 : v.cmp(stop) >= 0; v = v.add(step)) out.push(v);
  return out;
}
def(
  'generate_series',
  ['numeric', 'numeric'],
  T.numeric,
  ([a, b]) => seriesNumeric(a as Numeric, b as Numeric, Numeric.fromInt(1)),
  {
    returnsSet: true,
  },
);
def(
  'generate_series',
  ['numeric', 'numeric', 'numeric'],
  T.numeric,
  ([a, b, s]) => seriesNumeric(a as Numeric, b as Numeric, s as Numeric),
  {
    returnsSet: true,
  },
);

function seriesTime(
  start: number,
  stop: number,
  step: Interval,
  add: (t: number, iv: Interval) => number,
): number[] {
  const dir = step.cmp(Interval.ZERO);
  if (dir === 0) throw zeroStep();
  const out: number[] = [];
  for (let v = start; dir > 0 ? v <= stop : v >= stop; v = add(v, step)) out.push(v);
  return out;
}
def(
  'generate_series',
  ['timestamp', 'timestamp', 'interval'],
  T.timestamp,
  ([a, b, s]) => seriesTime(a as number, b as number, s as Interval, timestampPlusInterval),
  { returnsSet: true },
);
def(
  'generate_series',
  ['timestamptz', 'timestamptz', 'interval'],
  T.timestamptz,
  ([a, b, s], ctx) =>
    seriesTime(a as number, b as number, s as Interval, (t, iv) =>
      timestamptzPlusInterval(t, iv, ctx.timeZone),
    ),
  { returnsSet: true },
);
def(
  'generate_subscripts',
  [ANYARRAY, 'int4'],
  T.int4,
  ([a, d]) => {
    const x = arr(a);
    const k = (d as number) - 1;
    if (!dimOk(x, d as number)) return [];
    return Array.from({ length: x.dims[k] }, (_v, i) => x.lbounds[k] + i);
  },
  { returnsSet: true },
);
