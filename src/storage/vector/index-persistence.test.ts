import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { BitString } from '../../types/bit.ts';
import { HalfVector } from '../../types/halfvec.ts';
import { SparseVector } from '../../types/sparsevec.ts';
import type { Value } from '../../types/type.ts';
import { crc32 } from '../crc32.ts';
import { runAtOnce, runInSlices } from '../stepwise.ts';
import type { SearchOptions } from '../vector-index.ts';
import type { ByteWriter } from './byte-io.ts';
import { type ColumnIndex, type ColumnIndexSpec, createColumnIndex } from './column-index.ts';
import { IndexFileError } from './index-file-error.ts';
import {
  captureColumnIndex,
  encodeIndexFile,
  FORMAT_VERSION,
  loadColumnIndex,
  saveColumnIndex,
} from './index-persistence.ts';
import { clusteredData } from './testing/clustered-data.ts';

const ROWS = 2000;
const ADDED = 200;
const K = 10;

/** Column values of each indexed type, derived from clustered float vectors. */
const toValue: Record<ColumnIndexSpec['type'], (v: Float32Array) => Value> = {
  vector: (v) => v,
  halfvec: (v) => HalfVector.fromFloats(v),
  // Sparse: keep the larger half of the coordinates (by magnitude), so nnz varies per row.
  sparsevec: (v) => {
    const indices = [...v.keys()].filter((d) => Math.abs(v[d]) > 0.8);
    return new SparseVector(
      v.length,
      Int32Array.from(indices),
      Float32Array.from(indices, (d) => v[d]),
    );
  },
  // Bits: the sign pattern, as binary_quantize does.
  bit: (v) => BitString.fromBinary(Array.from(v, (x) => (x > 0 ? '1' : '0')).join('')),
};

interface Case {
  readonly spec: ColumnIndexSpec;
  readonly search: SearchOptions;
  /** hnswlib does not restore its level generator: rows added after a load grow another graph. */
  readonly growsLikeOriginal: boolean;
}

const hnsw = { m: 8, efConstruction: 32, seed: 3 };
const ivf = { lists: 20, seed: 3 };
const cases: Case[] = [
  ...(['l2', 'ip', 'cosine', 'l1'] as const).map((metric) => ({
    spec: { method: 'hnsw', type: 'vector', metric, dimensions: 24, options: hnsw },
    search: { efSearch: 40 },
    growsLikeOriginal: metric === 'l1',
  })),
  ...(['l2', 'ip', 'cosine'] as const).map((metric) => ({
    spec: { method: 'ivfflat', type: 'vector', metric, dimensions: 24, options: ivf },
    search: { probes: 3 },
    growsLikeOriginal: true,
  })),
  {
    spec: { method: 'hnsw', type: 'halfvec', metric: 'cosine', dimensions: 24, options: hnsw },
    search: { efSearch: 40 },
    growsLikeOriginal: false,
  },
  {
    spec: { method: 'ivfflat', type: 'halfvec', metric: 'l2', dimensions: 24, options: ivf },
    search: { probes: 3 },
    growsLikeOriginal: true,
  },
  {
    spec: { method: 'hnsw', type: 'sparsevec', metric: 'l2', dimensions: 24, options: hnsw },
    search: { efSearch: 40 },
    growsLikeOriginal: true,
  },
  ...(['hamming', 'jaccard'] as const).map((metric) => ({
    spec: { method: 'hnsw', type: 'bit', metric, dimensions: 64, options: hnsw },
    search: { efSearch: 40 },
    growsLikeOriginal: true,
  })),
  {
    spec: { method: 'ivfflat', type: 'bit', metric: 'hamming', dimensions: 64, options: ivf },
    search: { probes: 3 },
    growsLikeOriginal: true,
  },
] as Case[];

function valuesFor(spec: ColumnIndexSpec, count: number, seed: number): Value[] {
  const data = clusteredData({ count: 0, dimensions: spec.dimensions, clusters: 16, seed: 7 });
  return data.sample(count, seed).map(toValue[spec.type]);
}

/** Row ids are sparse and not in insertion order, as a table's would be after updates. */
const rowIdOf = (i: number): number => i * 7 + (i % 3);

function build(spec: ColumnIndexSpec, values: readonly Value[]): ColumnIndex {
  const index = createColumnIndex(spec.method, spec.type, spec.metric, spec.dimensions, spec.options);
  index.index.build(
    values.map((_, i) => rowIdOf(i)),
    values.map(index.encode),
  );
  // Delete every 10th row, and re-add a few deleted ones with new values (an UPDATE reusing the id).
  for (let i = 0; i < values.length; i += 10) index.index.remove(rowIdOf(i));
  for (let i = 0; i < 100; i += 20) index.index.add(rowIdOf(i), index.encode(values[i + 1]));
  return index;
}

