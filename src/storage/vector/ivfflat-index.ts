import type { IvfflatOptions, SearchOptions, SearchResult } from '../vector-index.ts';
import {
  type BuildableVectorIndex,
  checkDimensions,
  checkRowId,
  DEFAULT_LISTS,
  DEFAULT_PROBES,
  type SavableIndex,
} from './buildable-index.ts';
import type { ByteReader, ByteWriter } from './byte-io.ts';
import { type DistanceFunction, type FloatMetric, floatDistance } from './distance.ts';
import { DistanceHeap } from './distance-heap.ts';
import { kmeans, nearestCenter, normalizeInPlace } from './kmeans.ts';
import { SeededRandom } from './seeded-random.ts';
import { float32Codec } from './vector-codec.ts';

export interface IvfflatIndexOptions extends Partial<IvfflatOptions> {
  readonly seed?: number;
  /** Lloyd iterations at most while training the lists (default 25). */
  readonly maxIterations?: number;
}

/** pgvector trains k-means on at most `lists * 50` sampled rows. */
const SAMPLES_PER_LIST = 50;

interface InvertedList {
  readonly rowIds: number[];
  readonly vectors: Float32Array[];
}

/**
 * `USING ivfflat`, as pgvector builds it: at build time the existing rows are sampled,
 * k-means cuts them into `lists` clusters (spherical k-means for ip and cosine), and each row
 * is stored in the list of its nearest centre; rows added later join their nearest list
 * without retraining. A search ranks the lists by their centre and scans the `probes`
 * nearest ones exactly.
 *
 * One deliberate difference from pgvector's default (`ivfflat.iterative_scan = off`): if the
 * probed lists hold fewer than k rows passing the filter, further lists are scanned in
 * centre order until k are found — DESIGN §4's "always k rows when k matching rows exist".
 *
 * Rows are kept by reference (no copy); callers must not mutate vectors after adding them,
 * must not add NULLs, and under cosine must skip zero vectors (as pgvector does).
 */
export class IvfflatIndex implements BuildableVectorIndex, SavableIndex {
  readonly method = 'ivfflat' as const;
  private readonly lists: number;
  private readonly spherical: boolean;
  private readonly distance: DistanceFunction<Float32Array>;
  private centers: Float32Array[] = [];
  private inverted: InvertedList[] = [];
  /** Row id → list number, so remove() only scans one list. */
  private readonly listOf = new Map<number, number>();

  constructor(
    readonly metric: FloatMetric,
    readonly dimensions: number,
    private readonly options: IvfflatIndexOptions = {},
  ) {
    this.lists = Math.max(1, options.lists ?? DEFAULT_LISTS);
    this.spherical = metric === 'ip' || metric === 'cosine';
    this.distance = floatDistance(metric);
  }

  get built(): boolean {
    return this.centers.length > 0;
  }

  /**
   * CREATE INDEX: trains the lists on (a sample of) these rows and stores them. Replaces any
   * earlier content. Works with no rows at all, as pgvector's build on an empty table does.
   */
  build(rowIds: ArrayLike<number>, vectors: ArrayLike<Float32Array>): void {
    const seed = this.options.seed ?? 1;
    const sample = reservoirSample(vectors, this.lists * SAMPLES_PER_LIST, new SeededRandom(seed));
    // Cosine trains on directions only, as pgvector normalizes before k-means for cosine.
    const points = this.metric === 'cosine' ? sample.map(normalizedCopy) : sample;
    this.centers = kmeans(points, this.dimensions, {
      centers: this.lists,
      spherical: this.spherical,
      seed,
      maxIterations: this.options.maxIterations,
    });
    this.inverted = this.centers.map(() => ({ rowIds: [], vectors: [] }));
    this.listOf.clear();
    for (let i = 0; i < rowIds.length; i++) this.add(rowIds[i], vectors[i]);
  }

  add(rowId: number, vector: Float32Array): void {
    checkRowId(rowId, Number.MAX_SAFE_INTEGER);
    checkDimensions(vector.length, this.dimensions);
    // An index created on an empty table still has (random) centres in pgvector.
    if (!this.built) this.build([], []);
    this.remove(rowId);
    const list = nearestCenter(vector, this.centers, this.spherical);
    this.inverted[list].rowIds.push(rowId);
    this.inverted[list].vectors.push(vector);
    this.listOf.set(rowId, list);
  }

