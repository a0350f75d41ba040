import type { SearchResult } from '../vector-index.ts';
import { DEFAULT_EF_CONSTRUCTION, DEFAULT_M } from './buildable-index.ts';
import type { ByteReader, ByteWriter } from './byte-io.ts';
import type { DistanceFunction } from './distance.ts';
import { DistanceHeap } from './distance-heap.ts';
import { SeededRandom } from './seeded-random.ts';
import type { VectorCodec } from './vector-codec.ts';

export interface TsHnswGraphOptions {
  readonly m?: number;
  readonly efConstruction?: number;
  readonly seed?: number;
  readonly initialCapacity?: number;
}

/** Levels above this are never drawn in practice (p = m^-16); the cap keeps arrays small. */
const MAX_LEVEL = 16;

/**
 * HNSW (Malkov & Yashunin, 2016) in TypeScript, generic over the vector representation and
 * its distance, for the metrics hnswlib lacks: l1 over Float32Array, hamming and jaccard over
 * packed bits. It follows the same rules as hnswlib and pgvector so the two behave alike:
 * `m` links per node on upper layers and `2m` on layer 0, neighbours chosen with the
 * diversity heuristic (keep a candidate only if it is closer to the new node than to every
 * neighbour kept so far — this is what keeps clustered data navigable), deletion by marking
 * (deleted nodes still route searches but are never returned).
 *
 * Internal node ids are dense slots; row ids map to them. Single-threaded by design: one
 * graph lives in one worker (DESIGN §2), so scratch heaps and the visited set are reused.
 */
export class TsHnswGraph<V> {
  private readonly m: number;
  private readonly m0: number;
  private readonly efConstruction: number;
  private readonly levelFactor: number;
  private readonly random: SeededRandom;

  private capacity: number;
  private count = 0;
  private liveCount = 0;
  private vectors: V[] = [];
  private rowIdOf: Float64Array;
  private deleted: Uint8Array;
  /** Layer 0 links: slot `node * (m0 + 1)` holds the count, the next m0 slots the neighbours. */
  private links0: Int32Array;
  /** Upper-layer links per node, layer l at offset `(l - 1) * (m + 1)`, same layout. */
  private upperLinks: (Int32Array | undefined)[] = [];
  private readonly nodeOf = new Map<number, number>();
  private entryPoint = -1;
  private maxLevel = -1;

  /** Visited marks as epochs, so a search does not clear an array per query. */
  private visited: Uint32Array;
  private epoch = 0;
  private readonly candidates = new DistanceHeap('min', 256);
  private readonly results = new DistanceHeap('max', 256);

  constructor(
    private readonly distance: DistanceFunction<V>,
    options: TsHnswGraphOptions = {},
  ) {
    this.m = Math.max(2, options.m ?? DEFAULT_M);
    this.m0 = 2 * this.m;
    this.efConstruction = Math.max(this.m, options.efConstruction ?? DEFAULT_EF_CONSTRUCTION);
    this.levelFactor = 1 / Math.log(this.m);
    this.random = new SeededRandom(options.seed ?? 100);
    this.capacity = Math.max(16, options.initialCapacity ?? 1024);
    this.rowIdOf = new Float64Array(this.capacity);
    this.deleted = new Uint8Array(this.capacity);
    this.links0 = new Int32Array(this.capacity * (this.m0 + 1));
    this.visited = new Uint32Array(this.capacity);
  }

  get size(): number {
    return this.liveCount;
  }

  /** Adds a row; re-adding a live row id replaces its vector (the old node becomes a tombstone). */
  insert(rowId: number, vector: V): void {
    this.remove(rowId);
    if (this.count === this.capacity) this.grow();
    const node = this.count++;
    this.vectors[node] = vector;
    this.rowIdOf[node] = rowId;
    this.nodeOf.set(rowId, node);
    this.liveCount++;
    const level = Math.min(MAX_LEVEL, Math.floor(-Math.log(1 - this.random.next()) * this.levelFactor));
    if (level > 0) this.upperLinks[node] = new Int32Array(level * (this.m + 1));

    if (this.entryPoint < 0) {
      this.entryPoint = node;
      this.maxLevel = level;
      return;
    }
    let entry = this.entryPoint;
    let entryDistance = this.distance(vector, this.vectors[entry]);
    for (let l = this.maxLevel; l > level; l--) {
      [entry, entryDistance] = this.greedyStep(vector, entry, entryDistance, l);
    }
    for (let l = Math.min(level, this.maxLevel); l >= 0; l--) {
      this.searchLayer(vector, entry, entryDistance, this.efConstruction, l, undefined);
      const found = this.results.drainAscending();
      const neighbours = this.selectNeighbours(found.rowIds, found.distances, this.m);
      this.setLinks(node, l, neighbours);
      for (const neighbour of neighbours) this.linkBack(neighbour, node, l);
      entry = found.rowIds[0];
      entryDistance = found.distances[0];
    }
    if (level > this.maxLevel) {
      this.entryPoint = node;
      this.maxLevel = level;
    }
  }

