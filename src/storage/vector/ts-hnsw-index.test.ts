import { describe, expect, it } from 'vitest';
import { hammingDistance, jaccardDistance } from './distance.ts';
import { exactTopKColumns } from './exact-top-k.ts';
import { SeededRandom } from './seeded-random.ts';
import { describeIndexConformance } from './testing/index-conformance.ts';
import { bitTsHnsw, floatTsHnsw } from './ts-hnsw-index.ts';

describeIndexConformance({
  name: 'TsHnswIndex',
  cases: [{ metric: 'l1', minRecall: 0.9, minFilteredRecall: 0.9 }],
  create: (metric, dimensions, initialCapacity) =>
    floatTsHnsw(metric, dimensions, { m: 16, efConstruction: 64, initialCapacity }),
  searchOptions: { efSearch: 40 },
});

/** Copy of `v` with each of its `bits` bits flipped with probability p. */
function flip(v: Uint8Array, bits: number, p: number, random: SeededRandom): Uint8Array {
  const out = Uint8Array.from(v);
  for (let b = 0; b < bits; b++) if (random.next() < p) out[b >> 3] ^= 0x80 >> (b & 7);
  return out;
}

/**
 * Packed bit vectors in a two-level hierarchy (16 prototypes × 8 variants, then noise),
 * so that neighbours are meaningful rather than all equally far, as in real binary codes.
 */
function clusteredBits(count: number, bits: number, seed: number): Uint8Array[] {
  const structure = new SeededRandom(1);
  const bytes = Math.ceil(bits / 8);
  const variants: Uint8Array[] = [];
  for (let p = 0; p < 16; p++) {
    const prototype = Uint8Array.from({ length: bytes }, () => structure.nextInt(256));
    for (let v = 0; v < 8; v++) variants.push(flip(prototype, bits, 0.15, structure));
  }
  const random = new SeededRandom(seed);
  return Array.from({ length: count }, () =>
    flip(variants[random.nextInt(variants.length)], bits, 0.04, random),
  );
}

describe.each([
  ['hamming', hammingDistance],
  ['jaccard', jaccardDistance],
] as const)('TsHnswIndex over bits, %s', (metric, distance) => {
  it('finds the exact neighbours of 2k×256-bit vectors with exact distances', () => {
    const vectors = clusteredBits(2000, 256, 5);
    const queries = clusteredBits(30, 256, 6);
    const index = bitTsHnsw(metric, 256);
    index.build(
      vectors.map((_, i) => i),
      vectors,
    );
    const ids = vectors.map((_, i) => i);
    let hits = 0;
    for (const q of queries) {
      const exact = exactTopKColumns(ids, vectors, q, 10, distance);
      const found = index.search(q, 10, { efSearch: 40 });
      found.rowIds.forEach((id, i) => {
        expect(found.distances[i]).toBe(distance(q, vectors[id]));
      });
      // Bit distances tie a lot: compare by the distance of the 10th neighbour, not ids.
      const cutoff = exact.distances[9];
      hits += found.distances.filter((d) => d <= cutoff).length;
    }
    console.info(`TsHnswIndex ${metric}: recall@10 ${(hits / (queries.length * 10)).toFixed(3)}`);
    expect(hits / (queries.length * 10)).toBeGreaterThanOrEqual(0.9);
  });

  it('rejects a vector of the wrong length', () => {
    const index = bitTsHnsw(metric, 12);
    expect(() => index.add(1, new Uint8Array(1))).toThrow(/expected 2 dimensions/);
  });
});
