import { describe, expect, test } from 'vitest';
import { parseSlt, SltParseError, splitRow } from './parser.ts';
import { renderRow, renderValue } from './runner.ts';

const at = { file: 'x.slt', line: 1 };

describe('slt parser', () => {
  test('statements, queries, conditions, comments and halt', () => {
    const records = parseSlt(
      [
        '# a comment',
        'statement ok',
        'CREATE TABLE t (a int)',
        '',
        'skipif extended',
        'statement error 42P01 relation "x" does not exist',
        'SELECT *',
        '  FROM x',
        '',
        'onlyif simple',
        'query IT rowsort lbl',
        'SELECT 1, 2',
        '----',
        '1\ta b',
        '',
        'query I lbl',
        'SELECT 1',
        '',
        'statement count 3',
        'INSERT INTO t VALUES (1), (2), (3)',
        '',
        'statement error division by zero',
        'SELECT 1/0',
        '',
        'halt',
        '',
      ].join('\n'),
      'x.slt',
    );
    expect(records.map((r) => r.kind)).toEqual([
      'statement',
      'statement',
      'query',
      'query',
      'statement',
      'statement',
      'halt',
    ]);
    const [create, error, query, labelled, count, messageOnly] = records;
    expect(create).toMatchObject({ sql: 'CREATE TABLE t (a int)', expect: { kind: 'ok' }, at: { line: 2 } });
    expect(error).toMatchObject({
      sql: 'SELECT *\n  FROM x',
      conditions: [{ kind: 'skipif', label: 'extended' }],
      expect: { kind: 'error', error: { sqlstate: '42P01', message: 'relation "x" does not exist' } },
    });
    expect(query).toMatchObject({ types: 'IT', sort: 'rowsort', label: 'lbl', rows: [['1', 'a b']] });
    expect(query.kind === 'query' && query.rows).toEqual([['1', 'a b']]);
    expect(labelled).toMatchObject({ label: 'lbl', rows: undefined });
    expect(count).toMatchObject({ expect: { kind: 'count', count: 3 } });
    expect(messageOnly).toMatchObject({ expect: { kind: 'error', error: { message: 'division by zero' } } });
  });

  test('rows: one column is the whole line; tabs win over spaces', () => {
    expect(splitRow('a b c', 1, at)).toEqual(['a b c']);
    expect(splitRow('1 2', 2, at)).toEqual(['1', '2']);
    expect(splitRow('x y\tz', 2, at)).toEqual(['x y', 'z']);
    expect(() => splitRow('1 2 3', 2, at)).toThrow(SltParseError);
  });

  test('empty result and errors in the file format', () => {
    const [q] = parseSlt('query I\nSELECT 1 WHERE false\n----\n', 'x.slt');
    expect(q).toMatchObject({ rows: [] });
    expect(() => parseSlt('query\nSELECT 1\n', 'x.slt')).toThrow(/type characters/);
    expect(() => parseSlt('query I\nSELECT 1\n', 'x.slt')).toThrow(/needs a label/);
    expect(() => parseSlt('frobnicate\n', 'x.slt')).toThrow(/unknown record type/);
    expect(() => parseSlt('include other.slt\n', 'x.slt')).toThrow(/include is not available/);
  });

  test('value rendering', () => {
    expect(renderValue(null)).toBe('NULL');
    expect(renderValue('')).toBe('(empty)');
    expect(renderValue('a\tb\nc')).toBe('a\\tb\\nc');
    expect(renderRow(['1', '2'])).toBe('1 2');
    expect(renderRow(['1', 'a b'])).toBe('1\ta b');
  });
});