  remove(rowId: number): void {
    const list = this.listOf.get(rowId);
    if (list === undefined) return;
    this.listOf.delete(rowId);
    const { rowIds, vectors } = this.inverted[list];
    const at = rowIds.indexOf(rowId);
    // Order inside a list does not matter: move the last row into the hole.
    const last = rowIds.length - 1;
    rowIds[at] = rowIds[last];
    vectors[at] = vectors[last];
    rowIds.pop();
    vectors.pop();
  }

  search(query: Float32Array, k: number, options: SearchOptions = {}): SearchResult {
    checkDimensions(query.length, this.dimensions);
    const results = new DistanceHeap('max', Math.min(Math.max(k, 1), 1024));
    if (k <= 0 || this.listOf.size === 0) return results.drainAscending();
    // Rank every list by its centre; lists are few (pgvector suggests rows / 1000).
    const order = new DistanceHeap('min', this.centers.length);
    for (let c = 0; c < this.centers.length; c++) {
      const center = this.centers[c];
      let score = 0;
      for (let d = 0; d < center.length; d++) {
        score += this.spherical ? -query[d] * center[d] : (query[d] - center[d]) ** 2;
      }
      order.push(score, c);
    }
    const probes = Math.max(1, options.probes ?? DEFAULT_PROBES);
    const filter = options.filter;
    for (let probed = 0; order.size > 0; probed++) {
      if (probed >= probes && (options.strictProbes === true || results.size >= k)) break;
      const { rowIds, vectors } = this.inverted[order.topId()];
      order.pop();
      for (let i = 0; i < rowIds.length; i++) {
        if (filter !== undefined && !filter(rowIds[i])) continue;
        results.offer(this.distance(query, vectors[i]), rowIds[i], k);
      }
    }
    return results.drainAscending();
  }

  size(): number {
    return this.listOf.size;
  }

  /** Centres, then every list in its current order (order decides ties between equal distances). */
  writeTo(out: ByteWriter): void {
    const codec = float32Codec(this.dimensions);
    out.u32(this.centers.length);
    codec.write(out, this.centers);
    out.array(Uint32Array.from(this.inverted, (list) => list.rowIds.length));
    out.array(Float64Array.from(this.inverted.flatMap((list) => list.rowIds)));
    codec.write(
      out,
      this.inverted.flatMap((list) => list.vectors),
    );
  }

  async readFrom(input: ByteReader): Promise<void> {
    const codec = float32Codec(this.dimensions);
    const centerCount = input.u32();
    // An index that was never built has no centres yet; a built one has exactly `lists`.
    if (centerCount !== 0 && centerCount !== this.lists) {
      input.fail(`${centerCount} lists, the index has ${this.lists}`);
    }
    const centers = codec.read(input, centerCount);
    const sizes = input.uint32s(centerCount);
    const rowIds = input.float64s();
    const vectors = codec.read(input, rowIds.length);
    const inverted: InvertedList[] = [];
    const listOf = new Map<number, number>();
    let at = 0;
    for (let list = 0; list < centerCount; list++) {
      const end = at + sizes[list];
      if (end > rowIds.length) input.fail(`list ${list} ends after the last row`);
      inverted.push({ rowIds: Array.from(rowIds.subarray(at, end)), vectors: vectors.slice(at, end) });
      for (; at < end; at++) {
        if (listOf.has(rowIds[at])) input.fail(`row id ${rowIds[at]} is in two lists`);
        listOf.set(rowIds[at], list);
      }
    }
    if (at !== rowIds.length) input.fail(`${rowIds.length - at} rows belong to no list`);
    this.centers = centers;
    this.inverted = inverted;
    this.listOf.clear();
    for (const [rowId, list] of listOf) this.listOf.set(rowId, list);
  }
}

/** Uniform sample of at most `limit` vectors (Algorithm R), deterministic for a seed. */
function reservoirSample(
  vectors: ArrayLike<Float32Array>,
  limit: number,
  random: SeededRandom,
): Float32Array[] {
  const sample: Float32Array[] = [];
  for (let i = 0; i < vectors.length; i++) {
    if (sample.length < limit) {
      sample.push(vectors[i]);
    } else {
      const j = random.nextInt(i + 1);
      if (j < limit) sample[j] = vectors[i];
    }
  }
  return sample;
}

function normalizedCopy(v: Float32Array): Float32Array {
  const copy = Float32Array.from(v);
  normalizeInPlace(copy);
  return copy;
}
