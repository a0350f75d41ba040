/**
 * The interface every vector index implements (HNSW via hnswlib-node, IVFFlat, exact).
 * An index maps a row id (a non-negative integer the table assigns to each stored row
 * version) to a vector and answers approximate k-nearest-neighbour queries.
 *
 * Distances are returned in the SQL operator's units, so the executor can compare them
 * with exact results: l2 → `<->` (euclidean, not squared), ip → `<#>` (negative inner
 * product), cosine → `<=>` (1 - cosine similarity), l1 → `<+>`, hamming → `<~>`,
 * jaccard → `<%>`.
 */
export type DistanceMetric = 'l2' | 'ip' | 'cosine' | 'l1' | 'hamming' | 'jaccard';

export type IndexMethod = 'hnsw' | 'ivfflat';

export interface HnswOptions {
  readonly m: number;
  readonly efConstruction: number;
}

export interface IvfflatOptions {
  readonly lists: number;
}

export interface SearchOptions {
  /** hnsw.ef_search (HNSW). */
  readonly efSearch?: number;
  /** ivfflat.probes (IVFFlat). */
  readonly probes?: number;
  /** When given, only row ids for which it returns true may be returned. */
  readonly filter?: (rowId: number) => boolean;
  /**
   * IVFFlat: probe exactly `probes` lists even when they hold fewer than k rows (pgvector's
   * index scan without LIMIT); by default more lists are scanned until k rows are found.
   */
  readonly strictProbes?: boolean;
}

export interface SearchResult {
  readonly rowIds: number[];
  readonly distances: number[];
}

/**
 * `V` is the in-memory vector representation: Float32Array for `vector` (l2, ip, cosine, l1);
 * bit indexes (hamming, jaccard) use another representation (Quiver's packed Uint8Array),
 * hence the type parameter. The default keeps `VectorIndex` meaning the float index.
 */
export interface VectorIndex<V = Float32Array> {
  readonly method: IndexMethod;
  readonly metric: DistanceMetric;
  readonly dimensions: number;
  /** Adds one row. Vectors the metric cannot index (zero vector under cosine) are skipped by the caller. */
  add(rowId: number, vector: V): void;
  /** Forgets a row (its row version was deleted or rolled back). */
  remove(rowId: number): void;
  /** Nearest rows first, at most k. */
  search(query: V, k: number, options: SearchOptions): SearchResult;
  /** Number of live rows in the index. */
  size(): number;
}
