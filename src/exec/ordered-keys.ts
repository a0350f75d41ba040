/**
 * A btree index's rows in the order of its key (one column's value, or the tuple of a
 * multi-column index's values, NULLs after every value as in a PostgreSQL btree): what
 * answers ranges (`id > $1`, `created_at BETWEEN …`), key prefixes (`tenant = $1` on an index
 * over (tenant, created_at)) and `ORDER BY … LIMIT k` without reading every row.
 *
 * Two sorted runs of (key, row id) — a big one and a small one for recent inserts — read
 * as one merged sequence; the small run is merged into the big one once it passes
 * `MERGE_AT` (or an eighth of the big one), at a read. Inserts only append, so a bulk load
 * costs one sort at the first read. Like the key maps, the runs only grow: every version
 * that held a key stays until the index is rebuilt, and readers check each row.
 */
import type { Value } from '../types/type.ts';

/** The small run is merged into the big one past this many entries (or an eighth of the big one). */
const MERGE_AT = 1024;

/**
 * One end of a key range: keys whose first `prefix.length` values are above (lower) or below
 * (upper) `prefix`, or equal to it when inclusive. A NULL in the prefix is NULL's place in the
 * order (after every value).
 */
export interface KeyBound {
  readonly prefix: readonly Value[];
  readonly inclusive: boolean;
}

/** How the index's keys order: whole keys, and a key against a bound's prefix. */
export interface KeyOrder {
  compare(a: Value, b: Value): number;
  compareToPrefix(key: Value, prefix: readonly Value[]): number;
}

interface Run {
  keys: Value[];
  ids: number[];
}

export class OrderedKeys {
  private main: Run = { keys: [], ids: [] };
  private recent: Run = { keys: [], ids: [] };
  private recentSorted = true;
  /**
   * Emptied and waiting to be filled again from the table's rows (the index was rebuilt);
   * adds are ignored meanwhile.
   */
  stale = false;

  constructor(private readonly order: KeyOrder) {}

  get size(): number {
    return this.main.keys.length + this.recent.keys.length;
  }

  add(key: Value, rowId: number): void {
    if (this.stale) return;
    this.recent.keys.push(key);
    this.recent.ids.push(rowId);
    this.recentSorted = false;
  }

  /** Empties the runs and marks them stale (to be filled again by the caller). */
  invalidate(): void {
    this.main = { keys: [], ids: [] };
    this.recent = { keys: [], ids: [] };
    this.recentSorted = true;
    this.stale = true;
  }

  /**
   * The row ids whose keys lie within the bounds (null: unbounded), ascending by key (ties
   * by row id) or descending. Entries added while iterating may or may not be seen.
   */
  *range(lower: KeyBound | null, upper: KeyBound | null, descending: boolean): Generator<number> {
    this.settle();
    const runs = [this.main, this.recent].map((run) => {
      const from = lower ? this.boundary(run, lower.prefix, !lower.inclusive) : 0;
      const to = upper ? this.boundary(run, upper.prefix, upper.inclusive) : run.keys.length;
      return { run, from, to };
    });
    const [a, b] = runs;
    if (!descending) {
      let i = a.from;
      let j = b.from;
      while (i < a.to || j < b.to) {
        const takeA = j >= b.to || (i < a.to && this.before(a.run, i, b.run, j));
        yield takeA ? a.run.ids[i++] : b.run.ids[j++];
      }
      return;
    }
    let i = a.to - 1;
    let j = b.to - 1;
    while (i >= a.from || j >= b.from) {
      const takeA = j < b.from || (i >= a.from && !this.before(a.run, i, b.run, j));
      yield takeA ? a.run.ids[i--] : b.run.ids[j--];
    }
  }

  /** How many keyed entries lie within the bounds (an upper bound on the rows a range finds). */
  count(lower: KeyBound | null, upper: KeyBound | null): number {
    this.settle();
    let n = 0;
    for (const run of [this.main, this.recent]) {
      const from = lower ? this.boundary(run, lower.prefix, !lower.inclusive) : 0;
      const to = upper ? this.boundary(run, upper.prefix, upper.inclusive) : run.keys.length;
      n += Math.max(0, to - from);
    }
    return n;
  }

  /** Whether entry i of `x` comes before entry j of `y` (by key, then row id). */
  private before(x: Run, i: number, y: Run, j: number): boolean {
    const c = this.order.compare(x.keys[i], y.keys[j]);
    return c < 0 || (c === 0 && x.ids[i] < y.ids[j]);
  }

  /** The first position whose key is above `prefix` (`after`) or not below it. */
  private boundary(run: Run, prefix: readonly Value[], after: boolean): number {
    let lo = 0;
    let hi = run.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.order.compareToPrefix(run.keys[mid], prefix);
      if (c < 0 || (after && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Sorts the recent run, and merges it into the main one once it has grown. */
  private settle(): void {
    if (!this.recentSorted) {
      this.recent = sortRun(this.recent, this.order.compare);
      this.recentSorted = true;
    }
    const n = this.recent.keys.length;
    if (n === 0 || (n < MERGE_AT && n * 8 < this.main.keys.length)) return;
    this.main =
      this.main.keys.length === 0 ? this.recent : mergeRuns(this.main, this.recent, this.order.compare);
    this.recent = { keys: [], ids: [] };
  }
}

function sortRun(run: Run, compare: (a: Value, b: Value) => number): Run {
  const order = run.ids.map((_, i) => i);
  order.sort((i, j) => compare(run.keys[i], run.keys[j]) || run.ids[i] - run.ids[j]);
  return { keys: order.map((i) => run.keys[i]), ids: order.map((i) => run.ids[i]) };
}

function mergeRuns(a: Run, b: Run, compare: (a: Value, b: Value) => number): Run {
  const keys: Value[] = new Array(a.keys.length + b.keys.length);
  const ids: number[] = new Array(keys.length);
  let i = 0;
  let j = 0;
  for (let k = 0; k < keys.length; k++) {
    const c =
      j >= b.keys.length ? -1 : i >= a.keys.length ? 1 : compare(a.keys[i], b.keys[j]) || a.ids[i] - b.ids[j];
    if (c <= 0) {
      keys[k] = a.keys[i];
      ids[k] = a.ids[i++];
    } else {
      keys[k] = b.keys[j];
      ids[k] = b.ids[j++];
    }
  }
  return { keys, ids };
}
