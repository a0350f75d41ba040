/**
 * Built-in aggregates: count, sum, avg, min/max, bool_and/bool_or/every, string_agg,
 * array_agg, json_agg/jsonb_agg, and the variance family. Result types follow pg_aggregate
 * (sum(int4) → bigint, sum(int8) → numeric, avg(int) → numeric with select_div_scale
 * digits, avg(float) → double precision); empty input gives NULL except for count.
 */
import { ArrayValue } from './array.ts';
import { checkInt } from './casts.ts';
import { compareValues } from './compare.ts';
import { toJsonText } from './functions-json.ts';
import { Interval } from './interval.ts';
import { jsonbIn } from './json.ts';
import { Numeric } from './numeric.ts';
import { registerAggregate } from './registry.ts';
import type { AggregateDef, EvalContext } from './registry-types.ts';
import { arrayOf, type BaseTypeName, type SqlType, sqlType, T, type Value } from './type.ts';

const agg = (d: AggregateDef) => registerAggregate(d);

interface Acc<S> {
  v: S | null;
  n: number;
}

// count(*) arrives with no arguments; count(x) skips NULLs (strict).
agg({
  name: 'count',
  args: [],
  result: T.int8,
  init: () => ({ n: 0n }),
  step: (s) => ((s as { n: bigint }).n++, s),
  final: (s) => (s as { n: bigint }).n,
});
agg({
  name: 'count',
  args: ['any'],
  result: T.int8,
  init: () => ({ n: 0n }),
  step: (s) => ((s as { n: bigint }).n++, s),
  final: (s) => (s as { n: bigint }).n,
});

const toNumeric = (v: Value): Numeric => (v instanceof Numeric ? v : Numeric.fromInt(v as number | bigint));

/** sum over integers accumulates exactly, then range-checks for the int8 result. */
for (const t of ['int2', 'int4'] as const) {
  agg({
    name: 'sum',
    args: [t],
    result: T.int8,
    init: () => ({ v: 0n, n: 0 }),
    step: (s, [x]) => {
      const a = s as Acc<bigint>;
      a.v = (a.v ?? 0n) + BigInt(x as number);
      a.n++;
      return a;
    },
    final: (s) => ((s as Acc<bigint>).n ? checkInt((s as Acc<bigint>).v!, 'int8') : null),
  });
}
for (const [t, result] of [
  ['int8', T.numeric],
  ['numeric', T.numeric],
] as const) {
  agg({
    name: 'sum',
    args: [t],
    result,
    init: () => ({ v: Numeric.ZERO, n: 0 }),
    step: (s, [x]) => {
      const a = s as Acc<Numeric>;
      a.v = a.v!.add(toNumeric(x));
      a.n++;
      return a;
    },
    final: (s) => ((s as Acc<Numeric>).n ? (s as Acc<Numeric>).v : null),
  });
}
for (const t of ['float4', 'float8'] as const) {
  agg({
    name: 'sum',
    args: [t],
    result: T[t],
    init: () => ({ v: 0, n: 0 }),
    step: (s, [x]) => {
      const a = s as Acc<number>;
      a.v = (a.v ?? 0) + (x as number);
      if (t === 'float4') a.v = Math.fround(a.v);
      a.n++;
      return a;
    },
    final: (s) => ((s as Acc<number>).n ? (s as Acc<number>).v : null),
  });
}
agg({
  name: 'sum',
  args: ['interval'],
  result: T.interval,
  init: () => ({ v: Interval.ZERO, n: 0 }),
  step: (s, [x]) => {
    const a = s as Acc<Interval>;
    a.v = a.v!.add(x as Interval);
    a.n++;
    return a;
  },
  final: (s) => ((s as Acc<Interval>).n ? (s as Acc<Interval>).v : null),
});

for (const t of ['int2', 'int4', 'int8', 'numeric'] as const) {
  agg({
    name: 'avg',
    args: [t],
    result: T.numeric,
    init: () => ({ v: Numeric.ZERO, n: 0 }),
    step: (s, [x]) => {
      const a = s as Acc<Numeric>;
      a.v = a.v!.add(toNumeric(x));
      a.n++;
      return a;
    },
    final: (s) => {
      const a = s as Acc<Numeric>;
      return a.n ? a.v!.div(Numeric.fromInt(a.n)) : null;
    },
  });
}
for (const t of ['float4', 'float8'] as const) {
  agg({
    name: 'avg',
    args: [t],
    result: T.float8,
    init: () => ({ v: 0, n: 0 }),
    step: (s, [x]) => {
      const a = s as Acc<number>;
      a.v = (a.v ?? 0) + (x as number);
      a.n++;
      return a;
    },
    final: (s) => ((s as Acc<number>).n ? (s as Acc<number>).v! / (s as Acc<number>).n : null),
  });
}
agg({
  name: 'avg',
  args: ['interval'],
  result: T.interval,
  init: () => ({ v: Interval.ZERO, n: 0 }),
  step: (s, [x]) => {
    const a = s as Acc<Interval>;
    a.v = a.v!.add(x as Interval);
    a.n++;
    return a;
  },
  final: (s) => ((s as Acc<Interval>).n ? (s as Acc<Interval>).v!.mul(1 / (s as Acc<Interval>).n) : null),
});

