import { describe, expect, it } from 'vitest';
import { ArrayValue } from '../../types/array.ts';
import { allTypes } from '../../types/registry.ts';
import { ctx } from '../../types/test-helpers.ts';
import { arrayOf, type BaseTypeName, type SqlType, sqlType, T, type Value } from '../../types/type.ts';
import { textIn, textOut } from '../../types/value-io.ts';
import { openSegment } from './segment-reader.ts';
import { type SegmentColumn, writeSegment, writeSegmentInSlices } from './segment-writer.ts';

/** Sample literals per registered type; the first test fails when a new type has none. */
const SAMPLES: Partial<Record<BaseTypeName, string[]>> = {
  bool: ['t', 'f'],
  int2: ['-32768', '32767', '0'],
  int4: ['-2147483648', '2147483647'],
  int8: ['-9223372036854775808', '9223372036854775807'],
  float4: ['1.5', '-0', 'NaN', 'Infinity', '3.4e38'],
  float8: ['1e-300', '-Infinity', 'NaN', '0.1'],
  numeric: ['-123.4500', 'NaN', '1e100', 'Infinity', '0'],
  oid: ['4294967295', '0'],
  regproc: ['1242'],
  regclass: ['1259'],
  regtype: ['23'],
  regnamespace: ['11'],
  regrole: ['10'],
  regoperator: ['15300'],
  xid: ['123'],
  text: ['héllo 🎉', '', 'NULL'],
  varchar: ['abc', ''],
  bpchar: ['ab  ', 'x'],
  name: ['pg_class'],
  char: ['x'],
  unknown: ['lit'],
  pg_node_tree: ['({})'],
  aclitem: ['x'],
  bytea: ['\\xdeadbeef', '\\x'],
  date: ['2024-02-29', 'infinity', '0001-01-01 BC'],
  time: ['03:04:05.123456', '00:00:00'],
  timestamp: [
    '2024-01-02 03:04:05.123456',
    '-infinity',
    '1969-07-20 20:17:40.000001',
    '0044-03-15 12:00:00 BC',
  ],
  timestamptz: ['2024-01-02 03:04:05.5+02', 'infinity', '1999-12-31 23:59:59.999999+00', '-infinity'],
  interval: ['1 year 2 mons 3 days 04:05:06.5', '-1 days +02:00:00'],
  uuid: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '00000000-0000-0000-0000-000000000000'],
  tsvector: ["'fat':2,11A 'rat':12C 'it''s'", ''],
  tsquery: ["( 'fat' | 'rat' ) & !'cat':*B <2> 'dog'", 'a'],
  regconfig: ['english', 'simple'],
  json: ['{"b":1,  "a":[2]}', 'null'],
  jsonb: ['{"a": [1, 2.50, {"z": null}], "b": "é"}', '3'],
  int2vector: ['1 2 3', ''],
  oidvector: ['26 23'],
  vector: ['[1,2.5,-3]', '[0,0,0]'],
  halfvec: ['[1,2.5,-3]', '[0.0001]'],
  sparsevec: ['{1:2,5:-1.5}/8', '{}/3'],
  bit: ['101', '1'],
  varbit: ['1011001', ''],
};

const parse = (type: SqlType, text: string | null): Value => (text === null ? null : textIn(type, text, ctx));
const show = (type: SqlType, v: Value) => (v === null ? null : textOut(type, v, ctx));

/** Writes and re-reads one segment; checks every column by text form, row(), ids and ts. */
function roundTrip(columns: SegmentColumn[], rows: Value[][]): void {
  const rowIds = rows.map((_, i) => i * 3 + 1);
  const insertTs = rows.map((_, i) => 2 ** 52 + i);
  const seg = openSegment(writeSegment({ columns, rows, rowIds, insertTs, primaryKey: [] }), 'test/rt');
  seg.verify();
  expect(seg.rowCount).toBe(rows.length);
  expect(Array.from(seg.rowIds)).toEqual(rowIds);
  expect(Array.from(seg.insertTs)).toEqual(insertTs);
  expect(seg.columns.map((c) => c.type)).toEqual(columns.map((c) => c.type));
  columns.forEach((col, c) => {
    const got = seg.column(c).map((v) => show(col.type, v));
    expect(got, col.name).toEqual(rows.map((row) => show(col.type, row[c])));
  });
  rows.forEach((row, r) => {
    expect(seg.row(r).map((v, c) => show(columns[c].type, v))).toEqual(
      row.map((v, c) => show(columns[c].type, v)),
    );
  });
}

/** A column of `type` holding each sample and a NULL, padded with NULLs to `n` rows. */
function columnValues(type: SqlType, texts: string[], n: number): Value[] {
  const vals = [...texts.map((t) => parse(type, t)), null];
  return Array.from({ length: n }, (_, i) => vals[i] ?? null);
}

