import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../storage/vector/seeded-random.ts';
import type { SearchHit } from './messages.ts';
import { compareHits, hitKey, mergeTopK } from './top-k-merge.ts';

const hit = (rowId: number, distance: number, extra: Partial<SearchHit> = {}): SearchHit => ({
  rowId: BigInt(rowId),
  distance,
  segmentId: 0n,
  key: new Uint8Array(0),
  versionTs: 1n,
  ...extra,
});

/** The definition: keep each key's latest version (nearest of equals), sort everything, cut at k. */
function reference(lists: SearchHit[][], k: number): SearchHit[] {
  const best = new Map<string, SearchHit>();
  for (const h of lists.flat()) {
    const seen = best.get(hitKey(h));
    if (
      !seen ||
      h.versionTs > seen.versionTs ||
      (h.versionTs === seen.versionTs && compareHits(h, seen) < 0)
    ) {
      best.set(hitKey(h), h);
    }
  }
  return [...best.values()].sort(compareHits).slice(0, k);
}

describe('mergeTopK', () => {
  it('equals sorting all results, over random fragments with shared keys and versions', () => {
    const rng = new SeededRandom(7);
    const random = () => rng.next();
    for (let trial = 0; trial < 300; trial++) {
      const fragments = 1 + Math.floor(random() * 6);
      const k = 1 + Math.floor(random() * 20);
      const lists: SearchHit[][] = [];
      for (let f = 0; f < fragments; f++) {
        const list: SearchHit[] = [];
        const n = Math.floor(random() * 25);
        for (let i = 0; i < n; i++) {
          const pk = Math.floor(random() * 40); // keys repeat across fragments
          list.push(
            hit(
              f * 1000 + i,
              Math.round(random() * 50) / 10, // ties are common
              {
                segmentId: BigInt(f),
                key: random() < 0.8 ? Buffer.from(`pk${pk}`) : new Uint8Array(0),
                versionTs: BigInt(1 + Math.floor(random() * 3)),
              },
            ),
          );
        }
        // Fragments sort by distance only; ties arrive in any order.
        list.sort((a, b) => a.distance - b.distance);
        lists.push(list);
      }
      expect(mergeTopK(lists, k)).toEqual(reference(lists, k));
    }
  });

  it('drops an older version even when it is nearer', () => {
    const key = Buffer.from('id=1');
    const old = hit(1, 0.1, { key, versionTs: 5n, segmentId: 1n });
    const updated = hit(9, 0.9, { key, versionTs: 8n, segmentId: 2n });
    const other = hit(2, 0.5, { key: Buffer.from('id=2') });
    expect(mergeTopK([[old, other], [updated]], 10)).toEqual([other, updated]);
  });

  it('keeps one copy of a row two replicas or segments both returned', () => {
    const a = hit(3, 0.3);
    expect(mergeTopK([[a], [{ ...a }], [hit(4, 0.4)]], 2).map((h) => h.rowId)).toEqual([3n, 4n]);
  });

  it('puts NaN distances last, as PostgreSQL sorts them', () => {
    expect(mergeTopK([[hit(1, 0.5), hit(2, Number.NaN)], [hit(3, 0.7)]], 3).map((h) => h.rowId)).toEqual([
      1n,
      3n,
      2n,
    ]);
  });

  it('handles k = 0 and empty fragments', () => {
    expect(mergeTopK([[hit(1, 1)]], 0)).toEqual([]);
    expect(mergeTopK([[], []], 5)).toEqual([]);
  });
});