const MINMAX_TYPES: BaseTypeName[] = [
  'int2',
  'int4',
  'int8',
  'float4',
  'float8',
  'numeric',
  'text',
  'bpchar',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'interval',
  'oid',
  'bool',
  'bytea',
  'uuid',
  'jsonb',
  'name',
  'char',
];
function minMax(name: 'min' | 'max', arg: SqlType): void {
  const sign = name === 'min' ? -1 : 1;
  agg({
    name,
    args: [arg],
    result: (types) => types[0],
    init: (types) => ({ v: null, n: 0, t: types[0] }),
    step: (s, [x]) => {
      const a = s as Acc<Value> & { t: SqlType };
      if (a.n === 0 || compareValues(a.t, x, a.v) * sign > 0) a.v = x;
      a.n++;
      return a;
    },
    final: (s) => (s as Acc<Value>).v,
  });
}
for (const t of MINMAX_TYPES) {
  minMax('min', sqlType(t));
  minMax('max', sqlType(t));
}
minMax('min', sqlType('anyarray'));
minMax('max', sqlType('anyarray'));

for (const [name, isAnd] of [
  ['bool_and', true],
  ['every', true],
  ['bool_or', false],
] as const) {
  agg({
    name,
    args: ['bool'],
    result: T.bool,
    init: () => ({ v: null, n: 0 }),
    step: (s, [x]) => {
      const a = s as Acc<boolean>;
      a.v = a.n === 0 ? (x as boolean) : isAnd ? a.v! && (x as boolean) : a.v! || (x as boolean);
      a.n++;
      return a;
    },
    final: (s) => (s as Acc<boolean>).v,
  });
}

// string_agg skips NULL values; the delimiter before the first value is dropped.
agg({
  name: 'string_agg',
  args: ['text', 'text'],
  result: T.text,
  strict: false,
  init: () => ({ v: null, n: 0 }),
  step: (s, [x, d]) => {
    const a = s as Acc<string>;
    if (x === null) return a;
    a.v = a.n === 0 ? (x as string) : a.v! + ((d as string | null) ?? '') + (x as string);
    a.n++;
    return a;
  },
  final: (s) => (s as Acc<string>).v,
});
agg({
  name: 'string_agg',
  args: ['bytea', 'bytea'],
  result: T.bytea,
  strict: false,
  init: () => ({ v: [] as number[], n: 0 }),
  step: (s, [x, d]) => {
    const a = s as Acc<number[]>;
    if (x === null) return a;
    if (a.n > 0 && d !== null) a.v!.push(...(d as Uint8Array));
    a.v!.push(...(x as Uint8Array));
    a.n++;
    return a;
  },
  final: (s) => ((s as Acc<number[]>).n ? new Uint8Array((s as Acc<number[]>).v!) : null),
});

// array_agg and json_agg keep NULL inputs.
agg({
  name: 'array_agg',
  args: ['anynonarray'],
  result: (types) => arrayOf(types[0]),
  strict: false,
  init: () => ({ v: [] as Value[], n: 0 }),
  step: (s, [x]) => {
    (s as Acc<Value[]>).v!.push(x);
    (s as Acc<Value[]>).n++;
    return s;
  },
  final: (s) => ((s as Acc<Value[]>).n ? ArrayValue.of((s as Acc<Value[]>).v!) : null),
});

for (const [name, result] of [
  ['json_agg', T.json],
  ['jsonb_agg', T.jsonb],
] as const) {
  agg({
    name,
    args: ['anyelement'],
    result,
    strict: false,
    init: (types) => ({ v: [] as string[], n: 0, t: types[0] }),
    step: (s, [x], ctx: EvalContext) => {
      const a = s as Acc<string[]> & { t: SqlType };
      a.v!.push(toJsonText(x, a.t, ctx));
      a.n++;
      return a;
    },
    final: (s) => {
      const a = s as Acc<string[]>;
      if (!a.n) return null;
      const text = `[${a.v!.join(', ')}]`;
      return name === 'jsonb_agg' ? jsonbIn(text) : text;
    },
  });
}
