import { beforeAll, describe, expect, it } from 'vitest';
import type { SqlError } from '../errors/sql-error.ts';
import type { Expr, SelectStmt } from './ast.ts';
import { initParser, parseSql } from './parser.ts';

beforeAll(() => initParser());

/** The expression of `SELECT <text>`; its locs are offset by 7. */
function expr(text: string): Expr {
  return (parseSql(`SELECT ${text}`)[0].stmt as SelectStmt).targets[0].expr;
}

function fails(text: string): SqlError {
  try {
    expr(text);
  } catch (err) {
    return err as SqlError;
  }
  throw new Error(`expected ${text} to fail`);
}

const col = (name: string) => ({ kind: 'ColumnRef', names: [name] });

describe('constants', () => {
  it.each([
    ['1', { type: 'integer', value: '1' }],
    ['0', { type: 'integer', value: '0' }],
    ['-7', { type: 'integer', value: '-7' }],
    ['99999999999999999999', { type: 'integer', value: '99999999999999999999' }],
    ['0x1F', { type: 'integer', value: '31' }],
    ['0x1FFFFFFFFFFFFFFFF', { type: 'integer', value: '36893488147419103231' }],
    ['1_000_000_000_000_000_000', { type: 'integer', value: '1000000000000000000' }],
    ['1.5', { type: 'float', value: '1.5' }],
    ['-1.5', { type: 'float', value: '-1.5' }],
    ['1e5', { type: 'float', value: '1e5' }],
    ["'abc'", { type: 'string', value: 'abc' }],
    ["''", { type: 'string', value: '' }],
    ["E'a\\nb'", { type: 'string', value: 'a\nb' }],
    ['true', { type: 'bool', value: true }],
    ['false', { type: 'bool', value: false }],
    ['null', { type: 'null' }],
    ["B'101'", { type: 'bitstring', value: 'b101' }],
  ])('%s', (text, value) => {
    expect(expr(text)).toEqual({ kind: 'Const', value, loc: 7 });
  });
});

