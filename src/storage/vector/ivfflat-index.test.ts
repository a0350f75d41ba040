import { describe, expect, it } from 'vitest';
import { IvfflatIndex } from './ivfflat-index.ts';
import { clusteredData } from './testing/clustered-data.ts';
import { describeIndexConformance } from './testing/index-conformance.ts';

describeIndexConformance({
  name: 'IvfflatIndex',
  cases: [
    { metric: 'l2', minRecall: 0.9, minFilteredRecall: 0.5 },
    { metric: 'cosine', minRecall: 0.9, minFilteredRecall: 0.5 },
    // Inner product is the hard case for any IVF (a list's direction says little about the
    // norms in it); pgvector shows the same gap. Measured 0.91 here; the bar leaves noise room.
    { metric: 'ip', minRecall: 0.85, minFilteredRecall: 0.4 },
  ],
  create: (metric, dimensions) => new IvfflatIndex(metric, dimensions, { lists: 100 }),
  searchOptions: { probes: 10 },
});

describe('IvfflatIndex lifecycle', () => {
  const data = clusteredData({ count: 3000, dimensions: 8, seed: 3 });

  it('works when created on an empty table, like pgvector', () => {
    const index = new IvfflatIndex('l2', 8, { lists: 10 });
    index.build([], []);
    expect(index.search(data.vectors[0], 5, {})).toEqual({ rowIds: [], distances: [] });
    for (let i = 0; i < 50; i++) index.add(i, data.vectors[i]);
    expect(index.search(data.vectors[10], 1, {}).rowIds).toEqual([10]);
    expect(index.search(data.vectors[10], 50, {}).rowIds).toHaveLength(50);
  });

  it('builds implicitly on the first add', () => {
    const index = new IvfflatIndex('cosine', 8, { lists: 4 });
    index.add(1, data.vectors[1]);
    expect(index.built).toBe(true);
    expect(index.search(data.vectors[1], 3, {}).rowIds).toEqual([1]);
  });

  it('is deterministic for a seed', () => {
    const ids = data.vectors.map((_, i) => i);
    const a = new IvfflatIndex('l2', 8, { lists: 20, seed: 9 });
    const b = new IvfflatIndex('l2', 8, { lists: 20, seed: 9 });
    a.build(ids, data.vectors);
    b.build(ids, data.vectors);
    for (const q of data.sample(10, 4))
      expect(a.search(q, 10, { probes: 1 })).toEqual(b.search(q, 10, { probes: 1 }));
  });

  it('probes more lists than asked only when the asked ones cannot fill k', () => {
    const ids = data.vectors.map((_, i) => i);
    const index = new IvfflatIndex('l2', 8, { lists: 30 });
    index.build(ids, data.vectors);
    const filter = (rowId: number): boolean => rowId === 2999 || rowId === 5;
    expect(index.search(data.vectors[0], 10, { probes: 1, filter }).rowIds.sort()).toEqual([2999, 5].sort());
  });
});
