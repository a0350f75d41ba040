import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
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
 * HNSW over hnswlib-node (native, see DESIGN §2a). hnswlib reports its own distance units,
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
  private native: hnswlib.HierarchicalNSW;
  /** Live row ids: hnswlib's own count includes rows marked deleted. */
  private readonly live = new Set<number>();
  /** hnswlib reads a JS number[]; one reused array avoids an allocation per call. */
  private readonly scratch: number[];
  private capacity: number;
  private readonly m: number;
  private readonly efConstruction: number;

  constructor(
    readonly metric: HnswlibMetric,
    readonly dimensions: number,
    options: HnswIndexOptions = {},
  ) {
    this.capacity = Math.max(16, options.initialCapacity ?? 1024);
    this.m = options.m ?? DEFAULT_M;
    this.efConstruction = options.efConstruction ?? DEFAULT_EF_CONSTRUCTION;
    this.native = new hnswlib.HierarchicalNSW(metric, dimensions);
    this.native.initIndex(this.capacity, this.m, this.efConstruction, options.seed ?? 100);
    this.scratch = new Array<number>(dimensions).fill(0);
  }

  build(
    rowIds: ArrayLike<number>,
    vectors: ArrayLike<Float32Array>,
    onProgress?: (done: number) => void,
  ): void {
    // Reserve once instead of doubling through the loop: resizeIndex copies the graph.
    this.ensureCapacity(this.native.getCurrentCount() + rowIds.length);
    for (let i = 0; i < rowIds.length; i++) {
      this.add(rowIds[i], vectors[i]);
      if (onProgress && (i + 1) % PROGRESS_EVERY === 0) onProgress(i + 1);
    }
    onProgress?.(rowIds.length);
  }

  add(rowId: number, vector: Float32Array): void {
    checkRowId(rowId, MAX_LABEL);
    checkDimensions(vector.length, this.dimensions);
    // hnswlib updates an existing label in place (and undeletes it), so only new labels use a slot.
    if (!this.live.has(rowId)) this.ensureCapacity(this.native.getCurrentCount() + 1);
    this.native.addPoint(this.toArray(vector), rowId);
    this.live.add(rowId);
  }

  remove(rowId: number): void {
    // markDelete throws on unknown or already-deleted labels; removing a missing row is a no-op.
    if (!this.live.delete(rowId)) return;
    this.native.markDelete(rowId);
  }

  search(query: Float32Array, k: number, options: SearchOptions = {}): SearchResult {
    checkDimensions(query.length, this.dimensions);
    if (k <= 0 || this.live.size === 0) return { rowIds: [], distances: [] };
    // hnswlib rejects k above its capacity; more than the live rows cannot be returned anyway.
    const limit = Math.min(k, this.live.size);
    // hnswlib searches with max(ef, k) itself; set ef so `hnsw.ef_search` applies per query.
    this.native.setEf(Math.max(options.efSearch ?? DEFAULT_EF_SEARCH, limit));
    const raw =
      options.filter === undefined
        ? this.native.searchKnn(this.toArray(query), limit)
        : this.native.searchKnn(this.toArray(query), limit, options.filter);
    return { rowIds: raw.neighbors, distances: raw.distances.map(this.toSqlDistance) };
  }

  size(): number {
    return this.live.size;
  }

  /**
   * hnswlib's own file (graph, vectors — normalized under cosine —, labels and its delete
   * marks), then what only this wrapper knows: the capacity and which labels are deleted
   * (hnswlib-node cannot list its marks; the live set and size() are derived from them).
   * hnswlib saves only to a path, so the file goes through a private temp file.
   */
  writeTo(out: ByteWriter): void {
    const path = tempPath();
    let file: Buffer;
    try {
      this.native.writeIndexSync(path);
      file = readFileSync(path);
    } finally {
      rmSync(path, { force: true });
    }
    out.blob(file);
    out.f64(this.capacity);
    // Sorted: hnswlib lists labels in hash order, and equal indexes should save equal bytes.
    const deleted = this.native.getIdsList().filter((label) => !this.live.has(label));
    out.array(Uint32Array.from(deleted).sort());
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
    const native = new hnswlib.HierarchicalNSW(this.metric, this.dimensions);
    await withTempFile(async (path) => {
      await writeFile(path, file);
      await native.readIndex(path, false);
    });
    const labels = native.getIdsList();
    const live = new Set(labels);
    for (const label of deleted) {
      if (!live.delete(label)) input.fail(`deleted row ${label} is not in the hnswlib index`);
    }
    // hnswlib reloads with room for exactly its rows (none for an empty index): restore ours.
    if (!(capacity >= Math.max(16, labels.length)))
      input.fail(`capacity ${capacity} for ${labels.length} rows`);
    if (native.getMaxElements() !== capacity) native.resizeIndex(capacity);
    this.native = native;
    this.capacity = capacity;
    this.live.clear();
    for (const label of live) this.live.add(label);
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
    this.native.resizeIndex(capacity);
    this.capacity = capacity;
  }

  private toArray(vector: Float32Array): number[] {
    const out = this.scratch;
    for (let i = 0; i < vector.length; i++) out[i] = vector[i];
    return out;
  }
}

/** Runs `use` with a fresh path under the OS temp directory, removing the file afterwards. */
/** Rows between two progress reports of a build. */
const PROGRESS_EVERY = 5000;

function tempPath(): string {
  return join(tmpdir(), `quiver-hnsw-${process.pid}-${randomUUID()}.bin`);
}

async function withTempFile<T>(use: (path: string) => Promise<T>): Promise<T> {
  const path = tempPath();
  try {
    return await use(path);
  } finally {
    await rm(path, { force: true });
  }
}
