import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Index } from 'quiver-hnsw';
import { afterAll, describe, expect, it } from 'vitest';
import { clusteredData } from './testing/clustered-data.ts';

const dir = mkdtempSync(join(tmpdir(), 'quiver-hnsw-lists-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Level-0 link counts per element, read from hnswlib's file (96-byte header, then one record per element, its 16-bit link count first). */
function levelZeroDegrees(index: Index): number[] {
  const file = join(dir, `graph-${Math.random().toString(36).slice(2)}.bin`);
  index.save(file);
  const bytes = readFileSync(file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const elements = Number(view.getBigUint64(16, true));
  const perElement = Number(view.getBigUint64(24, true));
  return Array.from({ length: elements }, (_, i) => view.getUint16(96 + i * perElement, true));
}

describe('native HNSW neighbour selection', () => {
  // hnswlib's diversity rule alone leaves most lists far below their size on clustered data
  // (mean degree 10 of 32 here, some nodes with 1 link), which capped recall at 1M rows; the
  // addon links new elements to 2m base-layer neighbours and fills the slots the rule
  // leaves empty with the nearest pruned candidates, as pgvector does.
  it('fills every level-0 neighbour list to 2m on clustered data', () => {
    const count = 3000;
    const dimensions = 32;
    const m = 16;
    const data = clusteredData({ count, dimensions, clusters: 16, seed: 5 });
    const index = new Index('l2', dimensions, count, m, 64, 100);
    const flat = new Float32Array(count * dimensions);
    data.vectors.forEach((vector, i) => flat.set(vector, i * dimensions));
    index.addBatch(
      Uint32Array.from({ length: count }, (_, i) => i),
      flat,
      2,
    );

    const degrees = levelZeroDegrees(index);
    expect(degrees).toHaveLength(count);
    expect(Math.min(...degrees)).toBe(2 * m);
    expect(Math.max(...degrees)).toBe(2 * m);
  });

  // Full lists must not cost reachability: pruning a full list can drop a node's last in-link.
  it('still reaches every indexed row', () => {
    const count = 2000;
    const dimensions = 16;
    const data = clusteredData({ count, dimensions, clusters: 8, seed: 9 });
    const index = new Index('l2', dimensions, count, 8, 32, 100);
    for (let i = 0; i < count; i++) index.add(i, data.vectors[i]);
    let self = 0;
    for (let i = 0; i < count; i++) if (index.search(data.vectors[i], 1, 100).labels[0] === i) self++;
    expect(self).toBe(count);
  });
});
