/**
 * Distributed top-k (DESIGN §4): each fragment returns its nearest hits; the coordinator
 * merges them into the global nearest k, keeping one hit per row key (the primary key, or
 * the row id for tables without one) and, of several versions of a key, only the latest.
 *
 * A key's latest version is found in one pass over every hit first; the k-way merge then
 * skips older versions, so an updated row that moved away is not reported at its old place.
 * Order: distance ascending (NaN last, as PostgreSQL sorts it), then row id, then segment.
 */
import type { SearchHit } from './messages.ts';

export function compareHits(a: SearchHit, b: SearchHit): number {
  const an = Number.isNaN(a.distance);
  const bn = Number.isNaN(b.distance);
  if (an || bn) {
    if (an !== bn) return an ? 1 : -1;
  } else if (a.distance !== b.distance) {
    return a.distance < b.distance ? -1 : 1;
  }
  if (a.rowId !== b.rowId) return a.rowId < b.rowId ? -1 : 1;
  return a.segmentId === b.segmentId ? 0 : a.segmentId < b.segmentId ? -1 : 1;
}

export function hitKey(hit: SearchHit): string {
  return hit.key.length > 0
    ? `k${Buffer.from(hit.key.buffer, hit.key.byteOffset, hit.key.length).toString('latin1')}`
    : `r${hit.rowId}`;
}

/** The nearest `k` hits of all `lists` (each nearest first), one per key, latest version. */
export function mergeTopK(lists: readonly (readonly SearchHit[])[], k: number): SearchHit[] {
  if (k <= 0) return [];
  const latest = new Map<string, bigint>();
  for (const list of lists) {
    for (const hit of list) {
      const key = hitKey(hit);
      const seen = latest.get(key);
      if (seen === undefined || hit.versionTs > seen) latest.set(key, hit.versionTs);
    }
  }
  // Fragments sort by distance; ties may come in any order, which the merge must not see.
  const sorted = lists.filter((l) => l.length > 0).map((l) => (isSorted(l) ? l : [...l].sort(compareHits)));
  const heap = new CursorHeap(sorted);
  const out: SearchHit[] = [];
  const emitted = new Set<string>();
  while (out.length < k && heap.size > 0) {
    const hit = heap.pop();
    const key = hitKey(hit);
    if (hit.versionTs !== latest.get(key) || emitted.has(key)) continue;
    emitted.add(key);
    out.push(hit);
  }
  return out;
}

function isSorted(list: readonly SearchHit[]): boolean {
  for (let i = 1; i < list.length; i++) if (compareHits(list[i - 1]!, list[i]!) > 0) return false;
  return true;
}

/** A binary min-heap of list cursors, ordered by each list's current hit. */
class CursorHeap {
  private readonly heap: { list: readonly SearchHit[]; at: number }[];

  constructor(lists: readonly (readonly SearchHit[])[]) {
    this.heap = lists.map((list) => ({ list, at: 0 }));
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  get size(): number {
    return this.heap.length;
  }

  pop(): SearchHit {
    const top = this.heap[0]!;
    const hit = top.list[top.at++]!;
    if (top.at === top.list.length) {
      const last = this.heap.pop()!;
      if (this.heap.length > 0 && last !== top) this.heap[0] = last;
    }
    if (this.heap.length > 0) this.down(0);
    return hit;
  }

  private head(i: number): SearchHit {
    const c = this.heap[i]!;
    return c.list[c.at]!;
  }

  private down(i: number): void {
    const n = this.heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && compareHits(this.head(l), this.head(m)) < 0) m = l;
      if (r < n && compareHits(this.head(r), this.head(m)) < 0) m = r;
      if (m === i) return;
      [this.heap[i], this.heap[m]] = [this.heap[m]!, this.heap[i]!];
      i = m;
    }
  }
}
