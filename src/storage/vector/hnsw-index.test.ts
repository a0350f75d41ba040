import { HnswIndex } from './hnsw-index.ts';
import { describeIndexConformance } from './testing/index-conformance.ts';

describeIndexConformance({
  name: 'HnswIndex',
  cases: [
    { metric: 'l2', minRecall: 0.9, minFilteredRecall: 0.9 },
    { metric: 'ip', minRecall: 0.9, minFilteredRecall: 0.9 },
    { metric: 'cosine', minRecall: 0.9, minFilteredRecall: 0.9 },
  ],
  create: (metric, dimensions, initialCapacity) =>
    new HnswIndex(metric as 'l2' | 'ip' | 'cosine', dimensions, {
      m: 16,
      efConstruction: 64,
      initialCapacity,
    }),
  searchOptions: { efSearch: 40 },
});
