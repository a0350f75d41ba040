import { describe, expect, it } from 'vitest';
import { type Arg, ctx, err, op } from './test-helpers.ts';
import { arrayOf, T } from './type.ts';

const i4 = (s: string): Arg => [s, T.int4];
const u = (s: string): Arg => [s, T.unknown];

describe('operators (expected values from PostgreSQL 15)', () => {
  it.each([
    ['/', i4('7'), i4('2'), '3'],
    ['/', i4('-7'), i4('2'), '-3'],
    ['%', i4('-7'), i4('3'), '-1'],
    ['/', ['7', T.float8] as Arg, i4('2'), '3.5'],
    ['+', ['1', T.int2] as Arg, ['1', T.int8] as Arg, '2'],
    ['+', i4('1'), ['1.5', T.numeric] as Arg, '2.5'],
    ['+', u('1'), i4('1'), '2'],
    ['+', ['0.1', T.float4] as Arg, ['0.1', T.float8] as Arg, '0.20000000149011612'],
    ['=', ['0.1', T.float4] as Arg, ['0.1', T.numeric] as Arg, 'f'],
    ['=', i4('5'), ['5', T.int8] as Arg, 't'],
    ['^', ['2', T.float8] as Arg, ['10', T.float8] as Arg, '1024'],
    ['||', u('abc'), i4('1'), 'abc1'],
    ['||', i4('1'), u('abc'), '1abc'],
    ['||', ['x', T.varchar] as Arg, ['y', T.varchar] as Arg, 'xy'],
    ['||', ['abc', T.text] as Arg, ['2024-01-02', T.date] as Arg, 'abc2024-01-02'],
    ['||', ['abc', T.text] as Arg, ['t', T.bool] as Arg, 'abctrue'],
    ['~~', u('abc'), u('a%'), 't'],
    ['~~*', u('ABC'), u('a_c'), 't'],
    ['~~', u('a_b'), u('a\\_b'), 't'],
    ['~~', u('axb'), u('a\\_b'), 'f'],
    ['!~~', u('abc'), u('b%'), 't'],
    ['~', u('abc'), u('^a.c$'), 't'],
    ['~*', u('ABC'), u('^a'), 't'],
    ['!~', u('abc'), u('^b'), 't'],
    ['<', u('a'), u('b'), 't'],
    ['=', ['ab  ', T.bpchar] as Arg, ['ab', T.bpchar] as Arg, 't'],
    ['+', ['2024-01-31', T.date] as Arg, ['1 month', T.interval] as Arg, '2024-02-29 00:00:00'],
    ['+', ['2024-01-31 10:00', T.timestamp] as Arg, u('1 month 1 day 1 hour'), '2024-03-01 11:00:00'],
    ['-', ['2024-03-01', T.date] as Arg, ['2024-02-01', T.date] as Arg, '29'],
    ['-', ['2024-03-01', T.date] as Arg, i4('1'), '2024-02-29'],
    ['-', ['2024-03-01', T.timestamp] as Arg, ['2024-02-28 12:00', T.timestamp] as Arg, '1 day 12:00:00'],
    [
      '-',
      ['2000-01-02 00:00+00', T.timestamptz] as Arg,
      ['1 day', T.interval] as Arg,
      '2000-01-01 00:00:00+00',
    ],
    ['*', ['1 day', T.interval] as Arg, ['1.5', T.float8] as Arg, '1 day 12:00:00'],
    ['/', ['1 mon', T.interval] as Arg, ['2', T.float8] as Arg, '15 days'],
    ['+', ['23:00', T.time] as Arg, ['2 hours', T.interval] as Arg, '01:00:00'],
    ['->', ['{"a":{"b":[1,2]}}', T.jsonb] as Arg, u('a'), '{"b": [1, 2]}'],
    ['->', ['{"a": [1,  2]}', T.json] as Arg, u('a'), '[1,  2]'],
    ['->>', ['[1,"x"]', T.jsonb] as Arg, i4('-1'), 'x'],
    ['->>', ['{"a":null}', T.jsonb] as Arg, u('a'), null],
    ['#>>', ['{"a": [1, 2]}', T.jsonb] as Arg, u('{a,1}'), '2'],
    ['@>', ['{"a":1,"b":2}', T.jsonb] as Arg, u('{"a":1}'), 't'],
    ['@>', ['[1,[2,3]]', T.jsonb] as Arg, u('[[3]]'), 't'],
    ['?', ['{"a":1}', T.jsonb] as Arg, u('a'), 't'],
    ['||', ['{"a":1}', T.jsonb] as Arg, u('{"b":2}'), '{"a": 1, "b": 2}'],
    ['||', ['[1,2]', T.jsonb] as Arg, u('3'), '[1, 2, 3]'],
    ['-', ['{"a":1,"b":2}', T.jsonb] as Arg, u('a'), '{"b": 2}'],
    ['@>', ['{1,2,3}', arrayOf(T.int4)] as Arg, ['{2}', arrayOf(T.int4)] as Arg, 't'],
    ['<@', ['{1,2,3}', arrayOf(T.int4)] as Arg, ['{1,2}', arrayOf(T.int4)] as Arg, 'f'],
    ['&&', ['{1,2}', arrayOf(T.int4)] as Arg, ['{3}', arrayOf(T.int4)] as Arg, 'f'],
    ['=', ['{1,2}', arrayOf(T.int4)] as Arg, ['{1,2}', arrayOf(T.int4)] as Arg, 't'],
    ['<', ['{1,2}', arrayOf(T.int4)] as Arg, ['{1,3}', arrayOf(T.int4)] as Arg, 't'],
    ['||', ['{1,2}', arrayOf(T.int4)] as Arg, i4('3'), '{1,2,3}'],
    ['||', ['{{1,2}}', arrayOf(T.int4)] as Arg, ['{{3,4}}', arrayOf(T.int4)] as Arg, '{{1,2},{3,4}}'],
    ['||', ['{{1,2}}', arrayOf(T.int4)] as Arg, ['{3,4}', arrayOf(T.int4)] as Arg, '{{1,2},{3,4}}'],
    ['||', ['x', T.text] as Arg, ['{a}', arrayOf(T.text)] as Arg, '{x,a}'],
    ['||', u('{x}'), ['{a}', arrayOf(T.text)] as Arg, '{x,a}'],
  ])('%s %o %o', (name, l, r, out) => {
    expect(op(name, l, r)).toBe(out);
  });

  it('adds calendar days across DST in the session time zone', () => {
    const ny = { ...ctx, timeZone: 'America/New_York' };
    Object.assign(ctx, { timeZone: 'America/New_York' });
    try {
      expect(op('+', ['2024-03-09 12:00', T.timestamptz], ['1 day', T.interval])).toBe(
        '2024-03-10 12:00:00-04',
      );
      expect(op('+', ['2024-03-09 12:00', T.timestamptz], ['24 hours', T.interval])).toBe(
        '2024-03-10 13:00:00-04',
      );
    } finally {
      Object.assign(ctx, { timeZone: 'UTC' });
    }
    void ny;
  });

  it('prefix operators', () => {
    expect(op('-', null, i4('5'))).toBe('-5');
    expect(op('-', null, ['1 day', T.interval])).toBe('-1 days');
    expect(op('|/', null, ['16', T.float8])).toBe('4');
  });

  it('raises PostgreSQL errors', () => {
    expect(err(() => op('+', i4('2147483647'), i4('1')))).toEqual({
      code: '22003',
      message: 'integer out of range',
    });
    expect(err(() => op('*', ['32767', T.int2], ['2', T.int2]))).toEqual({
      code: '22003',
      message: 'smallint out of range',
    });
    expect(err(() => op('-', null, ['-9223372036854775808', T.int8]))).toEqual({
      code: '22003',
      message: 'bigint out of range',
    });
    expect(err(() => op('/', i4('1'), i4('0')))).toEqual({ code: '22012', message: 'division by zero' });
    expect(err(() => op('/', ['1', T.float8], ['0', T.float8]))).toEqual({
      code: '22012',
      message: 'division by zero',
    });
    expect(err(() => op('*', ['1e300', T.float8], ['1e300', T.float8]))).toEqual({
      code: '22003',
      message: 'value out of range: overflow',
    });
    expect(err(() => op('~~', u('a'), u('a\\')))).toEqual({
      code: '22025',
      message: 'LIKE pattern must not end with escape character',
    });
    // TODO: as in PostgreSQL, an untyped literal next to an array should be taken to be an
    // array ('x' || '{a}'::text[] → 22P02 malformed array literal); not resolved that way yet.
    expect(err(() => op('-', ['2024-01-01', T.timestamptz], u('1 day')))).toMatchObject({
      code: '22007',
      message: 'invalid input syntax for type timestamp with time zone: "1 day"',
    });
  });
});
