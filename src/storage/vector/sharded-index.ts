/**
 * A vector index split into shards by row id (`CREATE INDEX … WITH (shards = n)`): row r
 * belongs to shard `r % n`, and each shard is an index of its own over its rows. A search
 * searches every shard this node holds for k rows and keeps the k nearest of them all.
 *
 * The point is placement: in a cluster each shard is held by a few nodes only, so a graph
 * bigger than one node's memory (and the work of maintaining it as rows arrive) is spread
 * over the cluster, and a coordinator searches the shards it does not hold on nodes that
 * do (src/cluster/index-shards.ts). A shard not held here is `null`: rows of it are not
 * added, and searches skip it.
 *
 * Saved as: u32 shard count, then per shard u32 held (1/0) and, when held, the shard
 * index's own payload (each implementation's readFrom reads exactly what its writeTo wrote).
 */
import type { SearchOptions, SearchResult, VectorIndex } from '../vector-index.ts';
import type { SavableIndex } from './buildable-index.ts';
import type { ByteReader, ByteWriter } from './byte-io.ts';

/** What each shard is: an index that can be built in bulk, saved and loaded. */
export type ShardIndex<V> = VectorIndex<V> &
  SavableIndex & {
    build(rowIds: ArrayLike<number>, values: ArrayLike<V>, onProgress?: (done: number) => void): void;
    buildAsync?(
      rowIds: ArrayLike<number>,
      vectorAt: (i: number) => V,
      onProgress?: (done: number) => void,
    ): Promise<void>;
    searchAsync?(query: V, k: number, options: { efSearch?: number }): Promise<SearchResult>;
    /** The rows it holds; an index that can list them can be loaded from a holder's file. */
    liveRowIds?(): ArrayLike<number>;
  };

/** Whether a cluster places the shards (index-shard-placement.ts) rather than this process holding all. */
let placedByCluster = false;

/**
 * From now on a new sharded index of this process (CREATE INDEX, TRUNCATE, a rebuild) holds
 * no shard: the cluster's placement has each node build the ones given to it, so no node
 * ever builds or holds the whole graph. Set by a cluster node at start (tests turn it off).
 */
export function placeShardsByCluster(on: boolean): void {
  placedByCluster = on;
}

export function shardsPlacedByCluster(): boolean {
  return placedByCluster;
}

export function shardOfRow(rowId: number, shardCount: number): number {
  return rowId % shardCount;
}

/** Whether `index` is a sharded index some of whose shards this node does not hold. */
export function partlyHeld(index: unknown): index is ShardedIndex<unknown> {
  return index instanceof ShardedIndex && index.missingShards().length > 0;
}

/** The k nearest of several nearest-first results; equal distances by row id. */
export function nearestOf(results: readonly SearchResult[], k: number): SearchResult {
  const hits: { rowId: number; distance: number }[] = [];
  for (const r of results)
    for (let i = 0; i < r.rowIds.length; i++) hits.push({ rowId: r.rowIds[i], distance: r.distances[i] });
  hits.sort((a, b) => a.distance - b.distance || a.rowId - b.rowId);
  const kept = hits.slice(0, Math.max(0, k));
  return { rowIds: kept.map((h) => h.rowId), distances: kept.map((h) => h.distance) };
}

export class ShardedIndex<V> implements VectorIndex<V>, SavableIndex {
  readonly method: VectorIndex<V>['method'];
  readonly metric: VectorIndex<V>['metric'];
  readonly dimensions: number;
  /** Index i is shard i; null where this node does not hold it. */
  private readonly shards: (ShardIndex<V> | null)[];
  /** Shards being built (not held yet): their rows' changes since, in order (null: removed). */
  private readonly building = new Map<number, [number, V | null][]>();
  /** Present when the shards build on the thread pool (native HNSW): buildInWorker uses it. */
  readonly buildAsync?: ShardIndex<V>['buildAsync'];
  /** Present when the shards search on the thread pool: prefetched kNN searches use it. */
  readonly searchAsync?: ShardIndex<V>['searchAsync'];
  readonly writeToAsync?: (out: ByteWriter) => Promise<void>;

  /**
   * `held(i)` says whether this node keeps shard i (default: all of them standalone, none on
   * a cluster node); `create()` makes an empty shard index.
   */
  constructor(
    readonly shardCount: number,
    private readonly create: () => ShardIndex<V>,
    held: (shard: number) => boolean = () => !placedByCluster,
  ) {
    if (!Number.isInteger(shardCount) || shardCount < 1)
      throw new RangeError(`bad shard count ${shardCount}`);
    this.shards = Array.from({ length: shardCount }, (_, i) => (held(i) ? create() : null));
    const sample = this.shards.find((s) => s !== null) ?? create();
    this.method = sample.method;
    this.metric = sample.metric;
    this.dimensions = sample.dimensions;
    if (sample.buildAsync)
      this.buildAsync = (rowIds, vectorAt, onProgress) => this.buildShardsAsync(rowIds, vectorAt, onProgress);
    if (sample.searchAsync)
      this.searchAsync = (query, k, options) => this.searchShardsAsync(query, k, options);
    if (sample.writeToAsync) this.writeToAsync = (out) => this.writeShardsAsync(out);
  }

  /** Whether this node holds shard `shard`. */
  holds(shard: number): boolean {
    return this.shards[shard] !== null;
  }