describe('operators', () => {
  it('binary and prefix operators', () => {
    expect(expr('a + 1')).toEqual({
      kind: 'Op',
      op: '+',
      left: { kind: 'ColumnRef', names: ['a'], loc: 7 },
      right: { kind: 'Const', value: { type: 'integer', value: '1' }, loc: 11 },
      loc: 9,
    });
    expect(expr('- a')).toMatchObject({ kind: 'Op', op: '-', left: null, right: col('a') });
    expect(expr('v <-> $1')).toMatchObject({ kind: 'Op', op: '<->', right: { kind: 'Param', index: 1 } });
  });

  it('OPERATOR(schema.op) keeps the last name part', () => {
    expect(expr('a OPERATOR(pg_catalog.~) b')).toMatchObject({ kind: 'Op', op: '~', left: col('a') });
  });

  it('ANY / ALL', () => {
    expect(expr('a = ANY($1)')).toMatchObject({
      kind: 'Op',
      op: '=',
      quantifier: 'any',
      right: { kind: 'Param' },
    });
    expect(expr('a < ALL(ARRAY[1,2])')).toMatchObject({
      op: '<',
      quantifier: 'all',
      right: { kind: 'Array' },
    });
  });

  it('LIKE family', () => {
    expect(expr("a LIKE 'x%'")).toMatchObject({ kind: 'Op', op: '~~' });
    expect(expr("a NOT LIKE 'x%'")).toMatchObject({ kind: 'Op', op: '!~~' });
    expect(expr("a ILIKE 'x%'")).toMatchObject({ kind: 'Op', op: '~~*' });
    expect(expr("a NOT ILIKE 'x%'")).toMatchObject({ kind: 'Op', op: '!~~*' });
    expect(expr("a LIKE 'x' ESCAPE '!'")).toMatchObject({
      op: '~~',
      right: {
        kind: 'Func',
        names: ['pg_catalog', 'like_escape'],
        args: [{ kind: 'Const' }, { kind: 'Const' }],
      },
    });
    expect(expr("a SIMILAR TO 'x'")).toMatchObject({
      op: '~',
      right: { kind: 'Func', names: ['pg_catalog', 'similar_to_escape'] },
    });
  });

  it('IS [NOT] DISTINCT FROM and NULLIF', () => {
    expect(expr('a IS DISTINCT FROM b')).toMatchObject({
      kind: 'Op',
      op: 'IS DISTINCT FROM',
      right: col('b'),
    });
    expect(expr('a IS NOT DISTINCT FROM b')).toMatchObject({ op: 'IS NOT DISTINCT FROM' });
    expect(expr('NULLIF(a, b)')).toMatchObject({ kind: 'NullIf', left: col('a'), right: col('b'), loc: 7 });
  });

  it('IN lists', () => {
    expect(expr('a IN (1, 2)')).toMatchObject({ kind: 'InList', arg: col('a'), not: false, list: [{}, {}] });
    expect(expr('a NOT IN (1)')).toMatchObject({ kind: 'InList', not: true });
  });

  it('BETWEEN variants', () => {
    expect(expr('a BETWEEN 1 AND 2')).toMatchObject({ kind: 'Between', not: false, symmetric: false });
    expect(expr('a NOT BETWEEN 1 AND 2')).toMatchObject({ not: true, symmetric: false });
    expect(expr('a BETWEEN SYMMETRIC 2 AND 1')).toMatchObject({
      not: false,
      symmetric: true,
      low: { value: { value: '2' } },
      high: { value: { value: '1' } },
    });
    expect(expr('a NOT BETWEEN SYMMETRIC 1 AND 2')).toMatchObject({ not: true, symmetric: true });
  });

  it('AND / OR / NOT', () => {
    expect(expr('a AND b OR NOT c')).toMatchObject({
      kind: 'Bool',
      op: 'or',
      args: [
        { kind: 'Bool', op: 'and', args: [col('a'), col('b')] },
        { kind: 'Bool', op: 'not', args: [col('c')] },
      ],
    });
  });

  it('NULL and boolean tests', () => {
    expect(expr('a IS NULL')).toMatchObject({ kind: 'NullTest', not: false });
    expect(expr('a IS NOT NULL')).toMatchObject({ kind: 'NullTest', not: true });
    expect(expr('a ISNULL')).toMatchObject({ kind: 'NullTest', not: false });
    expect(expr('a IS NOT TRUE')).toMatchObject({ kind: 'BooleanTest', test: 'not true' });
    expect(expr('a IS UNKNOWN')).toMatchObject({ kind: 'BooleanTest', test: 'unknown' });
    expect(expr('a IS FALSE')).toMatchObject({ kind: 'BooleanTest', test: 'false' });
  });
});

describe('casts and type names', () => {
  it('x::type, CAST and type-literal forms', () => {
    expect(expr('a::int4')).toEqual({
      kind: 'Cast',
      arg: { kind: 'ColumnRef', names: ['a'], loc: 7 },
      type: { names: ['int4'], mods: [], isArray: false, loc: 10 },
      loc: 8,
    });
    expect(expr('CAST(a AS integer)')).toMatchObject({
      kind: 'Cast',
      type: { names: ['pg_catalog', 'int4'] },
    });
    expect(expr("int4 '3'")).toMatchObject({
      kind: 'Cast',
      arg: { kind: 'Const', value: { type: 'string', value: '3' } },
      loc: 7,
    });
  });

  it('typmods, arrays and interval', () => {
    expect(expr("'[1,2,3]'::vector(3)")).toMatchObject({
      type: { names: ['vector'], mods: [3], isArray: false },
    });
    expect(expr('a::numeric(10,2)')).toMatchObject({
      type: { names: ['pg_catalog', 'numeric'], mods: [10, 2] },
    });
    expect(expr('a::int[]')).toMatchObject({ type: { names: ['pg_catalog', 'int4'], isArray: true } });
    expect(expr("interval '1' day")).toMatchObject({ type: { names: ['pg_catalog', 'interval'], mods: [] } });
    expect(expr('a::varchar(3)[]')).toMatchObject({
      type: { names: ['pg_catalog', 'varchar'], mods: [3], isArray: true },
    });
  });

  it('rejects SETOF', () => {
    expect(fails('a::setof int')).toMatchObject({ code: '0A000' });
  });

  it('COLLATE is dropped', () => {
    expect(expr(`a COLLATE "C"`)).toEqual({ kind: 'ColumnRef', names: ['a'], loc: 7 });
  });
});

