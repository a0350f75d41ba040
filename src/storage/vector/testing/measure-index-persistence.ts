/**
 * Measures saving and loading a 200k×64 hnswlib index (m = 16, ef_construction = 64)
 * against building it, the trade a restarted node makes. Not a test:
 *
 *   npx tsx src/storage/vector/testing/measure-index-persistence.ts [rows] [dimensions]
 */
import { type ColumnIndexSpec, createColumnIndex } from '../column-index.ts';
import { loadColumnIndex, saveColumnIndex } from '../index-persistence.ts';
import { clusteredData } from './clustered-data.ts';

const rows = Number(process.argv[2] ?? 200_000);
const dimensions = Number(process.argv[3] ?? 64);
const spec: ColumnIndexSpec = {
  method: 'hnsw',
  type: 'vector',
  metric: 'l2',
  dimensions,
  options: { m: 16, efConstruction: 64 },
};

const time = async <T>(what: string, run: () => T | Promise<T>): Promise<T> => {
  const started = performance.now();
  const result = await run();
  console.log(`${what}: ${(performance.now() - started).toFixed(0)} ms`);
  return result;
};

const data = clusteredData({ count: rows, dimensions, seed: 1 });
const index = createColumnIndex(spec.method, spec.type, spec.metric, spec.dimensions, spec.options);
await time(`build ${rows}×${dimensions}`, () =>
  index.index.build(
    data.vectors.map((_, i) => i),
    data.vectors,
  ),
);
for (let i = 0; i < rows; i += 100) index.index.remove(i);

const bytes = await time('save', () => saveColumnIndex(index));
console.log(
  `size: ${(bytes.length / 2 ** 20).toFixed(1)} MiB (${(bytes.length / rows).toFixed(0)} bytes a row)`,
);
const loaded = await time('load', () => loadColumnIndex(bytes, spec));

// The point of loading is an identical index: check it on a few queries.
const queries = data.sample(100, 2);
const same = queries.every(
  (q) =>
    JSON.stringify(loaded.index.search(q, 10, { efSearch: 40 })) ===
    JSON.stringify(index.index.search(q, 10, { efSearch: 40 })),
);
console.log(`size() ${loaded.index.size()} of ${index.index.size()}, same results on 100 queries: ${same}`);