  /** Marks a row deleted; returns false if it was not live. */
  remove(rowId: number): boolean {
    const node = this.nodeOf.get(rowId);
    if (node === undefined || this.deleted[node]) return false;
    this.deleted[node] = 1;
    this.liveCount--;
    return true;
  }

  /**
   * The k nearest live rows passing `filter`. Like hnswlib, a filtered search keeps walking
   * until it holds `ef` passing rows (or runs out of graph), so a selective filter costs
   * time, not results.
   */
  search(query: V, k: number, ef: number, filter?: (rowId: number) => boolean): SearchResult {
    if (k <= 0 || this.liveCount === 0) return { rowIds: [], distances: [] };
    let entry = this.entryPoint;
    let entryDistance = this.distance(query, this.vectors[entry]);
    for (let l = this.maxLevel; l > 0; l--) {
      [entry, entryDistance] = this.greedyStep(query, entry, entryDistance, l);
    }
    const allowed = (node: number): boolean =>
      this.deleted[node] === 0 && (filter === undefined || filter(this.rowIdOf[node]));
    this.searchLayer(query, entry, entryDistance, Math.max(ef, k), 0, allowed);
    while (this.results.size > k) this.results.pop();
    const found = this.results.drainAscending();
    const rowIds = found.rowIds.map((node) => this.rowIdOf[node]);
    return { rowIds, distances: found.distances };
  }

  /**
   * Saves the whole graph, tombstones included (they still route searches), and the level
   * generator's position, so a loaded graph answers and grows exactly like this one.
   */
  writeTo(out: ByteWriter, codec: VectorCodec<V>): void {
    const count = this.count;
    const levels = new Uint8Array(count);
    let upperLength = 0;
    for (let node = 0; node < count; node++) {
      const upper = this.upperLinks[node];
      if (upper) {
        levels[node] = upper.length / (this.m + 1);
        upperLength += upper.length;
      }
    }
    const upper = new Int32Array(upperLength);
    let at = 0;
    for (let node = 0; node < count; node++) {
      const links = this.upperLinks[node];
      if (!links) continue;
      upper.set(links, at);
      at += links.length;
    }
    for (const value of [this.m, this.efConstruction, this.capacity, count, this.entryPoint, this.maxLevel]) {
      out.f64(value);
    }
    out.f64(this.random.position);
    out.array(this.rowIdOf.subarray(0, count));
    out.array(this.deleted.subarray(0, count));
    out.array(levels);
    out.array(this.links0.subarray(0, count * (this.m0 + 1)));
    out.array(upper);
    codec.write(out, this.vectors.slice(0, count));
  }

  /** Replaces this (empty, same `m`) graph's content with one saved by writeTo. */
  readFrom(input: ByteReader, codec: VectorCodec<V>): void {
    const [m, efConstruction, capacity, count, entryPoint, maxLevel, position] = Array.from(
      { length: 7 },
      () => input.f64(),
    );
    if (m !== this.m || efConstruction !== this.efConstruction) {
      input.fail(
        `graph has m=${m} ef_construction=${efConstruction}, expected ${this.m} and ${this.efConstruction}`,
      );
    }
    if (!Number.isInteger(count) || count < 0 || !(capacity >= Math.max(16, count))) {
      input.fail(`graph of ${count} nodes in capacity ${capacity}`);
    }
    const rowIdOf = input.float64s(count);
    const deleted = input.uint8s(count);
    const levels = input.uint8s(count);
    const links0 = input.int32s(count * (this.m0 + 1));
    const upper = input.int32s();
    const vectors = codec.read(input, count);
    if (count === 0 ? entryPoint !== -1 : !(entryPoint >= 0 && entryPoint < count)) {
      input.fail(`entry point ${entryPoint} in a graph of ${count} nodes`);
    }
    if (count > 0 && levels[entryPoint] !== maxLevel) input.fail(`entry point is not on level ${maxLevel}`);

    this.capacity = capacity;
    this.rowIdOf = new Float64Array(capacity);
    this.rowIdOf.set(rowIdOf);
    this.deleted = new Uint8Array(capacity);
    this.deleted.set(deleted);
    this.links0 = new Int32Array(capacity * (this.m0 + 1));
    this.links0.set(links0);
    this.visited = new Uint32Array(capacity);
    this.epoch = 0;
    this.upperLinks = [];
    this.nodeOf.clear();
    this.liveCount = 0;
    let at = 0;
    for (let node = 0; node < count; node++) {
      const length = levels[node] * (this.m + 1);
      if (length > 0) {
        if (at + length > upper.length) input.fail(`upper links end before node ${node}`);
        this.upperLinks[node] = upper.slice(at, at + length);
        at += length;
      }
      // A re-added row id has older, deleted nodes; the newest node is the row's.
      const previous = this.nodeOf.get(rowIdOf[node]);
      if (previous !== undefined && !deleted[previous]) input.fail(`row id ${rowIdOf[node]} is live twice`);
      this.nodeOf.set(rowIdOf[node], node);
      if (!deleted[node]) this.liveCount++;
    }
    if (at !== upper.length) input.fail(`${upper.length - at} upper links belong to no node`);
    this.vectors = vectors;
    this.count = count;
    this.entryPoint = entryPoint;
    this.maxLevel = maxLevel;
    this.random.restore(position);
  }