describe('functions', () => {
  it('plain calls keep qualified names', () => {
    expect(expr('pg_catalog.now()')).toEqual({
      kind: 'Func',
      names: ['pg_catalog', 'now'],
      args: [],
      star: false,
      distinct: false,
      orderBy: [],
      filter: null,
      loc: 7,
    });
  });

  it('aggregates: star, DISTINCT, ORDER BY, FILTER', () => {
    expect(expr('count(*)')).toMatchObject({ kind: 'Func', names: ['count'], star: true, args: [] });
    expect(expr("string_agg(DISTINCT a, ',' ORDER BY b DESC) FILTER (WHERE c)")).toMatchObject({
      names: ['string_agg'],
      distinct: true,
      args: [col('a'), { kind: 'Const' }],
      orderBy: [{ expr: col('b'), dir: 'desc', nulls: 'default', using: null }],
      filter: col('c'),
    });
  });

  it('SQL-syntax functions become pg_catalog calls', () => {
    expect(expr('EXTRACT(year FROM a)')).toMatchObject({
      kind: 'Func',
      names: ['pg_catalog', 'extract'],
      args: [{ kind: 'Const', value: { type: 'string', value: 'year' } }, col('a')],
    });
    expect(expr("a AT TIME ZONE 'UTC'")).toMatchObject({ kind: 'Func', names: ['pg_catalog', 'timezone'] });
    expect(expr('substring(a FROM 1 FOR 2)')).toMatchObject({ names: ['pg_catalog', 'substring'] });
  });

  it('VARIADIC', () => {
    expect(expr('f(VARIADIC a)')).toMatchObject({ kind: 'Func', variadic: true });
    expect(expr('f(a)')).not.toHaveProperty('variadic');
  });

  it('window calls: partition, order and the supported frames', () => {
    expect(expr('rank() OVER (PARTITION BY p ORDER BY a DESC)')).toMatchObject({
      kind: 'Func',
      names: ['rank'],
      over: {
        partitionBy: [{ kind: 'ColumnRef', names: ['p'] }],
        orderBy: [{ dir: 'desc' }],
        frame: { mode: 'range', end: 'current row' },
      },
    });
    expect(
      expr('sum(x) OVER (ORDER BY a ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)'),
    ).toMatchObject({
      over: { frame: { mode: 'rows', end: 'unbounded following' } },
    });
  });

  it('rejects other frames, named windows and WITHIN GROUP', () => {
    expect(fails('sum(x) OVER (ORDER BY a ROWS 2 PRECEDING)')).toMatchObject({ code: '0A000' });
    expect(fails('sum(x) OVER w')).toMatchObject({ code: '0A000', position: 8 });
    expect(fails('percentile_cont(0.5) WITHIN GROUP (ORDER BY a)')).toMatchObject({ code: '0A000' });
  });
});

