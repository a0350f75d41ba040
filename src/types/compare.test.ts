import { describe, expect, it } from 'vitest';
import { compareValues, hashKey, valuesEqual } from './compare.ts';
import { ctx } from './test-helpers.ts';
import { arrayOf, type SqlType, T } from './type.ts';
import { textIn } from './value-io.ts';

const v = (t: SqlType, s: string) => textIn(t, s, ctx);
const sorted = (t: SqlType, xs: string[]) =>
  xs
    .map((s) => v(t, s))
    .sort((a, b) => compareValues(t, a, b))
    .map((x) => String(x instanceof Object ? x.toString() : x));

describe('compareValues', () => {
  it('orders like PostgreSQL btree opclasses', () => {
    expect(sorted(T.float8, ['NaN', '1', '-Infinity', 'Infinity', '-0'])).toEqual([
      '-Infinity',
      '0',
      '1',
      'Infinity',
      'NaN',
    ]);
    expect(sorted(T.numeric, ['NaN', '1.50', '-1', 'Infinity'])).toEqual(['-1', '1.50', 'Infinity', 'NaN']);
    expect(sorted(T.text, ['b', 'B', 'a', 'é', ''])).toEqual(['', 'B', 'a', 'b', 'é']);
    expect(sorted(T.int8, ['3', '-9223372036854775808', '10'])).toEqual(['-9223372036854775808', '3', '10']);
  });

  it('compares bpchar without trailing blanks, intervals by span, arrays element-wise', () => {
    expect(valuesEqual(T.bpchar, 'ab  ', 'ab')).toBe(true);
    expect(valuesEqual(T.interval, v(T.interval, '1 mon'), v(T.interval, '30 days'))).toBe(true);
    const a = arrayOf(T.int4);
    expect(compareValues(a, v(a, '{1,2}'), v(a, '{1,3}'))).toBe(-1);
    expect(compareValues(a, v(a, '{1,2}'), v(a, '{1,2,0}'))).toBe(-1);
    expect(compareValues(a, v(a, '{1,NULL}'), v(a, '{1,2}'))).toBe(1);
    expect(compareValues(T.jsonb, v(T.jsonb, '{"a":1}'), v(T.jsonb, '[1,2,3]'))).toBe(1);
  });
});

describe('hashKey', () => {
  it('is equal for equal values', () => {
    expect(hashKey(T.numeric, v(T.numeric, '1.50'))).toBe(hashKey(T.numeric, v(T.numeric, '1.5')));
    expect(hashKey(T.float8, -0)).toBe(hashKey(T.float8, 0));
    expect(hashKey(T.bpchar, 'x  ')).toBe(hashKey(T.bpchar, 'x'));
    expect(hashKey(T.interval, v(T.interval, '1 day'))).toBe(hashKey(T.interval, v(T.interval, '24 hours')));
    expect(hashKey(T.bytea, v(T.bytea, '\\x0102'))).toBe('0102');
    expect(hashKey(arrayOf(T.text), v(arrayOf(T.text), '{a,NULL}'))).not.toBe(
      hashKey(arrayOf(T.text), v(arrayOf(T.text), '{a,"NULL"}')),
    );
  });
});

describe('jsonb keys', () => {
  it('hash numerically equal documents alike', () => {
    expect(hashKey(T.jsonb, v(T.jsonb, '{"a": 1.0}'))).toBe(hashKey(T.jsonb, v(T.jsonb, '{"a": 1}')));
    expect(valuesEqual(T.jsonb, v(T.jsonb, '[1.0]'), v(T.jsonb, '[1]'))).toBe(true);
  });
});