  /** Upper layers: move to the closest neighbour until none is closer (ef = 1). */
  private greedyStep(query: V, node: number, nodeDistance: number, level: number): [number, number] {
    let improved = true;
    while (improved) {
      improved = false;
      const links = this.upperLinks[node]!;
      const base = (level - 1) * (this.m + 1);
      for (let i = 1; i <= links[base]; i++) {
        const next = links[base + i];
        const d = this.distance(query, this.vectors[next]);
        if (d < nodeDistance) {
          nodeDistance = d;
          node = next;
          improved = true;
        }
      }
    }
    return [node, nodeDistance];
  }

  /**
   * Best-first search of one layer; leaves up to `ef` (distance, node) pairs in `results`.
   * `allowed` decides which nodes may be results (construction allows all, deleted included,
   * as hnswlib does, so tombstones keep the graph connected).
   */
  private searchLayer(
    query: V,
    entry: number,
    entryDistance: number,
    ef: number,
    level: number,
    allowed: ((node: number) => boolean) | undefined,
  ): void {
    const epoch = this.nextEpoch();
    const candidates = this.candidates;
    const results = this.results;
    candidates.clear();
    results.clear();
    this.visited[entry] = epoch;
    candidates.push(entryDistance, entry);
    if (allowed === undefined || allowed(entry)) results.push(entryDistance, entry);
    while (candidates.size > 0) {
      const current = candidates.topId();
      if (results.size >= ef && candidates.topDistance() > results.topDistance()) break;
      candidates.pop();
      const [links, base] = this.linksOf(current, level);
      const linkCount = links[base];
      for (let i = 1; i <= linkCount; i++) {
        const next = links[base + i];
        if (this.visited[next] === epoch) continue;
        this.visited[next] = epoch;
        const d = this.distance(query, this.vectors[next]);
        if (results.size < ef || d < results.topDistance()) {
          candidates.push(d, next);
          if (allowed === undefined || allowed(next)) results.offer(d, next, ef);
        }
      }
    }
  }

  /**
   * The diversity heuristic: walk candidates nearest first and keep one only if no kept
   * neighbour is closer to it than the base node is. `nodes` must be sorted by `distances`.
   */
  private selectNeighbours(nodes: number[], distances: number[], limit: number): number[] {
    if (nodes.length <= limit) return nodes;
    const kept: number[] = [];
    for (let i = 0; i < nodes.length && kept.length < limit; i++) {
      const candidate = this.vectors[nodes[i]];
      let diverse = true;
      for (const other of kept) {
        if (this.distance(candidate, this.vectors[other]) < distances[i]) {
          diverse = false;
          break;
        }
      }
      if (diverse) kept.push(nodes[i]);
    }
    return kept;
  }

  /** Adds `node` to `neighbour`'s links, re-running the heuristic when they are full. */
  private linkBack(neighbour: number, node: number, level: number): void {
    const [links, base] = this.linksOf(neighbour, level);
    const limit = level === 0 ? this.m0 : this.m;
    const count = links[base];
    if (count < limit) {
      links[base + 1 + count] = node;
      links[base] = count + 1;
      return;
    }
    const own = this.vectors[neighbour];
    const heap = new DistanceHeap('min', count + 1);
    heap.push(this.distance(own, this.vectors[node]), node);
    for (let i = 1; i <= count; i++)
      heap.push(this.distance(own, this.vectors[links[base + i]]), links[base + i]);
    const sorted = heap.drainAscending();
    this.setLinks(neighbour, level, this.selectNeighbours(sorted.rowIds, sorted.distances, limit));
  }

  private setLinks(node: number, level: number, neighbours: readonly number[]): void {
    const [links, base] = this.linksOf(node, level);
    links[base] = neighbours.length;
    for (let i = 0; i < neighbours.length; i++) links[base + 1 + i] = neighbours[i];
  }

  private linksOf(node: number, level: number): [Int32Array, number] {
    if (level === 0) return [this.links0, node * (this.m0 + 1)];
    return [this.upperLinks[node]!, (level - 1) * (this.m + 1)];
  }

  private nextEpoch(): number {
    if (++this.epoch === 0xffffffff) {
      this.visited.fill(0);
      this.epoch = 1;
    }
    return this.epoch;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const rowIdOf = new Float64Array(capacity);
    rowIdOf.set(this.rowIdOf);
    const deleted = new Uint8Array(capacity);
    deleted.set(this.deleted);
    const links0 = new Int32Array(capacity * (this.m0 + 1));
    links0.set(this.links0);
    const visited = new Uint32Array(capacity);
    visited.set(this.visited);
    this.rowIdOf = rowIdOf;
    this.deleted = deleted;
    this.links0 = links0;
    this.visited = visited;
    this.capacity = capacity;
  }
}
