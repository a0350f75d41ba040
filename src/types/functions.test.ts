import { describe, expect, it } from 'vitest';
import { type Arg, aggregate, call, ctx, err, show } from './test-helpers.ts';
import { arrayOf, T } from './type.ts';
import { textIn } from './value-io.ts';

const u = (s: string | null): Arg => [s, T.unknown];
const i4 = (s: string): Arg => [s, T.int4];
const ts = (s: string): Arg => [s, T.timestamp];

describe('string functions (expected values from PostgreSQL 15)', () => {
  it.each([
    ['substr', [u('hello'), i4('0'), i4('3')], 'he'],
    ['substr', [u('hello'), i4('-1')], 'hello'],
    ['left', [u('hello'), i4('-2')], 'hel'],
    ['right', [u('hello'), i4('-2')], 'llo'],
    ['lpad', [u('hi'), i4('5'), u('xy')], 'xyxhi'],
    ['rpad', [u('hello'), i4('3')], 'hel'],
    ['split_part', [u('a,b,c'), u(','), i4('-1')], 'c'],
    ['initcap', [u('hello wORLD foo-bar')], 'Hello World Foo-Bar'],
    ['format', [u('%s|%I|%L|%L'), u('x'), u('My Col'), u("it's"), u(null)], "x|\"My Col\"|'it''s'|NULL"],
    ['concat', [u('a'), u(null), i4('1'), ['t', T.bool]], 'a1t'],
    ['concat_ws', [u(','), u('a'), u(null), u('b')], 'a,b'],
    ['quote_ident', [u('a b')], '"a b"'],
    ['md5', [u('abc')], '900150983cd24fb0d6963f7d28e17f72'],
    ['replace', [u('abcabc'), u('b'), u('X')], 'aXcaXc'],
    ['repeat', [u('ab'), i4('3')], 'ababab'],
    ['reverse', [u('abc')], 'cba'],
    ['starts_with', [u('abc'), u('ab')], 't'],
    ['btrim', [u('xxabcxx'), u('x')], 'abc'],
    ['ltrim', [u('  a ')], 'a '],
    ['strpos', [u('hello'), u('l')], '3'],
    ['position', [u('hello'), u('lo')], '4'],
    ['translate', [u('12345'), u('143'), u('ax')], 'a2x5'],
    ['regexp_replace', [u('foo bar foo'), u('foo'), u('X'), u('g')], 'X bar X'],
    ['regexp_replace', [u('abc'), u('(b)'), u('[\\1]')], 'a[b]c'],
    ['substring', [u('abc123'), u('[0-9]+')], '123'],
    ['substring', [u('abc123'), u('([a-z])([0-9])')], 'c'],
    ['chr', [i4('65')], 'A'],
    ['length', [u('héllo')], '5'],
    ['octet_length', [u('héllo')], '6'],
    ['upper', [['abc', T.varchar]], 'ABC'],
    ['upper', [u('straße')], 'STRAßE'],
    ['encode', [['\\x4142', T.bytea], u('base64')], 'QUI='],
    [
      'to_char',
      [ts('2024-01-02 15:04:05.123'), u('YYYY-MM-DD HH24:MI:SS.MS Mon Day Dy HH12 AM')],
      '2024-01-02 15:04:05.123 Jan Tuesday   Tue 03 PM',
    ],
    ['to_char', [['1234.5', T.numeric], u('9999.99')], ' 1234.50'],
    ['to_char', [['1234.5', T.numeric], u('FM9,999.00')], '1,234.50'],
    ['to_char', [i4('-12'), u('000')], '-012'],
    ['to_char', [['0.5', T.numeric], u('0.99')], ' 0.50'],
    ['to_char', [i4('42'), u('FM999')], '42'],
  ] as [string, Arg[], string][])('%s(%o)', (fn, args, out) => {
    expect(call(fn, ...args)).toBe(out);
  });

  it('errors', () => {
    expect(err(() => call('substr', u('hello'), i4('1'), i4('-1')))).toEqual({
      code: '22011',
      message: 'negative substring length not allowed',
    });
    expect(err(() => call('split_part', u('a'), u(','), i4('0')))).toMatchObject({
      message: 'field position must not be zero',
    });
  });
});