function searchAll(index: ColumnIndex, queries: readonly Value[], options: SearchOptions) {
  const filtered = { ...options, filter: (rowId: number) => rowId % 3 !== 1 };
  return queries.flatMap((q) => [
    index.index.search(index.encode(q), K, options),
    index.index.search(index.encode(q), K, filtered),
  ]);
}

function addMore(index: ColumnIndex, values: readonly Value[]): void {
  values.forEach((v, i) => index.index.add(rowIdOf(ROWS + i), index.encode(v)));
}

const label = (c: Case): string =>
  `${c.spec.method} ${c.spec.type} ${c.spec.metric} (${c.spec.dimensions} dims)`;

describe.each(cases.map((c) => [label(c), c] as const))('saved %s', (_, c) => {
  const values = valuesFor(c.spec, ROWS, 11);
  const queries = valuesFor(c.spec, 20, 12);
  const more = valuesFor(c.spec, ADDED, 13);

  it('loads into an index with the same size and search results, that keeps growing', async () => {
    const original = build(c.spec, values);
    const bytes = saveColumnIndex(original);
    // The catalog hands a spec that went through JSON, not the original object.
    const spec = JSON.parse(JSON.stringify(c.spec)) as ColumnIndexSpec;
    const loaded = await loadColumnIndex(bytes, spec);

    expect(loaded.index.size()).toBe(original.index.size());
    expect(loaded.index.size()).toBe(ROWS - ROWS / 10 + 5);
    const before = searchAll(original, queries, c.search);
    expect(before.every((r) => r.rowIds.length === K)).toBe(true);
    expect(searchAll(loaded, queries, c.search)).toEqual(before);
    // Saving the loaded index gives the same bytes: nothing was lost or reordered.
    expect(Buffer.compare(saveColumnIndex(loaded), bytes)).toBe(0);

    addMore(loaded, more);
    expect(loaded.index.size()).toBe(original.index.size() + ADDED);
    // A row is its own nearest neighbour (not under ip, where longer vectors win).
    if (c.spec.metric !== 'ip') {
      more.slice(0, 20).forEach((v, i) => {
        const found = loaded.index.search(loaded.encode(v), 1, c.search);
        // Several rows may share a bit pattern: then any of them is right.
        if (found.rowIds[0] !== rowIdOf(ROWS + i)) expect(found.distances[0]).toBe(0);
        expect(found.distances[0]).toBeCloseTo(0, 5);
      });
    }
    loaded.index.remove(rowIdOf(ROWS));
    expect(loaded.index.size()).toBe(original.index.size() + ADDED - 1);
    loaded.index.add(rowIdOf(ROWS), loaded.encode(more[1]));

    // Rows added after a load grow the graph the original would have grown, or (hnswlib)
    // at least the same one on every load of the same bytes.
    const reference = c.growsLikeOriginal ? original : await loadColumnIndex(bytes, spec);
    addMore(reference, more);
    reference.index.remove(rowIdOf(ROWS));
    reference.index.add(rowIdOf(ROWS), reference.encode(more[1]));
    expect(reference.index.size()).toBe(loaded.index.size());
    expect(searchAll(loaded, queries, c.search)).toEqual(searchAll(reference, queries, c.search));
  });

  it('captured off the event loop: the bytes saved now; rows changed during the copy leave a file that loads', async () => {
    const original = build(c.spec, values.slice(0, 500));
    const bytes = saveColumnIndex(original);
    const captured = runAtOnce(encodeIndexFile(await captureColumnIndex(original)));
    expect(Buffer.compare(captured, bytes)).toBe(0);

    // Rows added and removed while the copy runs may or may not be in it (the copy runs
    // between two of them on the thread pool), and the file is consistent either way.
    const sizeBefore = original.index.size();
    const capture = captureColumnIndex(original);
    addMore(original, more.slice(0, 50));
    original.index.remove(rowIdOf(ROWS));
    expect(original.index.size()).toBe(sizeBefore + 49);
    const during = await loadColumnIndex(await runInSlices(encodeIndexFile(await capture)), c.spec);
    expect(during.index.size()).toBeGreaterThanOrEqual(sizeBefore - 1);
    expect(during.index.size()).toBeLessThanOrEqual(sizeBefore + 50);
    expect(searchAll(during, queries, c.search).every((r) => r.rowIds.length === K)).toBe(true);
  });

  it('rejects a flipped byte, a truncated file and another definition', async () => {
    const bytes = saveColumnIndex(build(c.spec, values.slice(0, 300)));
    for (const at of [2, 25, bytes.length >> 1, bytes.length - 2]) {
      const damaged = Uint8Array.from(bytes);
      damaged[at] ^= 0x10;
      await expect(loadColumnIndex(damaged, c.spec)).rejects.toThrow(IndexFileError);
    }
    const flipped = Uint8Array.from(bytes);
    flipped[bytes.length >> 1] ^= 0x01;
    await expect(loadColumnIndex(flipped, c.spec)).rejects.toThrow(/damaged: CRC-32 is 0x[0-9a-f]{8}/);
    await expect(loadColumnIndex(bytes.subarray(0, bytes.length - 100), c.spec)).rejects.toThrow(
      /truncated or damaged: it has \d+ bytes, its length field says \d+/,
    );
    await expect(loadColumnIndex(bytes.subarray(0, 10), c.spec)).rejects.toThrow(/truncated/);

    const others = c.spec.type === 'bit' ? ['hamming', 'jaccard'] : ['l2', 'cosine'];
    const otherMetric = others.find((m) => m !== c.spec.metric) as ColumnIndexSpec['metric'];
    await expect(loadColumnIndex(bytes, { ...c.spec, metric: otherMetric })).rejects.toThrow(
      `metric is ${c.spec.metric}, expected ${otherMetric}`,
    );
    await expect(loadColumnIndex(bytes, { ...c.spec, dimensions: c.spec.dimensions + 8 })).rejects.toThrow(
      `dimensions is ${c.spec.dimensions}, expected ${c.spec.dimensions + 8}`,
    );
  });
});

