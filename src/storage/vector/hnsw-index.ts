import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Hits, Index as NativeIndex } from 'quiver-hnsw';
import type { HnswOptions, SearchOptions, SearchResult } from '../vector-index.ts';
import {
  type BuildableVectorIndex,
  checkDimensions,
  checkRowId,
  DEFAULT_EF_CONSTRUCTION,
  DEFAULT_EF_SEARCH,
  DEFAULT_M,
  type SavableIndex,
} from './buildable-index.ts';
import type { ByteReader, ByteWriter } from './byte-io.ts';

/** The metrics hnswlib implements natively; l1 and bit metrics use TsHnswIndex. */
export type HnswlibMetric = 'l2' | 'ip' | 'cosine';

export interface HnswIndexOptions extends Partial<HnswOptions> {
  /** Slots allocated up front; the index doubles its capacity when full. */
  readonly initialCapacity?: number;
  /** Seed of hnswlib's level generator, so the same inserts give the same graph. */
  readonly seed?: number;
}

const MAX_LABEL = 0xffffffff;

/**
 * HNSW over hnswlib's graph through Quiver's own addon (native/hnsw: searches on libuv's
 * thread pool with ef per search, parallel builds, Float32Array in and out; the graph code
 * is the hnswlib that hnswlib-node ships). hnswlib reports its own distance units,
 * converted here to the SQL operators' units:
 * - 'l2' returns the squared distance → sqrt gives `<->`;
 * - 'ip' returns 1 - a·b → minus 1 gives `<#>` (-a·b);
 * - 'cosine' normalizes inputs and returns 1 - cos, which already is `<=>`.
 * Distances are computed in float32 by hnswlib, like pgvector does.
 *
 * Callers must not add rows pgvector would not index: NULL vectors, and zero vectors under
 * cosine (pgvector skips them; hnswlib would store a zero vector at distance 1 from all).
 * Row ids must fit in uint32 (hnswlib's label width in this binding).
 */
export class HnswIndex implements BuildableVectorIndex, SavableIndex {
  readonly method = 'hnsw' as const;
  private native: NativeIndex;
  /** Live rows: hnswlib's own count includes rows marked deleted. */
  private liveCount = 0;
  private capacity: number;
  private readonly m: number;
  private readonly efConstruction: number;
  private readonly seed: number;

  constructor(
    readonly metric: HnswlibMetric,
    readonly dimensions: number,
    options: HnswIndexOptions = {},
  ) {
    this.capacity = Math.max(16, options.initialCapacity ?? 1024);
    this.m = options.m ?? DEFAULT_M;
    this.efConstruction = options.efConstruction ?? DEFAULT_EF_CONSTRUCTION;
    this.seed = options.seed ?? 100;
    this.native = this.emptyNative();
  }

  private emptyNative(): NativeIndex {
    return new NativeIndex(
      this.metric,
      this.dimensions,
      this.capacity,
      this.m,
      this.efConstruction,
      this.seed,
    );
  }

  build(
    rowIds: ArrayLike<number>,
    vectors: ArrayLike<Float32Array>,
    onProgress?: (done: number) => void,
  ): void {
    // Reserve once instead of doubling through the loop: resizeIndex copies the graph.
    this.ensureCapacity(this.native.count() + rowIds.length);
    for (let i = 0; i < rowIds.length; i++) {
      this.add(rowIds[i], vectors[i]);
      if (onProgress && (i + 1) % PROGRESS_EVERY === 0) onProgress(i + 1);
    }
    onProgress?.(rowIds.length);
  }

  /**
   * Adds the rows from both cores on libuv's thread pool, in chunks so progress can be
   * reported: CREATE INDEX's build, without a worker thread or a save/load round trip.
   * The graph differs from a one-row-at-a-time build (concurrent inserts), but is as good.
   */
  async buildAsync(
    rowIds: ArrayLike<number>,
    vectorAt: (i: number) => Float32Array,
    onProgress?: (done: number) => void,
  ): Promise<void> {
    const dims = this.dimensions;
    for (let i = 0; i < rowIds.length; i++) checkRowId(rowIds[i], MAX_LABEL);
    this.ensureCapacity(this.native.count() + rowIds.length);
    const labels = Uint32Array.from(rowIds);
    // Vectors are read and copied chunk by chunk into one reused buffer: a copy of them all
    // at once would double a big build's memory (and linger until a full GC).
    const chunk = new Float32Array(Math.min(BUILD_CHUNK, labels.length) * dims);
    for (let start = 0; start < labels.length; start += BUILD_CHUNK) {
      const end = Math.min(labels.length, start + BUILD_CHUNK);
      for (let i = start; i < end; i++) {
        const v = vectorAt(i);
        checkDimensions(v.length, dims);
        chunk.set(v, (i - start) * dims);
      }
      await this.native.addBatchAsync(
        labels.subarray(start, end),
        chunk.subarray(0, (end - start) * dims),
        BUILD_THREADS,
      );
      onProgress?.(end);
    }
    // Labels already present were replaced, not added: count what is live now.
    this.liveCount = this.native.labels().live.length;
  }

  add(rowId: number, vector: Float32Array): void {
    checkRowId(rowId, MAX_LABEL);
    checkDimensions(vector.length, this.dimensions);
    // A slot per new label; an existing one is updated in place (and undeleted).
    this.ensureCapacity(this.native.count() + 1);
    if (this.native.add(rowId, vector)) this.liveCount++;
  }

  /** The rows the graph holds (not those marked deleted). */
  liveRowIds(): ArrayLike<number> {
    return this.native.labels().live;
  }

  remove(rowId: number): void {
    // Removing a missing or already removed row is a no-op.
    if (this.native.remove(rowId)) this.liveCount--;
  }

