import { describe, expect, it } from 'vitest';
import { ctx, err } from './test-helpers.ts';
import { arrayOf, type SqlType, sqlType, T } from './type.ts';
import { binaryIn, binaryOut, formatSqlType, textIn, textOut, typeOid } from './value-io.ts';

const rt = (t: SqlType, s: string) => textOut(t, textIn(t, s, ctx), ctx);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const brt = (t: SqlType, s: string) => textOut(t, binaryIn(t, binaryOut(t, textIn(t, s, ctx))), ctx);

describe('text I/O (outputs checked against PostgreSQL 15)', () => {
  it.each([
    [T.bool, 'yes', 't'],
    [T.bool, ' OFF ', 'f'],
    [T.bool, 'tr', 't'],
    [T.int2, '-32768', '-32768'],
    [T.int4, ' 42 ', '42'],
    [T.int8, '9223372036854775807', '9223372036854775807'],
    [T.float4, '0.1', '0.1'],
    [T.float4, '1e6', '1e+06'],
    [T.float4, '100000', '100000'],
    [T.float4, '3.4e38', '3.4e+38'],
    [T.float4, '1.5e-7', '1.5e-07'],
    [T.float8, '1e20', '1e+20'],
    [T.float8, '1e15', '1e+15'],
    [T.float8, '1e14', '100000000000000'],
    [T.float8, '0.0001', '0.0001'],
    [T.float8, '0.00001', '1e-05'],
    [T.float8, '123456789012345678', '1.2345678901234568e+17'],
    [T.float8, '-0', '-0'],
    [T.float8, 'nan', 'NaN'],
    [T.float8, '-inf', '-Infinity'],
    [T.float8, '1e-300', '1e-300'],
    [T.numeric, '1.50', '1.50'],
    [T.numeric, '1e5', '100000'],
    [T.numeric, '1.5e-3', '0.0015'],
    [T.numeric, '-.5', '-0.5'],
    [T.numeric, 'Infinity', 'Infinity'],
    [T.text, 'héllo', 'héllo'],
    [sqlType('bpchar', 9), 'ab', 'ab   '],
    [T.bytea, '\\xDEADbeef', '\\xdeadbeef'],
    [T.bytea, 'ab\\\\c\\001', '\\x61625c6301'],
    [T.bytea, '\\x41 42', '\\x4142'],
    [T.date, '2024-02-29', '2024-02-29'],
    [T.date, 'infinity', 'infinity'],
    [T.date, '0001-01-01 BC', '0001-01-01 BC'],
    [T.time, '03:04:05.5', '03:04:05.5'],
    [T.timestamp, '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05.123456'],
    [T.timestamp, '2024-01-02T03:04:05+05', '2024-01-02 03:04:05'],
    [T.timestamptz, '2024-01-02 03:04:05+02', '2024-01-02 01:04:05+00'],
    [T.timestamptz, '2024-01-02 03:04:05.5 UTC', '2024-01-02 03:04:05.5+00'],
    [T.interval, '1 day 2 hours', '1 day 02:00:00'],
    [T.interval, '3 months', '3 mons'],
    [T.interval, '-1 day +2 hours', '-1 days +02:00:00'],
    [T.interval, '1 year 2 mons 3 days 04:05:06.5', '1 year 2 mons 3 days 04:05:06.5'],
    [T.interval, '-1 year -2 mons', '-1 years -2 mons'],
    [T.interval, '1.5 days', '1 day 12:00:00'],
    [T.interval, 'P1Y2M3DT4H', '1 year 2 mons 3 days 04:00:00'],
    [T.uuid, '{A0EEBC99-9C0B4EF8-BB6D6BB9-BD380A11}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
    [T.uuid, 'a0eebc999c0b4ef8bb6d6bb9bd380a11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
    [T.json, '{"b":1,  "a":2}', '{"b":1,  "a":2}'],
    [T.jsonb, '{"bb":1,"a":[1,2.50,{"z":null}],"a":true, "c":1e2}', '{"a": true, "c": 100, "bb": 1}'],
    [T.jsonb, '"\\u00e9\\n"', '"é\\n"'],
    [T.oid, '-1', '4294967295'],
    [sqlType('int2vector'), '1 2', '1 2'],
    [arrayOf(T.text), '{a,"b c",NULL,"","NULL"}', '{a,"b c",NULL,"","NULL"}'],
    [arrayOf(T.int4), '[0:1]={1,2}', '[0:1]={1,2}'],
    [arrayOf(T.int4), '{{1,2},{3,4}}', '{{1,2},{3,4}}'],
    [arrayOf(T.int4), '{}', '{}'],
    [arrayOf(T.numeric), '{1.5, NULL}', '{1.5,NULL}'],
    [arrayOf(T.text), '{"a\\"b","c\\\\d"}', '{"a\\"b","c\\\\d"}'],
  ])('%o %s → %s', (t, input, out) => {
    expect(rt(t, input)).toBe(out);
  });

  it('timestamptz output follows the session TimeZone', () => {
    const v = textIn(T.timestamptz, '2024-07-01 12:00:00+00', ctx);
    expect(textOut(T.timestamptz, v, { ...ctx, timeZone: 'America/New_York' })).toBe(
      '2024-07-01 08:00:00-04',
    );
    expect(textOut(T.timestamptz, v, { ...ctx, timeZone: 'Asia/Kolkata' })).toBe('2024-07-01 17:30:00+05:30');
    // DST edges as PostgreSQL resolves them: a skipped time moves forward, a repeated one
    // takes the later (standard-time) reading.
    const ny = { ...ctx, timeZone: 'America/New_York' };
    expect(textOut(T.timestamptz, textIn(T.timestamptz, '2024-03-10 02:30', ny), ny)).toBe(
      '2024-03-10 03:30:00-04',
    );
    expect(textOut(T.timestamptz, textIn(T.timestamptz, '2024-11-03 01:30', ny), ny)).toBe(
      '2024-11-03 01:30:00-05',
    );
    expect(textOut(T.timestamptz, textIn(T.timestamptz, '2024-11-02 12:00', ny), ny)).toBe(
      '2024-11-02 12:00:00-04',
    );
    const local = textIn(T.timestamptz, '2024-01-15 12:00:00', { ...ctx, timeZone: 'Europe/Berlin' });
    expect(textOut(T.timestamptz, local, ctx)).toBe('2024-01-15 11:00:00+00');
  });

  it('float output honours extra_float_digits <= 0', () => {
    const v = textIn(T.float8, '0.1', ctx);
    expect(textOut(T.float8, v, { ...ctx, extraFloatDigits: 0 })).toBe('0.1');
    expect(textOut(T.float8, 1 / 3, { ...ctx, extraFloatDigits: 0 })).toBe('0.333333333333333');
    expect(textOut(T.float4, Math.fround(1 / 3), { ...ctx, extraFloatDigits: 0 })).toBe('0.333333');
  });
});

describe('text input errors', () => {
  it.each([
    [T.int4, 'x', '22P02', 'invalid input syntax for type integer: "x"'],
    [T.int4, '2147483648', '22003', 'value "2147483648" is out of range for type integer'],
    [T.int2, '40000', '22003', 'value "40000" is out of range for type smallint'],
    [T.int8, '1.5', '22P02', 'invalid input syntax for type bigint: "1.5"'],
    [T.bool, 'maybe', '22P02', 'invalid input syntax for type boolean: "maybe"'],
    [T.float8, 'abc', '22P02', 'invalid input syntax for type double precision: "abc"'],
    [T.float8, '1e400', '22003', '"1e400" is out of range for type double precision'],
    [T.float4, '1e39', '22003', '"1e39" is out of range for type real'],
    [T.numeric, 'x', '22P02', 'invalid input syntax for type numeric: "x"'],
    [sqlType('varchar', 9), 'abcdef', '22001', 'value too long for type character varying(5)'],
    [sqlType('bpchar', 7), 'abcd', '22001', 'value too long for type character(3)'],
    [T.bytea, '\\xabg', '22023', 'invalid hexadecimal digit: "g"'],
    [T.bytea, '\\xabc', '22023', 'invalid hexadecimal data: odd number of digits'],
    [T.bytea, 'a\\9', '22P02', 'invalid input syntax for type bytea'],
    [
      T.uuid,
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1',
      '22P02',
      'invalid input syntax for type uuid: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1"',
    ],
    [T.date, '2024-13-01', '22008', 'date/time field value out of range: "2024-13-01"'],
    [T.date, 'garbage', '22007', 'invalid input syntax for type date: "garbage"'],
    [T.interval, 'soon', '22007', 'invalid input syntax for type interval: "soon"'],
    [arrayOf(T.int4), '1,2', '22P02', 'malformed array literal: "1,2"'],
  ])('%o %s', (t, input, code, message) => {
    expect(err(() => textIn(t, input, ctx))).toMatchObject({ code, message });
  });

  it('varchar accepts excess trailing spaces and numeric typmod reports its limit', () => {
    expect(textIn(sqlType('varchar', 7), 'abc   ', ctx)).toBe('abc');
    expect(err(() => textIn(sqlType('numeric', ((5 << 16) | 2) + 4), '1000', ctx))).toEqual({
      code: '22003',
      message: 'numeric field overflow',
      detail: 'A field with precision 5, scale 2 must round to an absolute value less than 10^3.',
    });
    expect(err(() => textIn(T.jsonb, '{"a":}', ctx))).toMatchObject({
      code: '22P02',
      message: 'invalid input syntax for type json',
      detail: 'Expected JSON value, but found "}".',
    });
    expect(err(() => textIn(T.json, '[1,2', ctx))).toMatchObject({
      detail: 'The input string ended unexpectedly.',
    });
  });
});

describe('binary I/O', () => {
  it('uses PostgreSQL wire formats', () => {
    expect(hex(binaryOut(T.int4, 1))).toBe('00000001');
    expect(hex(binaryOut(T.int8, -2n))).toBe('fffffffffffffffe');
    expect(hex(binaryOut(T.bool, true))).toBe('01');
    expect(hex(binaryOut(T.float8, 1.5))).toBe('3ff8000000000000');
    expect(hex(binaryOut(T.numeric, textIn(T.numeric, '-12345.678', ctx)))).toBe(
      '0003' + '0001' + '4000' + '0003' + '0001' + '0929' + '1a7c',
    );
    expect(hex(binaryOut(T.numeric, textIn(T.numeric, 'NaN', ctx)))).toBe('00000000c0000000');
    expect(hex(binaryOut(T.date, textIn(T.date, '2000-01-02', ctx)))).toBe('00000001');
    expect(hex(binaryOut(T.timestamp, textIn(T.timestamp, '2000-01-01 00:00:01', ctx)))).toBe(
      '00000000000f4240',
    );
    expect(hex(binaryOut(T.jsonb, '{"a": 1}'))).toBe('01' + Buffer.from('{"a": 1}').toString('hex'));
    expect(hex(binaryOut(T.interval, textIn(T.interval, '1 mon 2 days 00:00:01', ctx)))).toBe(
      '00000000000f4240' + '00000002' + '00000001',
    );
    expect(hex(binaryOut(arrayOf(T.int4), textIn(arrayOf(T.int4), '{1,NULL}', ctx)))).toBe(
      '00000001' + '00000001' + '00000017' + '00000002' + '00000001' + '00000004' + '00000001' + 'ffffffff',
    );
  });

  it.each([
    [T.bool, 'f'],
    [T.int2, '-7'],
    [T.int4, '2147483647'],
    [T.int8, '-9223372036854775808'],
    [T.float4, '0.1'],
    [T.float8, '-1.25e-300'],
    [T.numeric, '0.00012300'],
    [T.numeric, '-98765432109876543210.5'],
    [T.numeric, '-Infinity'],
    [T.text, 'héllo'],
    [sqlType('varchar'), 'x'],
    [T.name, 'pg_class'],
    [T.bytea, '\\x00ff'],
    [T.date, '1999-12-31'],
    [T.date, '-infinity'],
    [T.time, '23:59:59.999999'],
    [T.timestamp, '1970-01-01 00:00:00'],
    [T.timestamptz, '2024-01-02 03:04:05.5+00'],
    [T.interval, '-1 days +02:00:00'],
    [T.uuid, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
    [T.json, '{"a" : [1]}'],
    [T.jsonb, '{"a": [1, "x"]}'],
    [T.oid, '4294967295'],
    [arrayOf(T.text), '{a,NULL,"b c"}'],
    [arrayOf(T.int4), '{{1,2},{3,4}}'],
    [arrayOf(T.int4), '{}'],
  ])('round trip %o %s', (t, s) => {
    expect(brt(t, s)).toBe(s);
  });

  it('rejects short and trailing data', () => {
    expect(err(() => binaryIn(T.int4, new Uint8Array([0, 1])))).toMatchObject({
      code: '22P03',
      message: 'insufficient data left in message',
    });
    expect(err(() => binaryIn(T.int4, new Uint8Array(5)))).toMatchObject({
      code: '22P03',
      message: 'incorrect binary data format',
    });
  });
});

describe('format_type', () => {
  it.each([
    [T.int4, 'integer'],
    [sqlType('varchar', 14), 'character varying(10)'],
    [T.varchar, 'character varying'],
    [sqlType('bpchar', 9), 'character(5)'],
    [T.bpchar, 'bpchar'],
    [T.char, '"char"'],
    [T.timestamp, 'timestamp without time zone'],
    [sqlType('timestamptz', 6), 'timestamp(6) with time zone'],
    [sqlType('time', 3), 'time(3) without time zone'],
    [sqlType('numeric', ((10 << 16) | 2) + 4), 'numeric(10,2)'],
    [arrayOf(T.int4), 'integer[]'],
    [arrayOf(sqlType('varchar', 14)), 'character varying(10)[]'],
    [T.float8, 'double precision'],
    [T.bool, 'boolean'],
    [T.unknown, 'unknown'],
    [T.record, 'record'],
  ])('%o → %s', (t, s) => {
    expect(formatSqlType(t)).toBe(s);
  });

  it('knows the OIDs', () => {
    expect(
      [T.int4, arrayOf(T.int4), T.text, T.numeric, T.timestamptz, T.jsonb, arrayOf(T.uuid)].map(typeOid),
    ).toEqual([23, 1007, 25, 1700, 1184, 3802, 2951]);
  });
});
