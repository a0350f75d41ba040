import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { listMembers, type MemberInfo, Membership, watchMembers } from '../../src/cluster/membership.ts';
import { describeCluster, waitFor } from './fixtures.ts';

const REPO = join(import.meta.dirname, '..', '..');
const MEMBER_CHILD = join(REPO, 'src', 'cluster', 'testing', 'member-child.ts');

function info(nodeId: string): MemberInfo {
  return {
    nodeId,
    advertiseAddress: `127.0.0.1:7${nodeId.length}00`,
    sqlAddress: '127.0.0.1:5433',
    startedAt: Date.now(),
    load: { segments: 0, bytes: 0, leaderShards: 0 },
  };
}

describeCluster('membership', (fx) => {
  it('registers nodes, lists and watches them, and leave() removes a node at once', async () => {
    const { store, keys } = fx();
    const seen: string[][] = [];
    const view = await watchMembers(store, keys, (members) => seen.push([...members.keys()].sort()));
    const a = await Membership.join(await fx().connect(), keys, info('a'), { ttlSeconds: 2 });
    const b = await Membership.join(await fx().connect(), keys, info('b'), { ttlSeconds: 2 });
    await waitFor(() => view.members().size === 2, 3000, 'two members');
    expect((await listMembers(store, keys)).map((m) => m.nodeId)).toEqual(['a', 'b']);
    expect(view.members().get('a')?.advertiseAddress).toBe('127.0.0.1:7100');

    await a.updateLoad({ segments: 3, bytes: 1000, leaderShards: 1 });
    await waitFor(() => view.members().get('a')?.load.segments === 3, 3000, 'load update seen');

    const started = Date.now();
    await b.leave();
    await waitFor(() => !view.members().has('b'), 1000, 'b gone after leave');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(seen.at(-1)).toEqual(['a']);
    await a.leave();
    await view.close();
  });

  it('a node that stops renewing disappears within TTL + margin', async () => {
    const { store, keys } = fx();
    const view = await watchMembers(store, keys);
    const node = await Membership.join(await fx().connect(), keys, info('x'), { ttlSeconds: 1 });
    await waitFor(() => view.members().has('x'), 2000, 'x joined');
    const stopped = Date.now();
    node.lease.abandon();
    await waitFor(() => !view.members().has('x'), 3500, 'x expired');
    const gone = Date.now() - stopped;
    expect(gone).toBeGreaterThan(200);
    expect(gone).toBeLessThan(3500);
    await view.close();
  });

  it('a second process with a live node id waits for it, then fails with 55006', async () => {
    const { keys } = fx();
    const first = await Membership.join(await fx().connect(), keys, info('dup'), { ttlSeconds: 2 });
    await expect(
      Membership.join(await fx().connect(), keys, info('dup'), { ttlSeconds: 2, takeoverWaitMs: 300 }),
    ).rejects.toMatchObject({ code: '55006', message: 'node id "dup" is already in use by a live node' });
    // A restarted node takes its id over once the old incarnation's key expires.
    first.lease.abandon();
    const again = await Membership.join(await fx().connect(), keys, info('dup'), { ttlSeconds: 2 });
    expect(again.nodeId).toBe('dup');
    await again.leave();
  });
});

describeCluster(
  'membership with a killed process',
  (fx) => {
    it('kill -9 of a member: it disappears after the TTL', async () => {
      const { store, keys, endpoints } = fx();
      const view = await watchMembers(store, keys);
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', MEMBER_CHILD, endpoints![0], keys.cluster, 'victim', '1'],
        { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      try {
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        await waitFor(() => view.members().has('victim'), 15_000, `child to join (${stderr})`);
        const killed = Date.now();
        child.kill('SIGKILL');
        await waitFor(() => !view.members().has('victim'), 4000, 'killed member to expire');
        expect(Date.now() - killed).toBeLessThan(4000);
      } finally {
        child.kill('SIGKILL');
        await view.close();
      }
    });
  },
  { kinds: ['etcd'] },
);
