import { describe, expect, test } from 'vitest';
import '../types/index.ts';
import { sqlType, T } from '../types/type.ts';
import { type CommitRecord, decodeCommitRecord, encodeCommitRecord } from './commit-record.ts';

const vector3 = { ...T.vector, typmod: 3 };

const record: CommitRecord = {
  catalogChanged: true,
  sequences: [{ oid: 16390, next: 42, called: true }],
  tables: [
    {
      tableOid: 16384,
      columns: [
        { attnum: 1, type: T.int8 },
        { attnum: 3, type: T.text },
        { attnum: 4, type: vector3 },
        { attnum: 5, type: sqlType('int4', -1, true) },
      ],
      ops: [
        { kind: 'truncate' },
        { kind: 'insert', rowId: 0, values: [1n, 'héllo', new Float32Array([1, 2.5, -3]), null] },
        { kind: 'insert', rowId: 7, values: [null, '', null, null] },
        { kind: 'delete', rowId: 0 },
        { kind: 'segment', key: 'tables/16384/spill-7-0.seg', bytes: 123456, attnums: [1, 3, 4] },
      ],
    },
  ],
};

describe('commit records', () => {
  test('round trip keeps ops in order, values, attnums and typmods', () => {
    const decoded = decodeCommitRecord(encodeCommitRecord(record));
    expect(decoded.catalogChanged).toBe(true);
    expect(decoded.sequences).toEqual(record.sequences);
    const [t] = decoded.tables;
    expect(t.tableOid).toBe(16384);
    expect(t.columns.map((c) => [c.attnum, c.type.base, c.type.typmod, c.type.isArray])).toEqual([
      [1, 'int8', -1, false],
      [3, 'text', -1, false],
      [4, 'vector', 3, false],
      [5, 'int4', -1, true],
    ]);
    expect(t.ops.map((o) => o.kind)).toEqual(['truncate', 'insert', 'insert', 'delete', 'segment']);
    expect(t.ops[4]).toEqual({
      kind: 'segment',
      key: 'tables/16384/spill-7-0.seg',
      bytes: 123456,
      attnums: [1, 3, 4],
    });
    const first = t.ops[1];
    expect(first.kind === 'insert' && first.rowId).toBe(0);
    expect(first.kind === 'insert' && first.values.slice(0, 2)).toEqual([1n, 'héllo']);
    expect(first.kind === 'insert' && Array.from(first.values[2] as Float32Array)).toEqual([1, 2.5, -3]);
    const second = t.ops[2];
    expect(second.kind === 'insert' && [second.rowId, ...second.values]).toEqual([7, null, '', null, null]);
  });

  test('a record cut short or with trailing bytes is rejected, not half-read', () => {
    const bytes = encodeCommitRecord(record);
    for (const cut of [1, 10, bytes.length - 1]) {
      expect(() => decodeCommitRecord(bytes.subarray(0, cut))).toThrow(/ends early/);
    }
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(() => decodeCommitRecord(longer)).toThrow(/trailing bytes/);
  });

  test('an empty commit (only a sequence moved) round-trips', () => {
    const r: CommitRecord = {
      catalogChanged: false,
      sequences: [{ oid: 1, next: -5, called: false }],
      tables: [],
    };
    expect(decodeCommitRecord(encodeCommitRecord(r))).toEqual(r);
  });
});