describe('math functions', () => {
  it.each([
    ['round', [['2.5', T.float8]], '2'],
    ['round', [['-0.5', T.numeric]], '-1'],
    ['round', [['1.2345', T.numeric], i4('2')], '1.23'],
    ['trunc', [['-1.7', T.float8]], '-1'],
    ['sign', [['-3.2', T.numeric]], '-1'],
    [
      'log',
      [
        ['2.0', T.numeric],
        ['8.0', T.numeric],
      ],
      '3.0000000000000000',
    ],
    ['mod', [i4('-7'), i4('3')], '-1'],
    ['abs', [['-5.5', T.numeric]], '5.5'],
    ['sqrt', [['2', T.numeric]], '1.414213562373095'],
    ['power', [i4('2'), i4('10')], '1024'],
    ['ceil', [['1.2', T.numeric]], '2'],
    ['floor', [['-1.2', T.float8]], '-2'],
    ['exp', [['1', T.numeric]], '2.7182818284590452'],
    [
      'div',
      [
        ['7.5', T.numeric],
        ['2', T.numeric],
      ],
      '3',
    ],
  ] as [string, Arg[], string][])('%s(%o)', (fn, args, out) => {
    expect(call(fn, ...args)).toBe(out);
  });

  it('abs overflows like PostgreSQL', () => {
    expect(err(() => call('abs', i4('-2147483648')))).toEqual({
      code: '22003',
      message: 'integer out of range',
    });
    expect(err(() => call('ln', ['0', T.float8]))).toEqual({
      code: '2201E',
      message: 'cannot take logarithm of zero',
    });
  });

  it('random and gen_random_uuid', () => {
    expect(Number(call('random'))).toBeLessThan(1);
    expect(call('gen_random_uuid')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe('date/time functions', () => {
  it.each([
    ['age', [ts('2024-03-01'), ts('2023-01-31')], '1 year 1 mon 1 day'],
    ['date_trunc', [u('month'), ['2024-05-17 10:00+00', T.timestamptz]], '2024-05-01 00:00:00+00'],
    ['date_trunc', [u('week'), ts('2024-05-17 10:00')], '2024-05-13 00:00:00'],
    ['date_trunc', [u('hour'), ['3 days 04:05:06', T.interval]], '3 days 04:00:00'],
    ['extract', [u('epoch'), ts('2024-01-02 03:04:05.5')], '1704164645.500000'],
    ['extract', [u('second'), ts('2024-01-02 03:04:05')], '5.000000'],
    ['extract', [u('milliseconds'), ts('2024-01-02 03:04:05.123456')], '5123.456'],
    ['extract', [u('year'), ['2024-01-02', T.date]], '2024'],
    ['extract', [u('epoch'), ['2024-01-02', T.date]], '1704153600'],
    ['extract', [u('dow'), ['2024-01-07', T.date]], '0'],
    ['extract', [u('isodow'), ['2024-01-07', T.date]], '7'],
    ['extract', [u('week'), ['2024-01-01', T.date]], '1'],
    ['extract', [u('doy'), ['2024-12-31', T.date]], '366'],
    ['extract', [u('century'), ['2000-01-01', T.date]], '20'],
    ['extract', [u('epoch'), ['1 year 1 day', T.interval]], '31644000.000000'],
    ['extract', [u('hour'), ['26 hours', T.interval]], '26'],
    ['date_part', [u('epoch'), ts('2024-01-02 03:04:05.5')], '1704164645.5'],
    ['to_timestamp', [['0', T.float8]], '1970-01-01 00:00:00+00'],
    ['make_date', [i4('2024'), i4('2'), i4('29')], '2024-02-29'],
    ['timezone', [u('America/New_York'), ['2024-07-01 12:00+00', T.timestamptz]], '2024-07-01 08:00:00'],
    ['now', [], '2000-01-01 00:00:00+00'],
    ['to_timestamp', [u('2024-01-02 15:04:05'), u('YYYY-MM-DD HH24:MI:SS')], '2024-01-02 15:04:05+00'],
    ['to_date', [u('02 Jan 2024'), u('DD Mon YYYY')], '2024-01-02'],
    ['to_timestamp', [u('05/01/2024 3:04 PM'), u('MM/DD/YYYY HH12:MI AM')], '2024-05-01 15:04:00+00'],
    ['date_part', [u('dow'), ['2024-01-07', T.date]], '0'],
  ] as [string, Arg[], string][])('%s(%o)', (fn, args, out) => {
    expect(call(fn, ...args)).toBe(out);
  });

  it('to_date reports bad fields like PostgreSQL', () => {
    expect(err(() => call('to_date', u('2024-13-01'), u('YYYY-MM-DD')))).toEqual({
      code: '22008',
      message: 'date/time field value out of range: "2024-13-01"',
    });
    expect(err(() => call('to_date', u('abc'), u('YYYY-MM-DD')))).toEqual({
      code: '22007',
      message: 'invalid value "abc" for "YYYY"',
      detail: 'Value must be an integer.',
    });
  });

  it('rejects fields a type does not have', () => {
    expect(err(() => call('extract', u('second'), ['2024-01-01', T.date]))).toEqual({
      code: '0A000',
      message: 'unit "second" not supported for type date',
    });
  });
});

describe('array and set-returning functions', () => {
  it.each([
    ['array_length', [['{}', arrayOf(T.int4)], i4('1')], null],
    ['array_length', [['{1,2,3}', arrayOf(T.int4)], i4('1')], '3'],
    ['cardinality', [['{{1,2},{3,4}}', arrayOf(T.int4)]], '4'],
    ['array_dims', [['{{1,2},{3,4}}', arrayOf(T.int4)]], '[1:2][1:2]'],
    ['array_upper', [['[0:2]={1,2,3}', arrayOf(T.int4)], i4('1')], '2'],
    ['string_to_array', [u('a,b,,c'), u(',')], '{a,b,"",c}'],
    ['string_to_array', [u('a,b,,c'), u(','), u('')], '{a,b,NULL,c}'],
    ['string_to_array', [u('abc'), u(null)], '{a,b,c}'],
    ['array_to_string', [['{1,NULL,3}', arrayOf(T.int4)], u(',')], '1,3'],
    ['array_to_string', [['{1,NULL,3}', arrayOf(T.int4)], u(','), u('*')], '1,*,3'],
    ['array_position', [['{a,b}', arrayOf(T.text)], u('b')], '2'],
    ['array_remove', [['{1,2,1}', arrayOf(T.int4)], i4('1')], '{2}'],
    ['array_append', [['{1}', arrayOf(T.int4)], i4('2')], '{1,2}'],
    ['unnest', [['{1,NULL,3}', arrayOf(T.int4)]], '1||3'],
    ['generate_series', [i4('1'), i4('3')], '1|2|3'],
    ['generate_series', [i4('5'), i4('1'), i4('-2')], '5|3|1'],
    ['generate_series', [['1.5', T.numeric], i4('3')], '1.5|2.5'],
    [
      'generate_series',
      [ts('2024-01-01'), u('2024-01-02'), u('12 hours')],
      '2024-01-01 00:00:00|2024-01-01 12:00:00|2024-01-02 00:00:00',
    ],
  ] as [string, Arg[], string | null][])('%s(%o)', (fn, args, out) => {
    expect(call(fn, ...args)).toBe(out);
  });

  it('rejects a zero step', () => {
    expect(err(() => call('generate_series', i4('1'), i4('3'), i4('0')))).toEqual({
      code: '22023',
      message: 'step size cannot equal zero',
    });
  });
});

describe('json functions', () => {
  it.each([
    ['to_json', [['a"b', T.text]], '"a\\"b"'],
    ['to_json', [['1.50', T.numeric]], '1.50'],
    ['to_json', [['NaN', T.float8]], '"NaN"'],
    ['to_json', [['2024-01-02 03:04:05.5+00', T.timestamptz]], '"2024-01-02T03:04:05.5+00:00"'],
    ['to_json', [['2024-01-02', T.date]], '"2024-01-02"'],
    ['to_json', [['{a,b}', arrayOf(T.text)]], '["a","b"]'],
    ['to_jsonb', [['{1,2}', arrayOf(T.int4)]], '[1, 2]'],
    ['to_json', [['t', T.bool]], 'true'],
    ['json_build_object', [u('a'), i4('1'), u('b'), u('x')], '{"a" : 1, "b" : "x"}'],
    ['jsonb_build_object', [u('b'), i4('1'), u('a'), u(null)], '{"a": null, "b": 1}'],
    ['json_build_array', [i4('1'), u('a'), u(null)], '[1, "a", null]'],
    ['jsonb_typeof', [['[1]', T.jsonb]], 'array'],
    ['jsonb_array_length', [['[1,2,3]', T.jsonb]], '3'],
    ['jsonb_object_keys', [['{"b":1,"a":2}', T.jsonb]], 'a|b'],
    ['jsonb_array_elements_text', [['[1,"x",null]', T.jsonb]], '1|x|'],
  ] as [string, Arg[], string][])('%s(%o)', (fn, args, out) => {
    expect(call(fn, ...args)).toBe(out);
  });

  it('errors like PostgreSQL', () => {
    expect(err(() => call('json_build_object', u('a')))).toEqual({
      code: '22023',
      message: 'argument list must have even number of elements',
      hint: 'The arguments of json_build_object() must consist of alternating keys and values.',
    });
    expect(err(() => call('json_build_object', u(null), i4('1')))).toEqual({
      code: '22004',
      message: 'argument 1 cannot be null',
      hint: 'Object keys should be text.',
    });
  });
});

describe('aggregates (expected values from PostgreSQL 15)', () => {
  const ints = [['1'], ['2'], ['3'], ['4']];
  it.each([
    ['sum', T.int4, ints, '10'],
    ['avg', T.int4, [['1'], ['2']], '1.5000000000000000'],
    ['avg', T.int4, ints, '2.5000000000000000'],
    ['var_samp', T.int4, ints, '1.6666666666666667'],
    ['stddev', T.int4, ints, '1.2909944487358056'],
    ['var_pop', T.int4, ints, '1.2500000000000000'],
    ['stddev_pop', T.int4, ints, '1.1180339887498948'],
    ['var_samp', T.float8, ints, '1.6666666666666667'],
    ['avg', T.numeric, [['1.25'], ['2.5']], '1.8750000000000000'],
    ['sum', T.numeric, [['1.25'], ['2.5']], '3.75'],
    ['avg', T.float4, [['1.25'], ['2.5']], '1.875'],
    ['sum', T.int8, [['9223372036854775807'], ['1']], '9223372036854775808'],
    ['max', T.text, [['b'], ['a'], [null]], 'b'],
    ['min', T.date, [['2024-01-02'], ['2023-05-06']], '2023-05-06'],
    ['count', T.int4, [['1'], [null], ['2']], '2'],
    ['bool_and', T.bool, [['t'], ['f']], 'f'],
    ['bool_or', T.bool, [['t'], ['f']], 't'],
    ['array_agg', T.int4, [['1'], [null], ['2']], '{1,NULL,2}'],
    ['json_agg', T.int4, [['1'], ['2']], '[1, 2]'],
    ['jsonb_agg', T.text, [['a'], [null]], '["a", null]'],
    ['sum', T.int4, [], null],
  ] as [string, typeof T.int4, (string | null)[][], string | null][])('%s over %o', (fn, t, rows, out) => {
    expect(aggregate(fn, [t], rows)).toBe(out);
  });

  it('string_agg skips NULLs and the first delimiter', () => {
    expect(
      aggregate(
        'string_agg',
        [T.text, T.text],
        [
          ['a', ','],
          [null, ','],
          ['b', ';'],
        ],
      ),
    ).toBe('a;b');
  });

  it('sum(int4) overflows only past bigint', () => {
    expect(aggregate('sum', [T.int4], [['2147483647'], ['2147483647']])).toBe('4294967294');
  });
});

describe('bpchar lengths', () => {
  it('length ignores padding, octet_length counts it', () => {
    expect(call('octet_length', ['ab', { base: 'bpchar', typmod: 8, isArray: false }])).toBe('4');
    expect(call('length', ['ab', { base: 'bpchar', typmod: 8, isArray: false }])).toBe('2');
  });
});

describe('variadic signatures', () => {
  it('need at least one variadic argument, as in PostgreSQL', () => {
    expect(err(() => call('concat'))).toMatchObject({
      code: '42883',
      message: 'function concat() does not exist',
    });
    expect(call('json_build_object')).toBe('{}');
    expect(call('jsonb_build_array')).toBe('[]');
    expect(call('format', u('a%%'))).toBe('a%');
  });
});

describe('pg_typeof and regtype', () => {
  it.each([
    [[u('x')], 'unknown'],
    [[u(null)], 'unknown'],
    [[['1.5', T.numeric]], 'numeric'],
    [[['{1}', arrayOf(T.int4)]], 'integer[]'],
    [[['x', { base: 'varchar', typmod: 14, isArray: false }]], 'character varying'],
  ] as [Arg[], string][])('pg_typeof(%o)', (args, out) => {
    expect(call('pg_typeof', ...args)).toBe(out);
  });

  it.each([
    ['int', 'integer'],
    ['varchar(10)', 'character varying'],
    ['character varying[]', 'character varying[]'],
    ['23', 'integer'],
    ['99999', '99999'],
    ['"char"', '"char"'],
    ['char', 'character'],
    ['timestamp with time zone', 'timestamp with time zone'],
  ])('%s::regtype', (input, out) => {
    expect(show(T.regtype, textIn(T.regtype, input, ctx))).toBe(out);
  });

  it('rejects unknown type names', () => {
    expect(err(() => textIn(T.regtype, 'foo', ctx))).toEqual({
      code: '42704',
      message: 'type "foo" does not exist',
    });
  });
});
