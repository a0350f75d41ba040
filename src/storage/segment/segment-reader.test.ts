import { describe, expect, it } from 'vitest';
import '../../types/index.ts';
import { ctx } from '../../types/test-helpers.ts';
import { type SqlType, sqlType, T, type Value } from '../../types/type.ts';
import { textIn } from '../../types/value-io.ts';
import { crc32 as crc32Of } from '../crc32.ts';
import {
  blockName,
  HEADER_SIZE,
  SegmentCorruptError,
  type SegmentFooter,
  TRAILER_SIZE,
} from './segment-format.ts';
import { openSegment } from './segment-reader.ts';
import { type SegmentInput, writeSegment } from './segment-writer.ts';

const num = (s: string) => textIn(T.numeric, s, ctx);

function sample(): SegmentInput {
  const columns = [
    { name: 'id', type: T.int8 },
    { name: 'price', type: T.numeric },
    { name: 'tag', type: T.text },
    { name: 'embedding', type: sqlType('vector', 3) },
  ];
  const rows: Value[][] = Array.from({ length: 50 }, (_, i) => [
    BigInt(i * 10),
    i % 7 === 0 ? null : num(`${i}.5`),
    `tag-${i % 5}`,
    i % 4 === 0 ? null : Float32Array.of(i, -i, i / 2),
  ]);
  return {
    columns,
    rows,
    rowIds: rows.map((_, i) => 1000 + i),
    insertTs: rows.map((_, i) => 5000 + i),
    primaryKey: [0],
  };
}

/** Reads everything a caller could read, so lazy checks run. */
function readAll(bytes: Uint8Array): void {
  const seg = openSegment(bytes, 'tables/7/seg-42');
  seg.verify();
  seg.columns.forEach((_, c) => seg.column(c));
  void seg.rowIds;
  void seg.insertTs;
  seg.mightContainKey([0n]);
}

function footerOf(bytes: Uint8Array): SegmentFooter {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const trailer = bytes.length - TRAILER_SIZE;
  const len = view.getUint32(trailer, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(trailer - len, trailer)));
}

function expectCorrupt(bytes: Uint8Array, block: string): void {
  let err: unknown;
  try {
    readAll(bytes);
  } catch (e) {
    err = e;
  }
  expect(err, `damage in ${block}`).toBeInstanceOf(SegmentCorruptError);
  expect((err as SegmentCorruptError).message).toContain('"tables/7/seg-42"');
  expect((err as SegmentCorruptError).block).toBe(block);
  expect((err as SegmentCorruptError).code).toBe('XX001');
}

