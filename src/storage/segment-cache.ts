/**
 * The memory budget for sealed segments: a segment's columns are loaded (read from the
 * local object store, checked, decoded) when a row of it is first needed and kept while
 * they fit. Past the budget the least recently used segments are pushed out: one that can
 * open its file keeps its small columns and reads its vectors from the file row by row
 * (FileVectorColumn) — a kNN query needs ten of them, not the whole segment back — and one
 * that cannot is dropped and read again on its next use. Loading is synchronous — a
 * standalone server's object store is a local directory (a cluster node's would be its
 * local disk cache) — so row access stays a plain function call for the executor.
 */
import { closeSync } from 'node:fs';
import type { Value } from '../types/type.ts';
import { FileVectorColumn } from './segment/file-vector-column.ts';
import type { SegmentReader } from './segment/segment-reader.ts';

/** What a row's vector is read from: a view over loaded bytes, or the file. */
export interface VectorSource {
  isNull(row: number): boolean;
  vector(row: number): Float32Array;
}

/** A segment's columns: decoded values, or float32 vectors (views over the bytes, or the file). */
export interface LoadedSegment {
  readonly columns: readonly (readonly Value[] | VectorSource)[];
}

/** A segment within the budget, with the reader its columns are views of. */
interface InBudget extends LoadedSegment {
  readonly reader: SegmentReader;
}

/** A segment pushed out of the budget: its small columns, its vectors read from `fd`. */
interface OutOfBudget extends LoadedSegment {
  readonly fd: number;
}

export interface SegmentCacheStats {
  readonly budgetBytes: number;
  readonly loadedBytes: number;
  readonly loaded: number;
  readonly loads: number;
  readonly evictions: number;
}

/** One sealed segment, loadable through the cache. */
export class SegmentHandle {
  constructor(
    private readonly cache: SegmentCache,
    readonly key: string,
    readonly bytes: number,
    readonly read: () => SegmentReader,
    /** Opens the segment's file for positioned reads; absent where objects are not local files. */
    readonly openFile?: () => number,
  ) {}

  /** The cache's clock at this segment's last use: the least recently used is pushed out first. */
  lastUsed = 0;

  get loaded(): boolean {
    return this.cache.has(this);
  }

  /** Pushed out of the budget: its small columns stay, its vectors are read from the file. */
  get vectorsFromFile(): boolean {
    return this.cache.isOutOfBudget(this);
  }

  get(): LoadedSegment {
    return this.cache.get(this);
  }
}

export class SegmentCache {
  /**
   * Loaded segments. Recency is a clock stamp on the handle, not the Map's order: moving an
   * entry to the end on every row read (delete + set) cost more than the reads it served.
   */
  private readonly entries = new Map<SegmentHandle, InBudget>();
  private clock = 0;
  private readonly outOfBudget = new Map<SegmentHandle, OutOfBudget>();
  private loadedBytes = 0;
  private loads = 0;
  private evictions = 0;

  constructor(readonly budgetBytes: number) {}

  handle(key: string, bytes: number, read: () => SegmentReader, openFile?: () => number): SegmentHandle {
    return new SegmentHandle(this, key, bytes, read, openFile);
  }

  has(handle: SegmentHandle): boolean {
    return this.entries.has(handle);
  }

  isOutOfBudget(handle: SegmentHandle): boolean {
    return this.outOfBudget.has(handle);
  }

  get(handle: SegmentHandle): LoadedSegment {
    const hit = this.entries.get(handle);
    if (hit) {
      handle.lastUsed = ++this.clock;
      return hit;
    }
    const out = this.outOfBudget.get(handle);
    if (out) return out;
    const reader = handle.read();
    const columns = reader.columns.map((c, i) =>
      c.encoding === 'float32' ? reader.vectorColumn(i) : reader.column(i),
    );
    const loaded = { reader, columns };
    this.loads++;
    handle.lastUsed = ++this.clock;
    this.entries.set(handle, loaded);
    this.loadedBytes += handle.bytes;
    // Evict the least recently used until within budget; the segment just loaded always stays.
    while (this.loadedBytes > this.budgetBytes) {
      const old = this.leastRecentlyUsed(handle);
      if (!old) break;
      const oldLoaded = this.entries.get(old)!;
      this.drop(old);
      this.pushOut(old, oldLoaded);
      this.evictions++;
    }
    return loaded;
  }

  private leastRecentlyUsed(except: SegmentHandle): SegmentHandle | null {
    let oldest: SegmentHandle | null = null;
    for (const candidate of this.entries.keys()) {
      if (candidate !== except && (!oldest || candidate.lastUsed < oldest.lastUsed)) oldest = candidate;
    }
    return oldest;
  }

  /** Keeps an evicted segment's small columns and reads its vectors from its file from now on. */
  private pushOut(handle: SegmentHandle, loaded: InBudget): void {
    if (!handle.openFile) return;
    const { reader } = loaded;
    const fd = handle.openFile();
    const columns = loaded.columns.map((column, i) => {
      if (reader.columns[i].encoding !== 'float32') return column;
      const { dataOffset, dims, nulls } = reader.vectorColumnInFile(i);
      return new FileVectorColumn(fd, handle.key, dataOffset, dims, reader.rowCount, nulls);
    });
    this.outOfBudget.set(handle, { columns, fd });
  }

  /** Forgets a segment (its table was dropped, truncated or compacted). */
  drop(handle: SegmentHandle): void {
    if (this.entries.delete(handle)) this.loadedBytes -= handle.bytes;
    const out = this.outOfBudget.get(handle);
    if (out) {
      this.outOfBudget.delete(handle);
      closeSync(out.fd);
    }
  }

  stats(): SegmentCacheStats {
    return {
      budgetBytes: this.budgetBytes,
      loadedBytes: this.loadedBytes,
      loaded: this.entries.size,
      loads: this.loads,
      evictions: this.evictions,
    };
  }
}
