/**
 * The memory budget for sealed segments: a segment's columns are loaded (read from the
 * local object store, checked, decoded) when a row of it is first needed and kept while
 * they fit; past the budget the least recently used segments are dropped and read again on
 * their next use. Loading is synchronous — a standalone server's object store is a local
 * directory (a cluster node's would be its local disk cache) — so row access stays a plain
 * function call for the executor.
 */
import type { Value } from '../types/type.ts';
import type { SegmentReader, VectorColumn } from './segment/segment-reader.ts';

/** A segment's columns in memory: decoded values, or float32 vectors as views over the file. */
export interface LoadedSegment {
  readonly reader: SegmentReader;
  readonly columns: readonly (readonly Value[] | VectorColumn)[];
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
  ) {}

  get loaded(): boolean {
    return this.cache.has(this);
  }

  get(): LoadedSegment {
    return this.cache.get(this);
  }
}

export class SegmentCache {
  /** Loaded segments, least recently used first (Map keeps insertion order). */
  private readonly entries = new Map<SegmentHandle, LoadedSegment>();
  private loadedBytes = 0;
  private loads = 0;
  private evictions = 0;

  constructor(readonly budgetBytes: number) {}

  handle(key: string, bytes: number, read: () => SegmentReader): SegmentHandle {
    return new SegmentHandle(this, key, bytes, read);
  }

  has(handle: SegmentHandle): boolean {
    return this.entries.has(handle);
  }

  get(handle: SegmentHandle): LoadedSegment {
    const hit = this.entries.get(handle);
    if (hit) {
      this.entries.delete(handle);
      this.entries.set(handle, hit);
      return hit;
    }
    const reader = handle.read();
    const columns = reader.columns.map((c, i) =>
      c.encoding === 'float32' ? reader.vectorColumn(i) : reader.column(i),
    );
    const loaded: LoadedSegment = { reader, columns };
    this.loads++;
    this.entries.set(handle, loaded);
    this.loadedBytes += handle.bytes;
    // Evict the oldest until within budget; the segment just loaded always stays.
    for (const [old] of this.entries) {
      if (this.loadedBytes <= this.budgetBytes || old === handle) break;
      this.drop(old);
      this.evictions++;
    }
    return loaded;
  }

  /** Forgets a segment (its table was dropped, truncated or compacted). */
  drop(handle: SegmentHandle): void {
    if (this.entries.delete(handle)) this.loadedBytes -= handle.bytes;
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
