/**
 * The kNN benchmark's pure parts (bench/lib): the generated data is the same for the same
 * seed, recall and percentiles are counted as documented, the exact answers are exact,
 * and the plot is a well-formed PNG of the requested size.
 */
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { findDataset, generateDataset, queryCategory } from '../bench/lib/dataset.ts';
import { exactNearest } from '../bench/lib/ground-truth.ts';
import { percentile, recall } from '../bench/lib/metrics.ts';
import { recallQpsPlot } from '../bench/lib/plot.ts';
import { encodePng, PNG_SIGNATURE } from '../bench/lib/png.ts';
import { parseMemory, tuningWarnings } from '../bench/lib/tuning.ts';
import { crc32 } from '../src/storage/crc32.ts';

const bytes = (a: Float32Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('dataset', () => {
  it('is the same bytes for the same seed and different for another', () => {
    const spec = findDataset('clustered-100k-128', 2000);
    const a = generateDataset(spec, 7, 20);
    const b = generateDataset(spec, 7, 20);
    const c = generateDataset(spec, 8, 20);
    expect(a.vectors).toHaveLength(2000);
    expect(a.vectors[1999]).toHaveLength(128);
    expect(bytes(a.flat).equals(bytes(b.flat))).toBe(true);
    expect(bytes(a.categories).equals(bytes(b.categories))).toBe(true);
    expect(a.queries.map((q) => bytes(q).toString('hex'))).toEqual(
      b.queries.map((q) => bytes(q).toString('hex')),
    );
    expect(bytes(a.flat).equals(bytes(c.flat))).toBe(false);
  });

  it('has categories that keep 10% and 1% of the rows, and queries that are not rows', () => {
    const d = generateDataset(findDataset('clustered-100k-128', 20_000), 42, 5);
    const share = (category: number) =>
      d.categories.filter((c) => c === category).length / d.categories.length;
    expect(share(queryCategory(10, 0))).toBeGreaterThan(0.09);
    expect(share(queryCategory(10, 0))).toBeLessThan(0.11);
    for (const q of [0, 1, 89]) {
      expect(share(queryCategory(1, q))).toBeGreaterThan(0.006);
      expect(share(queryCategory(1, q))).toBeLessThan(0.014);
    }
    const rows = new Set(d.vectors.map((v) => bytes(v).toString('hex')));
    for (const q of d.queries) expect(rows.has(bytes(q).toString('hex'))).toBe(false);
  });
});

describe('exact nearest neighbours', () => {
  const flat = new Float32Array([0, 0, 1, 0, 0, 2, 5, 5, 3, 0]); // rows of 2: (0,0) (1,0) (0,2) (5,5) (3,0)
  it('ranks by L2 distance, filtered or not', () => {
    const q = new Float32Array([0.9, 0.3]);
    expect(exactNearest(flat, 2, 'l2', [q], 3)).toEqual([[1, 0, 2]]);
    expect(exactNearest(flat, 2, 'l2', [q], 3, undefined, (_, row) => row % 2 === 0)).toEqual([[0, 2, 4]]);
  });
  it('ranks by cosine distance', () => {
    const norms = new Float64Array([1, 1, 2, Math.SQRT2 * 5, 3]);
    const nonZero = (_: number, row: number) => row !== 0;
    expect(exactNearest(flat, 2, 'cosine', [new Float32Array([1, 1])], 1, norms, nonZero)).toEqual([[3]]);
    expect(exactNearest(flat, 2, 'cosine', [new Float32Array([0, 1])], 1, norms, nonZero)).toEqual([[2]]);
  });
});

describe('metrics', () => {
  it('counts recall against the exact answer, a short exact answer being complete', () => {
    expect(recall([1, 2, 3, 4], [3, 4, 5, 6])).toBe(0.5);
    expect(recall([7, 8], [8, 7])).toBe(1);
    expect(recall([], [])).toBe(1);
    expect(recall([], [1])).toBe(0);
  });
  it('takes percentiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(percentile([], 50)).toBeNaN();
  });
  it('reads PostgreSQL memory settings and warns about an untuned server', () => {
    expect(parseMemory('128MB')).toBe(128 * 2 ** 20);
    expect(parseMemory('2GB')).toBe(2 ** 31);
    expect(parseMemory('64kB')).toBe(64 * 1024);
    expect(tuningWarnings({ shared_buffers: '4GB', maintenance_work_mem: '2GB' }, 2 ** 30)).toEqual([]);
    expect(tuningWarnings({ shared_buffers: '128MB', maintenance_work_mem: '64MB' }, 2 ** 30)).toHaveLength(
      2,
    );
  });
});

describe('PNG', () => {
  function chunks(png: Buffer): { type: string; data: Buffer }[] {
    const out: { type: string; data: Buffer }[] = [];
    for (let at = 8; at < png.length; ) {
      const length = png.readUInt32BE(at);
      const type = png.toString('latin1', at + 4, at + 8);
      const data = png.subarray(at + 8, at + 8 + length);
      expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
      out.push({ type, data });
      at += 12 + length;
    }
    return out;
  }

  it('writes signature, IHDR of the given size, IDAT rows and IEND with valid CRCs', () => {
    const rgb = new Uint8Array(7 * 5 * 3).fill(200);
    const png = encodePng(7, 5, rgb);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const parts = chunks(png);
    expect(parts.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(parts[0].data.readUInt32BE(0)).toBe(7);
    expect(parts[0].data.readUInt32BE(4)).toBe(5);
    expect([parts[0].data[8], parts[0].data[9]]).toEqual([8, 2]);
    const raw = inflateSync(parts[1].data);
    expect(raw.length).toBe(5 * (1 + 7 * 3));
    expect(raw[0]).toBe(0);
    expect(raw[1]).toBe(200);
  });

  it('plots recall against QPS at the requested size', () => {
    const png = recallQpsPlot(
      'test',
      [
        {
          label: 'a 1 conn',
          colour: 0,
          marker: 0,
          points: [
            { recall: 0.8, qps: 100 },
            { recall: 0.95, qps: 50 },
          ],
        },
      ],
      480,
      320,
    );
    const ihdr = chunks(png)[0].data;
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4)]).toEqual([480, 320]);
  });
});