describe('other expression forms', () => {
  it('CASE', () => {
    expect(expr('CASE WHEN a THEN 1 ELSE 2 END')).toMatchObject({
      kind: 'Case',
      arg: null,
      whens: [{ when: col('a'), then: { kind: 'Const' } }],
      else: { kind: 'Const' },
    });
    expect(expr('CASE a WHEN 1 THEN 2 END')).toMatchObject({ kind: 'Case', arg: col('a'), else: null });
  });

  it('sublinks', () => {
    expect(expr('EXISTS (SELECT 1)')).toMatchObject({
      kind: 'SubLink',
      linkType: 'exists',
      test: null,
      op: null,
    });
    expect(expr('a IN (SELECT b FROM t)')).toMatchObject({
      kind: 'SubLink',
      linkType: 'any',
      op: '=',
      test: col('a'),
      query: { kind: 'Select', from: [{ kind: 'Table', name: { name: 't' } }] },
    });
    expect(expr('a NOT IN (SELECT 1)')).toMatchObject({
      kind: 'Bool',
      op: 'not',
      args: [{ linkType: 'any' }],
    });
    expect(expr('a > ALL (SELECT 1)')).toMatchObject({ linkType: 'all', op: '>' });
    expect(expr('a = ANY (SELECT 1)')).toMatchObject({ linkType: 'any', op: '=' });
    expect(expr('(SELECT 1)')).toMatchObject({ linkType: 'expr', test: null, loc: 7 });
    expect(expr('ARRAY(SELECT 1)')).toMatchObject({ linkType: 'array' });
  });

  it('COALESCE, GREATEST, LEAST, ARRAY, ROW', () => {
    expect(expr('COALESCE(a, 1)')).toMatchObject({ kind: 'Coalesce', args: [col('a'), { kind: 'Const' }] });
    expect(expr('GREATEST(1, 2)')).toMatchObject({ kind: 'MinMax', op: 'greatest' });
    expect(expr('LEAST(1, 2)')).toMatchObject({ kind: 'MinMax', op: 'least' });
    expect(expr('ARRAY[[1], [2]]')).toMatchObject({
      kind: 'Array',
      elements: [{ kind: 'Array' }, { kind: 'Array' }],
    });
    expect(expr('ROW(1, 2)')).toMatchObject({ kind: 'Row', args: [{}, {}] });
    expect(expr('(1, 2)')).toMatchObject({ kind: 'Row' });
  });

  it('subscripts and field selection keep their order', () => {
    expect(expr('a[1]')).toMatchObject({
      kind: 'Subscript',
      arg: col('a'),
      subscripts: [{ lower: null, upper: { kind: 'Const' }, slice: false }],
      fields: [],
    });
    expect(expr('a[1:2]')).toMatchObject({
      subscripts: [{ lower: { kind: 'Const' }, upper: { kind: 'Const' }, slice: true }],
    });
    expect(expr('(a).f')).toMatchObject({ kind: 'Subscript', arg: col('a'), subscripts: [], fields: ['f'] });
    expect(expr('(a).f[1]')).toMatchObject({
      kind: 'Subscript',
      fields: [],
      subscripts: [{}],
      arg: { kind: 'Subscript', fields: ['f'], arg: col('a') },
    });
    expect(expr('$2[1]')).toMatchObject({ kind: 'Subscript', arg: { kind: 'Param', index: 2 } });
  });

  it('SQL value functions', () => {
    expect(expr('CURRENT_TIMESTAMP')).toEqual({ kind: 'SqlValue', name: 'current_timestamp', loc: 7 });
    expect(expr('CURRENT_TIME(3)')).toEqual({ kind: 'SqlValue', name: 'current_time', precision: 3, loc: 7 });
    expect(expr('current_user')).toMatchObject({ name: 'current_user' });
    expect(expr('session_user')).toMatchObject({ name: 'session_user' });
    expect(expr('current_schema')).toMatchObject({ name: 'current_schema' });
    expect(expr('current_date')).toMatchObject({ name: 'current_date' });
    expect(expr('localtimestamp')).toMatchObject({ name: 'localtimestamp' });
  });

  it('column references and stars', () => {
    expect(expr('s.t.c')).toEqual({ kind: 'ColumnRef', names: ['s', 't', 'c'], loc: 7 });
    expect(expr('"MixedCase"')).toMatchObject({ names: ['MixedCase'] });
    expect(expr('*')).toEqual({ kind: 'Star', qualifier: [], loc: 7 });
    expect(expr('t.*')).toEqual({ kind: 'Star', qualifier: ['t'], loc: 7 });
  });

  it('rejects GROUPING and XML', () => {
    expect(fails('GROUPING(a)')).toMatchObject({ code: '0A000', message: 'GROUPING is not supported' });
    expect(fails('a IS DOCUMENT')).toMatchObject({
      code: '0A000',
      message: 'XML functions are not supported',
    });
    expect(fails('xmlelement(name foo)')).toMatchObject({ code: '0A000' });
  });
});
