/** Quiver's native HNSW (src/addon.cc): hnswlib's graph with per-search ef, async searches and parallel builds. */
export interface Hits {
  /** Nearest first. */
  readonly labels: Uint32Array;
  /** hnswlib's units: squared L2, or 1 - inner product (of normalized vectors under cosine). */
  readonly distances: Float32Array;
}

export class Index {
  constructor(
    space: 'l2' | 'ip' | 'cosine',
    dimensions: number,
    capacity: number,
    m: number,
    efConstruction: number,
    seed: number,
  );
  /** Adds, or replaces an existing label's vector and undeletes it; true when the label became live. */
  add(label: number, vector: Float32Array): boolean;
  /** Adds labels.length vectors (packed) from `threads` threads, blocking the caller. */
  addBatch(labels: Uint32Array, vectors: Float32Array, threads: number): void;
  /** addBatch on libuv's thread pool; do not touch the arrays until it settles. */
  addBatchAsync(labels: Uint32Array, vectors: Float32Array, threads: number): Promise<void>;
  /** Marks a label deleted; false when it is absent or already deleted. */
  remove(label: number): boolean;
  resize(capacity: number): void;
  capacity(): number;
  /** Elements in the graph, deleted ones included. */
  count(): number;
  labels(): { readonly live: Uint32Array; readonly deleted: Uint32Array };
  /** On the calling thread; `filter` is called with candidate labels. */
  search(query: Float32Array, k: number, ef: number, filter?: (label: number) => boolean): Hits;
  /** On libuv's thread pool; `allowed` has bit (label & 7) of byte (label >> 3) set for allowed labels. */
  searchAsync(query: Float32Array, k: number, ef: number, allowed?: Uint8Array): Promise<Hits>;
  /** hnswlib's file format. */
  save(path: string): void;
  /** The bytes save() writes, without a file. */
  serialize(): Buffer;
  /** serialize(), labels().deleted and capacity() as of one moment, on libuv's thread pool. */
  serializeAsync(): Promise<{
    readonly file: Buffer;
    readonly deleted: Uint32Array;
    readonly capacity: number;
  }>;
  load(path: string): void;
  /** load() on libuv's thread pool. */
  loadAsync(path: string): Promise<void>;
}
