import { describe, expect, it } from 'vitest';
import { type MemberInfo, Membership } from '../../src/cluster/membership.ts';
import { dropLoaded, reportLoaded, watchNodeAssignments } from '../../src/cluster/node-assignments.ts';
import { type AssignmentRecord, planAssignments, Rebalancer } from '../../src/cluster/rebalancer.ts';
import type { MetaStore } from '../../src/meta/meta-store.ts';
import { type ClusterFixture, describeCluster, waitFor } from './fixtures.ts';

function member(nodeId: string): MemberInfo {
  return {
    nodeId,
    advertiseAddress: '127.0.0.1:1',
    sqlAddress: '127.0.0.1:2',
    startedAt: Date.now(),
    load: { segments: 0, bytes: 0, leaderShards: 0 },
  };
}

describe('planAssignments (two-phase moves)', () => {
  const segments = new Map([
    ['t/s1', { bytes: 10 }],
    ['t/s2', { bytes: 10 }],
  ]);

  it('adds the new replica first, keeps the old holder retiring until the new one has loaded', () => {
    const assignments = new Map<string, AssignmentRecord>([
      ['t/s1', { replicas: ['a'], retiring: [] }],
      ['t/s2', { replicas: ['a'], retiring: [] }],
    ]);
    const step1 = planAssignments({
      segments,
      nodes: ['a', 'b'],
      assignments,
      loaded: new Map(),
      replicas: 1,
    });
    expect([...step1]).toEqual([['t/s1', { replicas: ['b'], retiring: ['a'] }]]);

    const after1 = new Map([...assignments, ...step1]) as Map<string, AssignmentRecord>;
    // b has not loaded it yet: nothing changes.
    expect(
      planAssignments({ segments, nodes: ['a', 'b'], assignments: after1, loaded: new Map(), replicas: 1 })
        .size,
    ).toBe(0);
    // Once b reports it loaded, a retires.
    const step2 = planAssignments({
      segments,
      nodes: ['a', 'b'],
      assignments: after1,
      loaded: new Map([['t/s1', new Set(['a', 'b'])]]),
      replicas: 1,
    });
    expect([...step2]).toEqual([['t/s1', { replicas: ['b'], retiring: [] }]]);
  });

  it('drops dead holders at once, deletes assignments of dropped segments', () => {
    const assignments = new Map<string, AssignmentRecord>([
      ['t/s1', { replicas: ['a', 'b'], retiring: [] }],
      ['t/old', { replicas: ['a'], retiring: [] }],
    ]);
    const plan = planAssignments({
      segments,
      nodes: ['a', 'c'],
      assignments,
      loaded: new Map(),
      replicas: 2,
    });
    expect(plan.get('t/s1')).toEqual({ replicas: ['a', 'c'], retiring: [] });
    expect(plan.get('t/s2')).toEqual({ replicas: ['a', 'c'], retiring: [] });
    expect(plan.get('t/old')).toBeNull();
  });
});

/** A node's assignment loop as the engine would run it; `ready` decides when a segment counts as loaded. */
async function runNode(
  fx: ClusterFixture,
  nodeId: string,
  ready: (segment: string) => boolean = () => true,
): Promise<{ membership: Membership; held: () => Set<string>; poke: () => void; stop: () => Promise<void> }> {
  const store: MetaStore = await fx.connect();
  const membership = await Membership.join(store, fx.keys, member(nodeId), { ttlSeconds: 2 });
  const loaded = new Set<string>();
  let wanted = new Set<string>();
  const sync = async () => {
    for (const id of wanted) {
      if (!loaded.has(id) && ready(id)) {
        loaded.add(id);
        await reportLoaded(store, fx.keys, id, nodeId, membership.lease);
      }
    }
    for (const id of [...loaded]) {
      if (!wanted.has(id)) {
        loaded.delete(id);
        await dropLoaded(store, fx.keys, id, nodeId);
      }
    }
  };
  const view = await watchNodeAssignments(store, fx.keys, nodeId, (segments) => {
    wanted = segments;
    void sync();
  });
  return {
    membership,
    held: () => new Set(loaded),
    poke: () => void sync(),
    stop: async () => {
      await view.close();
      await membership.leave();
    },
  };
}

async function assignments(fx: ClusterFixture): Promise<Map<string, AssignmentRecord>> {
  const kvs = await fx.store.range(fx.keys.assignments);
  return new Map(
    kvs.map((kv) => [kv.key.slice(fx.keys.assignments.length), JSON.parse(kv.value) as AssignmentRecord]),
  );
}