describe('segment round trip', () => {
  const scalarTypes = allTypes().filter((t) => t.category !== 'P');

  it('has samples for every registered non-pseudo type', () => {
    expect(scalarTypes.filter((t) => !SAMPLES[t.name]).map((t) => t.name)).toEqual([]);
  });

  it('every scalar type, with NULLs', () => {
    const columns = scalarTypes.map((t) => ({ name: t.name, type: sqlType(t.name) }));
    const n = 7;
    const cols = columns.map((c) => columnValues(c.type, SAMPLES[c.type.base]!, n));
    roundTrip(
      columns,
      Array.from({ length: n }, (_, r) => cols.map((col) => col[r])),
    );
  });

  it('arrays of every type that has one (NULL elements, 2-D, empty)', () => {
    const withArrays = scalarTypes.filter((t) => t.arrayOid !== 0);
    const columns = withArrays.map((t) => ({ name: `${t.name}[]`, type: arrayOf(sqlType(t.name)) }));
    const rows: Value[][] = [
      withArrays.map((t) => ArrayValue.of([...SAMPLES[t.name]!.map((s) => parse(sqlType(t.name), s)), null])),
      withArrays.map(() => ArrayValue.EMPTY),
      withArrays.map(() => null),
    ];
    roundTrip(columns, rows);
    const grid = textIn(arrayOf(T.int4), '[0:1][1:2]={{1,2},{NULL,4}}', ctx);
    roundTrip([{ name: 'grid', type: arrayOf(T.int4) }], [[grid], [null]]);
  });

  it('typmods apply on read: numeric(10,2), varchar(5), bpchar(4), bit(3), timestamp(2)', () => {
    const types = [
      sqlType('numeric', ((10 << 16) | 2) + 4),
      sqlType('varchar', 5 + 4),
      sqlType('bpchar', 4 + 4),
      sqlType('bit', 3),
      sqlType('timestamp', 2),
    ];
    const texts = ['12.34', 'abcde', 'ab', '101', '2024-01-01 00:00:00.12'];
    roundTrip(
      types.map((type, i) => ({ name: `c${i}`, type })),
      [types.map((t, i) => parse(t, texts[i])), types.map(() => null)],
    );
  });

  it('vector, halfvec, sparsevec and bit columns', () => {
    const columns = (['vector', 'halfvec', 'sparsevec', 'bit'] as const).map((b) => ({
      name: b,
      type: sqlType(b),
    }));
    const cols = columns.map((c) => columnValues(c.type, SAMPLES[c.type.base]!, 4));
    roundTrip(
      columns,
      [0, 1, 2, 3].map((r) => cols.map((col) => col[r])),
    );
  });

  it('vector(3) is stored as float32; an unconstrained vector with mixed dims falls back to binary', () => {
    const v3 = sqlType('vector', 3);
    const rows = [
      [Float32Array.of(1, 2, 3), Float32Array.of(1)],
      [null, Float32Array.of(1, 2)],
    ];
    const columns = [
      { name: 'fixed', type: v3 },
      { name: 'mixed', type: T.vector },
    ];
    roundTrip(columns, rows);
    const seg = openSegment(
      writeSegment({ columns, rows, rowIds: [1, 2], insertTs: [1, 2], primaryKey: [] }),
      'test/v',
    );
    expect(seg.columns.map((c) => c.encoding)).toEqual(['float32', 'binary']);
    expect(() => seg.vectorColumn(1)).toThrow(/not a float32 vector column/);
  });

  it('zero rows, and zero columns', () => {
    roundTrip(
      [
        { name: 'a', type: T.int4 },
        { name: 'v', type: sqlType('vector', 4) },
      ],
      [],
    );
    roundTrip([], [[], []]);
  });

  it('in slices between turns of the event loop, the same bytes as at once', async () => {
    const columns = [
      { name: 'id', type: T.int4 },
      { name: 'note', type: T.text },
      { name: 'v', type: sqlType('vector', 8) },
    ];
    const rows = Array.from({ length: 3000 }, (_, i) => [
      i,
      i % 7 === 0 ? null : `row ${i}`,
      Float32Array.from({ length: 8 }, (_, d) => i * 0.5 - d),
    ]);
    const input = {
      columns,
      rows,
      rowIds: rows.map((_, i) => i),
      insertTs: rows.map(() => 9),
      primaryKey: [0],
    };
    const sliced = await writeSegmentInSlices(input);
    expect(Buffer.compare(sliced, writeSegment(input))).toBe(0);
    expect(openSegment(sliced, 'test/sliced').rowCount).toBe(3000);
  });

  it('rejects inconsistent input', () => {
    const columns = [{ name: 'v', type: sqlType('vector', 2) }];
    const base = { columns, rowIds: [1], insertTs: [1], primaryKey: [] };
    expect(() => writeSegment({ ...base, rows: [[Float32Array.of(1)]] })).toThrow(/expected 2 dimensions/);
    expect(() => writeSegment({ ...base, rows: [] })).toThrow(/one row id/);
    expect(() => writeSegment({ ...base, rows: [[null]], rowIds: [2 ** 53] })).toThrow(/safe integers/);
    expect(() => writeSegment({ ...base, rows: [[null]], primaryKey: [1] })).toThrow(/primary-key/);
  });
});