describe('saved index files', () => {
  const spec: ColumnIndexSpec = {
    method: 'hnsw',
    type: 'vector',
    metric: 'l2',
    dimensions: 8,
    options: { m: 8, efConstruction: 32 },
  };
  const values = valuesFor(spec, 300, 21);

  it('round-trips empty indexes, which can then grow', async () => {
    for (const c of cases) {
      const empty = createColumnIndex(
        c.spec.method,
        c.spec.type,
        c.spec.metric,
        c.spec.dimensions,
        c.spec.options,
      );
      const loaded = await loadColumnIndex(saveColumnIndex(empty), c.spec);
      expect(loaded.index.size()).toBe(0);
      expect(loaded.index.search(loaded.encode(valuesFor(c.spec, 1, 5)[0]), K, c.search).rowIds).toEqual([]);
      const more = valuesFor(c.spec, 40, 6);
      addMore(loaded, more);
      expect(loaded.index.size()).toBe(40);
      expect(loaded.index.search(loaded.encode(more[0]), K, c.search).rowIds).toHaveLength(K);
    }
  });

  it('rejects other build parameters, another method and an unknown format version', async () => {
    const bytes = saveColumnIndex(build(spec, values));
    await expect(loadColumnIndex(bytes, { ...spec, options: { m: 16, efConstruction: 32 } })).rejects.toThrow(
      'saved vector index cannot be loaded: it was saved for another index definition: m is 8, expected 16',
    );
    await expect(loadColumnIndex(bytes, { ...spec, method: 'ivfflat' })).rejects.toThrow(
      'method is hnsw, expected ivfflat',
    );
    await expect(loadColumnIndex(bytes, { ...spec, type: 'halfvec' })).rejects.toThrow(
      'type is vector, expected halfvec',
    );
    const future = withHeaderVersion(bytes, FORMAT_VERSION + 1);
    await expect(loadColumnIndex(future, spec)).rejects.toThrow(
      `format version ${FORMAT_VERSION + 1} is not supported (this build reads ${FORMAT_VERSION})`,
    );
    const notOurs = Uint8Array.from(bytes);
    notOurs.set(new TextEncoder().encode('PK'), 0);
    await expect(loadColumnIndex(notOurs, spec)).rejects.toThrow('bad magic');
  });

  it('reports a payload hnswlib cannot read, and leaves no temp files', async () => {
    const real = saveColumnIndex(build(spec, values));
    const ownFiles = async () =>
      (await readdir(tmpdir())).filter((name) => name.startsWith(`quiver-hnsw-${process.pid}-`));
    // A well-framed file (valid checksum) whose hnswlib part stops after hnswlib's header.
    const forged = createColumnIndex(spec.method, spec.type, spec.metric, spec.dimensions, spec.options);
    // After the 20-byte prefix, the JSON header and the blob's 8-byte length.
    const start = 20 + new DataView(real.buffer).getUint32(16, true) + 8;
    const hnswlibHeader = real.subarray(start, start + 96);
    const fake: ColumnIndex = {
      ...forged,
      index: Object.assign(Object.create(forged.index), {
        async writeTo(out: ByteWriter) {
          out.blob(hnswlibHeader);
          out.f64(1024);
          out.array(new Uint32Array(0));
        },
      }),
    };
    await expect(loadColumnIndex(saveColumnIndex(fake), spec)).rejects.toThrow(
      /saved vector index cannot be loaded: payload: .*corrupted/i,
    );
    expect(await ownFiles()).toEqual([]);
  });
});

/** The same file with another format version and a checksum that matches again. */
function withHeaderVersion(bytes: Uint8Array, version: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  const view = new DataView(out.buffer);
  view.setUint32(4, version, true);
  view.setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}