  /** The index of shard `shard` alone (null when not held here). */
  shard(shard: number): VectorIndex<V> | null {
    return this.shards[shard];
  }

  /** The shards held here, in order. */
  heldShards(): number[] {
    return this.shards.flatMap((s, i) => (s ? [i] : []));
  }

  /** The shards not held here (searched on other nodes), in order. */
  missingShards(): number[] {
    return this.shards.flatMap((s, i) => (s ? [] : [i]));
  }

  /** An empty index for one shard, to build and then `hold`. */
  emptyShard(): ShardIndex<V> {
    return this.create();
  }

  /**
   * A build of `shard` starts: from now until `hold` (or `abandon`), the changes to the
   * shard's rows are kept, to be applied to the built index — rows may arrive in any order
   * (a replica applies a transaction's rows when it commits), so the builder cannot find
   * them by row id alone.
   */
  startBuilding(shard: number): void {
    if (!this.shards[shard]) this.building.set(shard, []);
  }

  /** This node holds `shard` from now on, as `index` built over its rows as of startBuilding. */
  hold(shard: number, index: ShardIndex<V>): void {
    for (const [rowId, vector] of this.building.get(shard) ?? []) {
      if (vector === null) index.remove(rowId);
      else index.add(rowId, vector);
    }
    this.building.delete(shard);
    this.shards[shard] = index;
  }

  abandon(shard: number): void {
    this.building.delete(shard);
  }

  /** This node no longer holds `shard`: its rows are not indexed here any more. */
  release(shard: number): void {
    this.shards[shard] = null;
  }

  add(rowId: number, vector: V): void {
    const shard = shardOfRow(rowId, this.shardCount);
    const index = this.shards[shard];
    if (index) index.add(rowId, vector);
    else this.building.get(shard)?.push([rowId, vector]);
  }

  remove(rowId: number): void {
    const shard = shardOfRow(rowId, this.shardCount);
    const index = this.shards[shard];
    if (index) index.remove(rowId);
    else this.building.get(shard)?.push([rowId, null]);
  }

  /** The k nearest rows over the shards held here. */
  search(query: V, k: number, options: SearchOptions): SearchResult {
    return nearestOf(
      this.held().map((s) => s.search(query, k, options)),
      k,
    );
  }

  size(): number {
    let n = 0;
    for (const s of this.held()) n += s.size();
    return n;
  }

  build(rowIds: ArrayLike<number>, values: ArrayLike<V>, onProgress?: (done: number) => void): void {
    let done = 0;
    for (const [shard, positions] of this.split(rowIds)) {
      const index = this.shards[shard];
      if (!index) continue;
      index.build(
        positions.map((i) => rowIds[i]),
        positions.map((i) => values[i]),
      );
      done += positions.length;
      onProgress?.(done);
    }
  }

  private async buildShardsAsync(
    rowIds: ArrayLike<number>,
    vectorAt: (i: number) => V,
    onProgress?: (done: number) => void,
  ): Promise<void> {
    let before = 0;
    for (const [shard, positions] of this.split(rowIds)) {
      const index = this.shards[shard];
      if (!index?.buildAsync) continue;
      const from = before;
      await index.buildAsync(
        positions.map((i) => rowIds[i]),
        (j) => vectorAt(positions[j]),
        (done) => onProgress?.(from + done),
      );
      before += positions.length;
    }
  }

  private async searchShardsAsync(
    query: V,
    k: number,
    options: { efSearch?: number },
  ): Promise<SearchResult> {
    const results = await Promise.all(this.held().map((s) => s.searchAsync!(query, k, options)));
    return nearestOf(results, k);
  }

  writeTo(out: ByteWriter): void {
    out.u32(this.shardCount);
    for (const s of this.shards) {
      out.u32(s ? 1 : 0);
      s?.writeTo(out);
    }
  }

  private async writeShardsAsync(out: ByteWriter): Promise<void> {
    out.u32(this.shardCount);
    for (const s of this.shards) {
      out.u32(s ? 1 : 0);
      if (s?.writeToAsync) await s.writeToAsync(out);
      else s?.writeTo(out);
    }
  }

  /**
   * Holds exactly the shards the file has (its writer held them: on a cluster node, at most
   * that node's share). A shard the file does not have is not held after the load — an
   * empty one would answer searches without its rows; whoever places shards builds it from
   * the rows if it belongs here, and releases loaded ones that do not.
   */
  async readFrom(input: ByteReader): Promise<void> {
    const count = input.u32();
    if (count !== this.shardCount) input.fail(`it has ${count} shards, expected ${this.shardCount}`);
    for (let i = 0; i < count; i++) {
      if (input.u32() === 0) {
        this.shards[i] = null;
        continue;
      }
      const shard = this.shards[i] ?? this.create();
      await shard.readFrom(input);
      this.shards[i] = shard;
    }
  }

  private held(): ShardIndex<V>[] {
    return this.shards.filter((s): s is ShardIndex<V> => s !== null);
  }

  /** Positions in `rowIds` by shard. */
  private split(rowIds: ArrayLike<number>): Map<number, number[]> {
    const byShard = new Map<number, number[]>();
    for (let i = 0; i < rowIds.length; i++) {
      const shard = shardOfRow(rowIds[i], this.shardCount);
      let list = byShard.get(shard);
      if (!list) byShard.set(shard, (list = []));
      list.push(i);
    }
    return byShard;
  }
}