  search(query: Float32Array, k: number, options: SearchOptions = {}): SearchResult {
    checkDimensions(query.length, this.dimensions);
    if (k <= 0 || this.liveCount === 0) return { rowIds: [], distances: [] };
    const limit = Math.min(k, this.liveCount);
    const ef = options.efSearch ?? DEFAULT_EF_SEARCH;
    return this.result(this.native.search(query, limit, ef, options.filter));
  }

  /**
   * search() without a filter on libuv's thread pool, so the event loop keeps serving
   * while the graph is walked and every core searches.
   */
  async searchAsync(
    query: Float32Array,
    k: number,
    options: { efSearch?: number } = {},
  ): Promise<SearchResult> {
    checkDimensions(query.length, this.dimensions);
    if (k <= 0 || this.liveCount === 0) return { rowIds: [], distances: [] };
    const limit = Math.min(k, this.liveCount);
    return this.result(await this.native.searchAsync(query, limit, options.efSearch ?? DEFAULT_EF_SEARCH));
  }

  size(): number {
    return this.liveCount;
  }

  private result(hits: Hits): SearchResult {
    const rowIds = new Array<number>(hits.labels.length);
    const distances = new Array<number>(hits.labels.length);
    for (let i = 0; i < rowIds.length; i++) {
      rowIds[i] = hits.labels[i];
      distances[i] = this.toSqlDistance(hits.distances[i]);
    }
    return { rowIds, distances };
  }

  /**
   * hnswlib's own file (graph, vectors — normalized under cosine —, labels and its delete
   * marks), then what only this wrapper knows: the capacity and which labels are deleted
   * (hnswlib-node cannot list its marks; the live set and size() are derived from them).
   */
  writeTo(out: ByteWriter): void {
    out.blob(this.native.serialize());
    out.f64(this.capacity);
    // Sorted, so equal indexes save equal bytes.
    out.array(this.native.labels().deleted);
  }

  /** The same bytes, copied on libuv's thread pool; the three parts are taken together. */
  async writeToAsync(out: ByteWriter): Promise<void> {
    const { file, deleted, capacity } = await this.native.serializeAsync();
    out.blob(file);
    out.f64(capacity);
    out.array(deleted);
  }

  /**
   * hnswlib's loader does not restore the level generator's position: rows added after a
   * load draw their levels from a freshly seeded generator, so the graph they grow is valid
   * and deterministic but not the one the original would have grown.
   */
  async readFrom(input: ByteReader): Promise<void> {
    const file = input.blob();
    const capacity = input.f64();
    const deleted = input.uint32s();
    this.checkNativeHeader(file, input);
    const native = this.emptyNative();
    await withTempFile(async (path) => {
      await writeFile(path, file);
      await native.loadAsync(path);
    });
    const labels = native.labels();
    const marked = labels.deleted;
    if (marked.length !== deleted.length || marked.some((label, i) => label !== deleted[i]))
      input.fail(`the deleted rows listed do not match the hnswlib index's delete marks`);
    const total = labels.live.length + marked.length;
    // hnswlib reloads with room for exactly its rows (none for an empty index): restore ours.
    if (!(capacity >= Math.max(16, total))) input.fail(`capacity ${capacity} for ${total} rows`);
    if (native.capacity() !== capacity) native.resize(capacity);
    this.native = native;
    this.capacity = capacity;
    this.liveCount = labels.live.length;
  }

  /**
   * hnswlib loads a file of another dimension or M without complaint, so check its header
   * (hnswalg.h saveIndex: size_t fields, then maxlevel and the entry point as 32-bit ints).
   */
  private checkNativeHeader(file: Uint8Array, input: ByteReader): void {
    if (file.length < 96) input.fail(`hnswlib file of ${file.length} bytes`);
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
    const field = (offset: number): number => Number(view.getBigUint64(offset, true));
    const vectorBytes = field(32) - field(40); // label_offset_ - offsetData_
    if (vectorBytes !== this.dimensions * 4) {
      input.fail(`hnswlib file holds ${vectorBytes / 4}-dimensional vectors, expected ${this.dimensions}`);
    }
    const m = field(72);
    const efConstruction = field(88);
    // hnswlib raises ef_construction to at least M when it builds.
    if (m !== this.m || efConstruction !== Math.max(this.efConstruction, this.m)) {
      input.fail(
        `hnswlib file has m=${m} ef_construction=${efConstruction}, expected ${this.m} and ${this.efConstruction}`,
      );
    }
  }

  private readonly toSqlDistance = (distance: number): number => {
    switch (this.metric) {
      case 'l2':
        return Math.sqrt(Math.max(0, distance));
      case 'ip':
        return distance - 1;
      case 'cosine':
        // Float rounding can step just outside [0, 2]; pgvector clamps cosine similarity too.
        return Math.min(2, Math.max(0, distance));
    }
  };

  private ensureCapacity(needed: number): void {
    if (needed <= this.capacity) return;
    let capacity = this.capacity;
    while (capacity < needed) capacity *= 2;
    this.native.resize(capacity);
    this.capacity = capacity;
  }
}

/** Rows between two progress reports of a build. */
const PROGRESS_EVERY = 5000;
/** Rows per batch of an asynchronous build (one progress report each). */
const BUILD_CHUNK = 20_000;
/** Threads adding rows in an asynchronous build: one per core. */
const BUILD_THREADS = availableParallelism();

function tempPath(): string {
  return join(tmpdir(), `quiver-hnsw-${process.pid}-${randomUUID()}.bin`);
}

/** Runs `use` with a fresh path under the OS temp directory, removing the file afterwards. */
async function withTempFile<T>(use: (path: string) => Promise<T>): Promise<T> {
  const path = tempPath();
  try {
    return await use(path);
  } finally {
    await rm(path, { force: true });
  }
}
