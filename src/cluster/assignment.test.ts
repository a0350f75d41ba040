import { describe, expect, it } from 'vitest';
import { computeAssignment, type Placement, placementMoves, type SegmentSize } from './assignment.ts';

/** Small deterministic PRNG (mulberry32), so a failing case can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function segments(count: number, random: () => number): SegmentSize[] {
  return Array.from({ length: count }, (_, i) => ({ id: `t1/s${i}`, bytes: Math.floor(random() * 1e6) + 1 }));
}

function nodes(count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `n${i + from}`);
}

function counts(placement: Placement, live: readonly string[]): number[] {
  const c = new Map(live.map((n) => [n, 0]));
  for (const held of placement.values()) for (const n of held) c.set(n, (c.get(n) ?? 0) + 1);
  return [...c.values()];
}

function checkInvariants(placement: Placement, segs: SegmentSize[], live: string[], replicas: number): void {
  const r = Math.min(replicas, live.length);
  expect([...placement.keys()].sort()).toEqual(segs.map((s) => s.id).sort());
  for (const [id, held] of placement) {
    expect(new Set(held).size, `${id} has distinct replicas`).toBe(held.length);
    expect(held.length, `${id} has ${r} replicas`).toBe(r);
    for (const n of held) expect(live, `${id} on a live node`).toContain(n);
  }
  const c = counts(placement, live);
  if (segs.length > 0) expect(Math.max(...c) - Math.min(...c), 'balanced counts').toBeLessThanOrEqual(1);
}

describe('computeAssignment', () => {
  it('gives every segment R distinct live nodes, balanced, from any starting placement (200 random cases)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = rng(seed);
      const segs = segments(Math.floor(random() * 60), random);
      const live = nodes(1 + Math.floor(random() * 8));
      const everyone = [...live, 'dead1', 'dead2'];
      const replicas = 1 + Math.floor(random() * 4);
      // Arbitrary current placement: dead nodes, duplicates, over- and under-replication, unknown segments.
      const current = new Map<string, string[]>();
      for (const s of segs) {
        const k = Math.floor(random() * 6);
        current.set(
          s.id,
          Array.from({ length: k }, () => everyone[Math.floor(random() * everyone.length)]),
        );
      }
      current.set('t1/gone', ['n0']);
      const placement = computeAssignment({ segments: segs, nodes: live, current, replicas });
      checkInvariants(placement, segs, live, replicas);
      // Stable: computing again from the result moves nothing.
      const again = computeAssignment({ segments: segs, nodes: live, current: placement, replicas });
      expect(placementMoves(placement, again)).toEqual({ added: 0, removed: 0 });
    }
  });

  it('caps R at the number of live nodes and handles no nodes or no segments', () => {
    const segs = segments(5, rng(7));
    checkInvariants(
      computeAssignment({ segments: segs, nodes: ['a'], current: new Map(), replicas: 3 }),
      segs,
      ['a'],
      3,
    );
    expect([
      ...computeAssignment({ segments: segs, nodes: [], current: new Map(), replicas: 2 }).values(),
    ]).toEqual(Array(5).fill([]));
    expect(computeAssignment({ segments: [], nodes: ['a', 'b'], current: new Map(), replicas: 2 }).size).toBe(
      0,
    );
  });

  it("a segment's own replica count wins over the cluster's, capped at the live nodes", () => {
    const segs = [
      { id: 't/three', bytes: 10, replicas: 3 },
      { id: 't/one', bytes: 10, replicas: 1 },
      { id: 't/default', bytes: 10 },
    ];
    const nodes = ['a', 'b', 'c', 'd'];
    const placement = computeAssignment({ segments: segs, nodes, current: new Map(), replicas: 2 });
    expect(placement.get('t/three')).toHaveLength(3);
    expect(placement.get('t/one')).toHaveLength(1);
    expect(placement.get('t/default')).toHaveLength(2);
    for (const held of placement.values()) expect(new Set(held).size).toBe(held.length);
    const two = computeAssignment({ segments: segs, nodes: ['a', 'b'], current: placement, replicas: 2 });
    expect(two.get('t/three')).toEqual(['a', 'b']);
    expect(two.get('t/one')).toHaveLength(1);
  });

  it('moves only what a joining node takes: at most its fair share', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const random = rng(seed);
      const segs = segments(10 + Math.floor(random() * 80), random);
      const n = 2 + Math.floor(random() * 6);
      const replicas = 1 + Math.floor(random() * 3);
      const before = computeAssignment({ segments: segs, nodes: nodes(n), current: new Map(), replicas });
      const after = computeAssignment({ segments: segs, nodes: nodes(n + 1), current: before, replicas });
      checkInvariants(after, segs, nodes(n + 1), replicas);
      const total = segs.length * Math.min(replicas, n + 1);
      const moves = placementMoves(before, after);
      // When R grows with the new node (R > n before), every segment gains a replica.
      const grown = replicas > n ? segs.length : 0;
      expect(moves.added, `seed ${seed}`).toBeLessThanOrEqual(Math.ceil(total / (n + 1)) + grown);
      expect(moves.removed).toBeLessThanOrEqual(moves.added);
      // Every added replica lands on the new node.
      for (const [id, held] of after) {
        for (const node of held) if (!before.get(id)!.includes(node)) expect(node).toBe(`n${n}`);
      }
    }
  });

  it('replaces what a leaving node held, with bounded extra balancing moves', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const random = rng(seed);
      const segs = segments(10 + Math.floor(random() * 80), random);
      const n = 3 + Math.floor(random() * 6);
      const replicas = 1 + Math.floor(random() * 3);
      const before = computeAssignment({ segments: segs, nodes: nodes(n), current: new Map(), replicas });
      const leaving = `n${Math.floor(random() * n)}`;
      const live = nodes(n).filter((x) => x !== leaving);
      const after = computeAssignment({ segments: segs, nodes: live, current: before, replicas });
      checkInvariants(after, segs, live, replicas);
      const lost = [...before.values()].filter((held) => held.includes(leaving)).length;
      const moves = placementMoves(before, after);
      // Replacing what was lost is the floor; balancing can need more when the nodes that could take
      // the lost replicas already hold those segments (then old replicas must shift to make room),
      // but never more than as many again.
      // (With R above the nodes left, R shrinks instead and nothing is re-placed.)
      expect(moves.added, `seed ${seed}`).toBeGreaterThanOrEqual(replicas <= live.length ? lost : 0);
      expect(moves.added, `seed ${seed}`).toBeLessThanOrEqual(2 * lost);
    }
  });

  it('balances bytes among nodes with equal counts', () => {
    const segs: SegmentSize[] = [
      { id: 't/big1', bytes: 1000 },
      { id: 't/big2', bytes: 1000 },
      { id: 't/small1', bytes: 1 },
      { id: 't/small2', bytes: 1 },
    ];
    const placement = computeAssignment({
      segments: segs,
      nodes: ['a', 'b'],
      current: new Map(),
      replicas: 1,
    });
    const bytes = new Map<string, number>();
    for (const s of segs) for (const n of placement.get(s.id)!) bytes.set(n, (bytes.get(n) ?? 0) + s.bytes);
    expect(bytes.get('a')).toBe(1001);
    expect(bytes.get('b')).toBe(1001);
  });
});
