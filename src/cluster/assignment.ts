/**
 * Replica placement (DESIGN §5): which nodes hold each sealed segment. A pure function, so
 * the rebalancer's decisions can be tested exhaustively and replayed.
 *
 * - Every segment gets R = min(requested, live nodes) distinct live nodes (requested: the
 *   segment's own `replicas`, else the cluster's).
 * - Stable: replicas on live nodes stay where they are; only missing replicas are placed,
 *   and then only as many moves as it takes to even out the counts.
 * - Balanced: replica counts per node differ by at most one; among equal counts the node
 *   with fewer bytes gets the next replica, and big segments are placed first.
 */
import type { SegmentId } from './keys.ts';

export interface SegmentSize {
  readonly id: SegmentId;
  readonly bytes: number;
  /** Replicas this segment asks for (an index's `replicas` option); absent: the input's. */
  readonly replicas?: number;
}

/** Segment → its replicas' node ids. */
export type Placement = ReadonlyMap<SegmentId, readonly string[]>;

export interface AssignmentInput {
  readonly segments: readonly SegmentSize[];
  /** Live node ids. */
  readonly nodes: readonly string[];
  /** The placement now (may name dead nodes and forgotten segments; both are dropped). */
  readonly current: Placement;
  readonly replicas: number;
}

interface NodeLoad {
  readonly id: string;
  count: number;
  bytes: number;
}

export function computeAssignment(input: AssignmentInput): Map<SegmentId, string[]> {
  const nodes = [...new Set(input.nodes)].sort();
  const replicasOf = (seg: SegmentSize) =>
    Math.max(0, Math.min(seg.replicas ?? input.replicas, nodes.length));
  const load = new Map<string, NodeLoad>(nodes.map((id) => [id, { id, count: 0, bytes: 0 }]));
  // Largest first, so the byte tie-break has the most freedom with the segments that matter.
  const segments = [...input.segments].sort((a, b) => b.bytes - a.bytes || cmp(a.id, b.id));
  const bytesOf = new Map(segments.map((s) => [s.id, s.bytes]));
  const placement = new Map<SegmentId, string[]>();

  const add = (seg: SegmentId, node: string) => {
    const l = load.get(node)!;
    l.count++;
    l.bytes += bytesOf.get(seg)!;
  };
  const remove = (seg: SegmentId, node: string) => {
    const l = load.get(node)!;
    l.count--;
    l.bytes -= bytesOf.get(seg)!;
  };
  const lighter = (a: NodeLoad, b: NodeLoad) => a.count - b.count || a.bytes - b.bytes || cmp(a.id, b.id);

  // 1. Keep live replicas (at most r; when over, the most loaded ones go later in step 1b).
  for (const seg of segments) {
    const kept = [...new Set(input.current.get(seg.id) ?? [])].filter((n) => load.has(n));
    placement.set(seg.id, kept);
    for (const n of kept) add(seg.id, n);
  }
  for (const seg of segments) {
    const kept = placement.get(seg.id)!;
    while (kept.length > replicasOf(seg)) {
      const heaviest = kept.reduce((a, b) => (lighter(load.get(a)!, load.get(b)!) >= 0 ? a : b));
      kept.splice(kept.indexOf(heaviest), 1);
      remove(seg.id, heaviest);
    }
  }

  // 2. Place missing replicas on the lightest nodes that lack the segment.
  const fresh = new Set<string>(); // `${segment}\0${node}` placed by this call: free to move again
  for (const seg of segments) {
    const held = placement.get(seg.id)!;
    while (held.length < replicasOf(seg)) {
      const target = [...load.values()].filter((l) => !held.includes(l.id)).sort(lighter)[0];
      held.push(target.id);
      add(seg.id, target.id);
      fresh.add(`${seg.id}\0${target.id}`);
    }
  }

  // 3. Even out counts while the fullest and emptiest nodes differ by two or more. Each round
  // lowers the sum of squared counts, so this ends. Re-placing replicas placed by this call
  // costs no data movement, so first look for a chain of such moves from the fullest node to
  // the emptiest (an augmenting path); only without one is an existing replica moved.
  const move = (seg: SegmentId, from: string, to: string) => {
    const held = placement.get(seg)!;
    held[held.indexOf(from)] = to;
    remove(seg, from);
    add(seg, to);
    if (fresh.delete(`${seg}\0${from}`)) fresh.add(`${seg}\0${to}`);
  };
  const movable = (from: string, to: string, onlyFresh: boolean): SegmentSize[] =>
    segments.filter((s) => {
      const held = placement.get(s.id)!;
      return held.includes(from) && !held.includes(to) && (!onlyFresh || fresh.has(`${s.id}\0${from}`));
    });
  for (;;) {
    const sorted = [...load.values()].sort(lighter);
    const low = sorted[0];
    const high = sorted[sorted.length - 1];
    if (!low || high.count - low.count < 2) break;
    const path = freshPath(high.id, low.id, [...load.keys()], (a, b) => movable(a, b, true)[0]?.id);
    if (path) {
      for (const [seg, from, to] of path) move(seg, from, to);
      continue;
    }
    // The segment whose move best evens out bytes: the largest one that fits the gap.
    const candidates = movable(high.id, low.id, false);
    const gap = (high.bytes - low.bytes) / 2;
    const pick = candidates.find((c) => c.bytes <= gap) ?? candidates[candidates.length - 1];
    move(pick.id, high.id, low.id);
  }

  for (const held of placement.values()) held.sort();
  return placement;
}

/**
 * Shortest chain of moves `from` → … → `to` where each step re-places one replica placed by
 * this call (`edge(a, b)` names such a segment on a that b lacks); breadth-first over nodes.
 */
function freshPath(
  from: string,
  to: string,
  nodes: readonly string[],
  edge: (a: string, b: string) => SegmentId | undefined,
): [SegmentId, string, string][] | null {
  const previous = new Map<string, [SegmentId, string]>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const at = queue.shift()!;
    for (const next of nodes) {
      if (seen.has(next)) continue;
      const seg = edge(at, next);
      if (seg === undefined) continue;
      seen.add(next);
      previous.set(next, [seg, at]);
      if (next === to) {
        const path: [SegmentId, string, string][] = [];
        for (let node = to; node !== from; ) {
          const [s, prev] = previous.get(node)!;
          path.unshift([s, prev, node]);
          node = prev;
        }
        return path;
      }
      queue.push(next);
    }
  }
  return null;
}

/** Replicas added and removed between two placements (for tests and logs). */
export function placementMoves(before: Placement, after: Placement): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const [seg, nodes] of after) {
    const old = new Set(before.get(seg) ?? []);
    for (const n of nodes) if (!old.has(n)) added++;
  }
  for (const [seg, nodes] of before) {
    const now = new Set(after.get(seg) ?? []);
    for (const n of nodes) if (!now.has(n)) removed++;
  }
  return { added, removed };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