describe('segment reader', () => {
  it('exposes ids, timestamps, stats and the primary-key filter', () => {
    const input = sample();
    const seg = openSegment(writeSegment(input), 'tables/7/seg-42');
    expect(Array.from(seg.rowIds)).toEqual(input.rowIds);
    expect(Array.from(seg.insertTs)).toEqual(input.insertTs);
    expect(seg.primaryKey).toEqual([0]);
    expect(seg.stats[0]).toEqual({ nullCount: 0, min: 0n, max: 490n });
    expect(String(seg.stats[1].min)).toBe('1.5');
    expect(String(seg.stats[1].max)).toBe('48.5');
    expect(seg.stats[1].nullCount).toBe(8);
    expect(seg.stats[2]).toEqual({ nullCount: 0, min: 'tag-0', max: 'tag-4' });
    expect(seg.stats[3]).toEqual({ nullCount: 13, min: null, max: null });
    for (let i = 0; i < 50; i++) expect(seg.mightContainKey([BigInt(i * 10)])).toBe(true);
    const fp = Array.from({ length: 1000 }, (_, i) => seg.mightContainKey([BigInt(i * 10 + 5)])).filter(
      Boolean,
    );
    expect(fp.length).toBeLessThan(40);
  });

  it('a table without a primary key has no filter and answers "maybe"', () => {
    const seg = openSegment(writeSegment({ ...sample(), primaryKey: [] }), 's');
    expect(seg.bloom).toBeNull();
    expect(seg.mightContainKey([1n])).toBe(true);
  });

  it('vector columns are zero-copy views over the input', () => {
    const bytes = writeSegment(sample());
    const seg = openSegment(bytes, 's');
    const vc = seg.vectorColumn(3);
    expect(vc.dims).toBe(3);
    expect(vc.data.buffer).toBe(bytes.buffer);
    expect(vc.data.length).toBe(150);
    expect(vc.isNull(0)).toBe(true);
    expect(Array.from(vc.vector(0))).toEqual([0, 0, 0]);
    expect(Array.from(vc.vector(5))).toEqual([5, -5, 2.5]);
    expect(vc.vector(5).buffer).toBe(bytes.buffer);
    expect(seg.rowIds.buffer).toBe(bytes.buffer);
    // column() hands out copies the caller may keep or change.
    expect((seg.column(3)[5] as Float32Array).buffer).not.toBe(bytes.buffer);
  });

  it('copies instead of failing when the input is misaligned', () => {
    const bytes = writeSegment(sample());
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    const seg = openSegment(shifted, 's');
    expect(Array.from(seg.vectorColumn(3).vector(5))).toEqual([5, -5, 2.5]);
    expect(seg.rowIds[3]).toBe(1003);
  });

  it('100k × 128 vectors: encode and decode', () => {
    const n = 100_000;
    const dims = 128;
    const type: SqlType = sqlType('vector', dims);
    const rows: Value[][] = new Array(n);
    for (let r = 0; r < n; r++) {
      const v = new Float32Array(dims);
      for (let d = 0; d < dims; d++) v[d] = ((r * 31 + d * 17) % 1000) / 1000;
      rows[r] = [r, v];
    }
    const ids = Array.from({ length: n }, (_, i) => i);
    const t0 = performance.now();
    const bytes = writeSegment({
      columns: [
        { name: 'id', type: T.int4 },
        { name: 'v', type },
      ],
      rows,
      rowIds: ids,
      insertTs: ids,
      primaryKey: [0],
    });
    const t1 = performance.now();
    const seg = openSegment(bytes, 's');
    const vc = seg.vectorColumn(1);
    const t2 = performance.now();
    const idsCol = seg.column(0);
    const t3 = performance.now();
    console.log(
      `100k×128: ${(bytes.length / 2 ** 20).toFixed(1)} MiB, encode ${(t1 - t0).toFixed(0)} ms, ` +
        `open + vector column (CRC) ${(t2 - t1).toFixed(0)} ms, decode int4 column ${(t3 - t2).toFixed(0)} ms`,
    );
    expect(vc.data.length).toBe(n * dims);
    expect(vc.data.buffer).toBe(bytes.buffer);
    expect(vc.vector(n - 1)).toEqual(rows[n - 1][1]);
    expect(idsCol[n - 1]).toBe(n - 1);
    expect(seg.mightContainKey([n - 1])).toBe(true);
  });

  it('0 rows', () => {
    const seg = openSegment(writeSegment({ ...sample(), rows: [], rowIds: [], insertTs: [] }), 's');
    seg.verify();
    expect(seg.rowCount).toBe(0);
    expect(seg.column(1)).toEqual([]);
    expect(seg.vectorColumn(3).data.length).toBe(0);
    expect(seg.mightContainKey([1n])).toBe(false);
  });

  it('a bit flip in any block throws SegmentCorruptError naming segment and block', () => {
    const bytes = writeSegment(sample());
    const footer = footerOf(bytes);
    const trailer = bytes.length - TRAILER_SIZE;
    const regions = [
      { block: 'header', at: [0, 7, 8, 12] },
      { block: 'footer', at: [trailer - 5] },
      { block: 'trailer', at: [trailer + 8, bytes.length - 1] },
      ...footer.blocks.map((b) => ({
        block: blockName(b, footer.columns),
        at: [b.offset, b.offset + (b.length >> 1), b.offset + b.length - 1],
      })),
    ];
    expect(regions.length).toBe(3 + 4 + 3);
    for (const { block, at } of regions) {
      for (const pos of at) {
        const damaged = bytes.slice();
        damaged[pos] ^= 0x10;
        expectCorrupt(damaged, block);
      }
    }
  });

  it('truncation anywhere, wrong magic and wrong version throw SegmentCorruptError', () => {
    const bytes = writeSegment(sample());
    for (const len of [0, 10, HEADER_SIZE + TRAILER_SIZE - 1, 100, bytes.length >> 1, bytes.length - 1]) {
      const block = len < HEADER_SIZE + TRAILER_SIZE ? 'file' : 'trailer';
      expectCorrupt(bytes.subarray(0, len), block);
    }
    const foreign = bytes.slice();
    foreign.set(new TextEncoder().encode('PAR1'), 0);
    expectCorrupt(foreign, 'header');
    const future = bytes.slice();
    future[8] = 2;
    expect(() => openSegment(future, 'tables/7/seg-42')).toThrow(/header: unsupported format version 2/);
  });

  it('a footer that passes its CRC but does not fit the file is still rejected', () => {
    const bytes = writeSegment(sample());
    const footer = footerOf(bytes);
    const forgeries: SegmentFooter[] = [
      { ...footer, blocks: footer.blocks.map((b, i) => (i === 0 ? { ...b, offset: 1 << 30 } : b)) },
      { ...footer, blocks: footer.blocks.slice(1) },
      { ...footer, columns: footer.columns.map((c, i) => (i === 0 ? { ...c, encoding: 'float32' } : c)) },
      { ...footer, rowCount: -1 },
    ];
    for (const forged of forgeries) expectCorrupt(withFooter(bytes, forged), 'footer');
  });
});

/** The file with its footer replaced by `footer` and a matching trailer (a valid CRC). */
function withFooter(bytes: Uint8Array, footer: SegmentFooter): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(footer));
  const trailer = bytes.length - TRAILER_SIZE;
  const start = trailer - new DataView(bytes.buffer).getUint32(trailer, true);
  const out = new Uint8Array(start + json.length + TRAILER_SIZE);
  out.set(bytes.subarray(0, start));
  out.set(json, start);
  const view = new DataView(out.buffer);
  view.setUint32(start + json.length, json.length, true);
  view.setUint32(start + json.length + 4, crc32Of(json), true);
  out.set(bytes.subarray(trailer + 8), start + json.length + 8);
  return out;
}
