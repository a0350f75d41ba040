/**
 * The WAL record of one committed transaction (DESIGN §3): its row changes per table in the
 * order they were made, the sequences advanced since the previous record, and whether the
 * catalog changed with it. Rows are self-describing — each table section lists its columns
 * by attnum with their type, values in PostgreSQL's binary format — so a record written
 * before an ALTER TABLE still replays onto the table as it is now.
 *
 * Layout (little-endian): u8 version, u8 flags (1 = catalog changed),
 *   u32 sequence count × { f64 oid, f64 next, u8 called },
 *   u32 table count × { f64 oid, u16 column count × { u16 attnum, u32 type oid, i32 typmod },
 *                       u32 op count × { u8 kind, [f64 rowId, [column values]] } }
 * where a value is i32 length (-1 = NULL) + bytes; kind 1 = insert, 2 = delete, 3 = truncate,
 * 4 = segment { u32 key length, key (UTF-8), f64 file size, u16 count × u16 attnum }: rows the
 * transaction wrote to a segment before committing (a long COPY), named instead of listed.
 */
import type { SqlType, Value } from '../types/type.ts';
import { binaryIn, binaryOut, sqlTypeFromOid, typeOid } from '../types/value-io.ts';
import { ByteReader, ByteWriter } from './bytes.ts';

const VERSION = 1;
const KIND = { insert: 1, delete: 2, truncate: 3, segment: 4 } as const;

export interface RecordColumn {
  readonly attnum: number;
  readonly type: SqlType;
}

export type RecordOp =
  | { readonly kind: 'insert'; readonly rowId: number; readonly values: readonly Value[] }
  | { readonly kind: 'delete'; readonly rowId: number }
  | { readonly kind: 'truncate' }
  | {
      readonly kind: 'segment';
      readonly key: string;
      readonly bytes: number;
      readonly attnums: readonly number[];
    };

export interface TableChanges {
  readonly tableOid: number;
  readonly columns: readonly RecordColumn[];
  readonly ops: readonly RecordOp[];
}

export interface SequenceState {
  readonly oid: number;
  readonly next: number;
  readonly called: boolean;
}

export interface CommitRecord {
  readonly catalogChanged: boolean;
  readonly sequences: readonly SequenceState[];
  readonly tables: readonly TableChanges[];
}

export function encodeCommitRecord(record: CommitRecord): Uint8Array {
  const w = new ByteWriter();
  w.u8(VERSION);
  w.u8(record.catalogChanged ? 1 : 0);
  w.u32(record.sequences.length);
  for (const s of record.sequences) {
    w.f64(s.oid);
    w.f64(s.next);
    w.u8(s.called ? 1 : 0);
  }
  w.u32(record.tables.length);
  for (const t of record.tables) {
    w.f64(t.tableOid);
    w.u16(t.columns.length);
    for (const c of t.columns) {
      w.u16(c.attnum);
      w.u32(typeOid(c.type));
      w.i32(c.type.typmod);
    }
    w.u32(t.ops.length);
    for (const op of t.ops) {
      w.u8(KIND[op.kind]);
      if (op.kind === 'truncate') continue;
      if (op.kind === 'segment') {
        const key = Buffer.from(op.key, 'utf8');
        w.u32(key.length);
        w.bytes(key);
        w.f64(op.bytes);
        w.u16(op.attnums.length);
        for (const a of op.attnums) w.u16(a);
        continue;
      }
      w.f64(op.rowId);
      if (op.kind !== 'insert') continue;
      for (let i = 0; i < t.columns.length; i++) {
        const v = op.values[i];
        if (v === null) {
          w.i32(-1);
          continue;
        }
        const bytes = binaryOut(t.columns[i].type, v);
        w.i32(bytes.length);
        w.bytes(bytes);
      }
    }
  }
  return w.finish().slice();
}

export function decodeCommitRecord(bytes: Uint8Array): CommitRecord {
  const r = new ByteReader(bytes);
  const version = r.u8();
  if (version !== VERSION) throw new RangeError(`unknown commit record version ${version}`);
  const catalogChanged = (r.u8() & 1) !== 0;
  const sequences: SequenceState[] = [];
  for (let n = r.u32(); n > 0; n--) sequences.push({ oid: r.f64(), next: r.f64(), called: r.u8() === 1 });
  const tables: TableChanges[] = [];
  for (let n = r.u32(); n > 0; n--) {
    const tableOid = r.f64();
    const columns: RecordColumn[] = [];
    for (let c = r.u16(); c > 0; c--) {
      const attnum = r.u16();
      const oid = r.u32();
      const typmod = r.i32();
      const type = sqlTypeFromOid(oid);
      if (!type) throw new RangeError(`commit record names unknown type OID ${oid}`);
      columns.push({ attnum, type: { ...type, typmod } });
    }
    const ops: RecordOp[] = [];
    for (let o = r.u32(); o > 0; o--) {
      const kind = r.u8();
      if (kind === KIND.truncate) {
        ops.push({ kind: 'truncate' });
        continue;
      }
      if (kind === KIND.segment) {
        const key = Buffer.from(r.bytesOf(r.u32())).toString('utf8');
        const bytes = r.f64();
        const attnums: number[] = [];
        for (let a = r.u16(); a > 0; a--) attnums.push(r.u16());
        ops.push({ kind: 'segment', key, bytes, attnums });
        continue;
      }
      const rowId = r.f64();
      if (kind === KIND.delete) {
        ops.push({ kind: 'delete', rowId });
        continue;
      }
      if (kind !== KIND.insert) throw new RangeError(`unknown commit record op ${kind}`);
      const values: Value[] = [];
      for (const c of columns) {
        const len = r.i32();
        values.push(len < 0 ? null : binaryIn(c.type, r.bytesOf(len)));
      }
      ops.push({ kind: 'insert', rowId, values });
    }
    tables.push({ tableOid, columns, ops });
  }
  if (!r.done) throw new RangeError('commit record has trailing bytes');
  return { catalogChanged, sequences, tables };
}