async function addSegment(fx: ClusterFixture, id: string, bytes = 100): Promise<void> {
  await fx.store.put(fx.keys.segment(id), JSON.stringify({ bytes, rows: 1 }));
}

describeCluster('rebalancer', (fx) => {
  it('one rebalancer is active; when it dies the other takes over and keeps assigning', async () => {
    const a = await runNode(fx(), 'a');
    const b = await runNode(fx(), 'b');
    for (let i = 0; i < 4; i++) await addSegment(fx(), `t/s${i}`);
    const r1 = Rebalancer.start({
      store: await fx().connect(),
      keys: fx().keys,
      nodeId: 'a',
      lease: a.membership.lease,
      replicas: 2,
    });
    await r1.elected();
    const r2 = Rebalancer.start({
      store: await fx().connect(),
      keys: fx().keys,
      nodeId: 'b',
      lease: b.membership.lease,
      replicas: 2,
    });
    await waitFor(async () => (await assignments(fx())).size === 4, 3000, 'first assignments');
    expect(r1.isLeader).toBe(true);
    expect(r2.isLeader).toBe(false);
    for (const record of (await assignments(fx())).values())
      expect(record).toEqual({ replicas: ['a', 'b'], retiring: [] });

    // a dies (its lease stops being renewed): b's rebalancer takes over with the next epoch.
    const died = Date.now();
    a.membership.lease.abandon();
    await r2.elected();
    expect(r2.epoch).toBe(2);
    expect(Date.now() - died).toBeLessThan(4000);
    await waitFor(() => !r1.isLeader, 3000, 'r1 to know it lost');
    // With only b alive every segment has one replica (R is capped at the live nodes).
    await waitFor(
      async () => [...(await assignments(fx())).values()].every((r) => r.replicas.join() === 'b'),
      3000,
      'assignments without a',
    );
    await addSegment(fx(), 't/new');
    await waitFor(
      async () => (await assignments(fx())).get('t/new')?.replicas.join() === 'b',
      3000,
      't/new assigned',
    );
    await r1.stop();
    await r2.stop();
    await b.stop();
  });

  it('scale-out: the new node gets replicas added before the old holders are removed', async () => {
    const a = await runNode(fx(), 'a');
    for (let i = 0; i < 6; i++) await addSegment(fx(), `t/s${i}`);
    const rebalancer = Rebalancer.start({
      store: await fx().connect(),
      keys: fx().keys,
      nodeId: 'a',
      lease: a.membership.lease,
      replicas: 1,
    });
    await rebalancer.elected();
    await waitFor(() => a.held().size === 6, 3000, 'a to load all six');

    let cReady = false;
    const c = await runNode(fx(), 'c', () => cReady);
    // Phase 1: three segments move to c, but a keeps serving them (retiring) while c loads.
    await waitFor(
      async () =>
        [...(await assignments(fx())).values()].filter((r) => r.replicas.join() === 'c').length === 3,
      3000,
      'targets on c',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const moving = [...(await assignments(fx()))].filter(([, r]) => r.replicas.join() === 'c');
    for (const [, record] of moving) expect(record.retiring).toEqual(['a']);
    expect(a.held().size).toBe(6);
    // Phase 2: c reports them loaded; only then does a drop them.
    cReady = true;
    c.poke();
    await waitFor(
      async () => [...(await assignments(fx())).values()].every((r) => r.retiring.length === 0),
      3000,
      'retiring cleared',
    );
    await waitFor(() => a.held().size === 3 && c.held().size === 3, 3000, 'a and c hold three each');
    await rebalancer.stop();
    await c.stop();
    await a.stop();
  });

  it('a member that cannot hold segments (holdsShards false) is given none', async () => {
    const a = await runNode(fx(), 'a');
    const store = await fx().connect();
    const bystander = await Membership.join(
      store,
      fx().keys,
      { ...member('x'), holdsShards: false },
      { ttlSeconds: 2 },
    );
    for (let i = 0; i < 3; i++) await addSegment(fx(), `t/s${i}`);
    const rebalancer = Rebalancer.start({
      store: await fx().connect(),
      keys: fx().keys,
      nodeId: 'a',
      lease: a.membership.lease,
      replicas: 2,
    });
    await waitFor(async () => (await assignments(fx())).size === 3, 3000, 'assignments');
    for (const record of (await assignments(fx())).values())
      expect(record).toEqual({ replicas: ['a'], retiring: [] });
    await rebalancer.stop();
    await bystander.leave();
    await a.stop();
  });
});
