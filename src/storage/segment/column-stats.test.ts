import { describe, expect, it } from 'vitest';
import '../../types/index.ts';
import { Interval } from '../../types/interval.ts';
import { ctx } from '../../types/test-helpers.ts';
import { arrayOf, type SqlType, T, type Value } from '../../types/type.ts';
import { textIn, textOut } from '../../types/value-io.ts';
import { computeStats, decodeBound, encodeBound, hasMinMax } from './column-stats.ts';

const stats = (type: SqlType, texts: (string | null)[]) => {
  const s = computeStats(
    type,
    texts.map((t) => (t === null ? null : textIn(type, t, ctx))),
  );
  const show = (v: Value | null) => (v === null ? null : textOut(type, v, ctx));
  return { nullCount: s.nullCount, min: show(s.min), max: show(s.max) };
};

describe('column stats', () => {
  it.each([
    [T.int4, ['5', null, '-3', '12'], 1, '-3', '12'],
    [T.int8, ['9223372036854775807', '-1'], 0, '-1', '9223372036854775807'],
    [T.float8, ['1.5', 'NaN', '-Infinity'], 0, '-Infinity', 'NaN'],
    [T.numeric, ['10.5', '9.99', '-0.001'], 0, '-0.001', '10.5'],
    [T.text, ['b', 'a', 'é', 'Z'], 0, 'Z', 'é'],
    [T.bool, ['t', 'f', null], 1, 'f', 't'],
    [T.date, ['2024-01-01', '1999-12-31', 'infinity'], 0, '1999-12-31', 'infinity'],
    [
      T.timestamptz,
      ['2024-01-01 00:00:00+00', '2023-06-01 12:00:00+00'],
      0,
      '2023-06-01 12:00:00+00',
      '2024-01-01 00:00:00+00',
    ],
    [T.interval, ['1 day', '25 hours', '2 mons'], 0, '1 day', '2 mons'],
    [
      T.uuid,
      ['b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
      0,
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    ],
  ] as const)('%o', (type, texts, nullCount, min, max) => {
    expect(stats(type, [...texts])).toEqual({ nullCount, min, max });
  });

  it('keeps only NULL counts for unordered types and all-NULL columns', () => {
    expect(hasMinMax(T.vector)).toBe(false);
    expect(hasMinMax(T.jsonb)).toBe(false);
    expect(hasMinMax(arrayOf(T.int4))).toBe(false);
    expect(stats(T.jsonb, ['1', null])).toEqual({ nullCount: 1, min: null, max: null });
    expect(stats(T.int4, [null, null])).toEqual({ nullCount: 2, min: null, max: null });
  });

  it('bounds round-trip through the footer form; oversized ones are dropped', () => {
    const iv = new Interval(1, 2, 3);
    expect(textOut(T.interval, decodeBound(T.interval, encodeBound(T.interval, iv)), ctx)).toBe(
      textOut(T.interval, iv, ctx),
    );
    expect(encodeBound(T.text, 'x'.repeat(2000))).toBeNull();
    expect(decodeBound(T.text, null)).toBeNull();
  });
});
