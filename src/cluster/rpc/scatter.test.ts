import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchRequest, SearchResponse } from './messages.ts';
import { PeerClients } from './node-client.ts';
import { callWithFailover, scatterGather } from './scatter.ts';
import { isRetryable, type PeerUnavailableError } from './status-mapping.ts';
import { FAKE_TABLE, fakeSearchRequest } from './testing/fake-node.ts';
import { type LocalNode, startLocalNode } from './testing/local-node.ts';
import { rejection } from './testing/sql-rejection.ts';
import { mergeTopK } from './top-k-merge.ts';

interface Replica {
  readonly id: string;
  readonly address: string;
}

const request = (tableId: bigint, segmentIds: bigint[], k = 10): SearchRequest =>
  fakeSearchRequest(tableId, 99n, { segmentIds, k, snapshotTs: 3n });

const nodes: Record<string, LocalNode> = {};
const peers = new PeerClients();
const replica = (id: string): Replica => ({ id, address: nodes[id]!.server.address });
const dead: Replica = { id: 'dead', address: '127.0.0.1:1' };

/** Searches `replicas` in order with failover, counting attempts. */
function search(
  replicas: Replica[],
  req: SearchRequest,
  options: { signal?: AbortSignal; deadline?: number } = {},
) {
  const attempts: string[] = [];
  const failedOver: string[] = [];
  const result = callWithFailover(
    replicas,
    (r, o) => {
      attempts.push(r.id);
      return peers.get(r.id, r.address).searchSegments(req, o);
    },
    {
      ...options,
      describe: (r) => r.id,
      onFailover: (r, err: PeerUnavailableError) => failedOver.push(`${r.id} ${err.code}`),
    },
  );
  return { result, attempts, failedOver };
}

beforeAll(async () => {
  nodes.n1 = await startLocalNode('n1');
  nodes.n2 = await startLocalNode('n2');
  nodes.slow = await startLocalNode('slow', { searchDelayMs: 30_000 });
  nodes.loading = await startLocalNode('loading', { notReady: true });
});

afterAll(async () => {
  peers.close();
  for (const node of Object.values(nodes)) await node[Symbol.asyncDispose]();
});

describe('callWithFailover', () => {
  it('moves past an unreachable replica and a loading one to the next', async () => {
    const s = search([dead, replica('loading'), replica('n2')], request(FAKE_TABLE.vectors, [1n]));
    const res = await s.result;
    expect(s.attempts).toEqual(['dead', 'loading', 'n2']);
    expect(s.failedOver).toEqual(['dead 08006', 'loading 57P03']);
    expect(res.stats[0]!.nodeId).toBe('n2');
    expect(res.hits).toEqual(
      (await peers.get('n1', nodes.n1!.server.address).searchSegments(request(FAKE_TABLE.vectors, [1n])))
        .hits,
    );
  });

  it('does not retry an error that another replica would repeat', async () => {
    const s = search([replica('n1'), replica('n2')], request(FAKE_TABLE.undefinedTable, [1n]));
    const err = await rejection(s.result);
    expect(err.code).toBe('42P01');
    expect(s.attempts).toEqual(['n1']);
  });

  it('reports every replica when none could be reached', async () => {
    const s = search([dead, replica('loading')], request(FAKE_TABLE.vectors, [1n]));
    const err = await rejection(s.result);
    expect(isRetryable(err)).toBe(true);
    expect(err.message).toBe('no replica could be reached (2 tried)');
    expect(err.detail).toMatch(
      /^dead: could not reach cluster node dead \(.*ECONNREFUSED.*\); loading: node loading has not loaded the segment yet$/,
    );
  });

  it('keeps one deadline for all attempts: a slow replica times the statement out', async () => {
    const started = Date.now();
    const s = search([replica('slow'), replica('n1')], request(FAKE_TABLE.vectors, [1n]), {
      deadline: Date.now() + 300,
    });
    const err = await rejection(s.result);
    expect(err.message).toBe('canceling statement due to statement timeout');
    expect(s.attempts).toEqual(['slow']);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await nodes.slow!.waitForEvent('search-aborted')).toBe(
      'search-aborted canceling statement due to statement timeout',
    );
  });
});

describe('scatterGather', () => {
  it('searches fragments on their replicas in parallel; the merge equals one search of them all', async () => {
    const fragments = [
      { segment: 1n, replicas: [replica('n1'), replica('n2')] },
      { segment: 2n, replicas: [dead, replica('n2')] },
      { segment: 3n, replicas: [replica('loading'), replica('n1')] },
      { segment: 4n, replicas: [replica('n2')] },
    ];
    const k = 15;
    const responses = await scatterGather(fragments, (f, signal) =>
      callWithFailover(
        f.replicas,
        (r, o) => peers.get(r.id, r.address).searchSegments(request(FAKE_TABLE.vectors, [f.segment], k), o),
        {
          signal,
        },
      ),
    );
    const merged = mergeTopK(
      responses.map((r: SearchResponse) => r.hits),
      k,
    );
    const whole = await peers
      .get('n1', nodes.n1!.server.address)
      .searchSegments(request(FAKE_TABLE.vectors, [1n, 2n, 3n, 4n], k));
    expect(merged).toEqual(whole.hits);
    expect(responses.map((r) => r.stats[0]!.nodeId)).toEqual(['n1', 'n2', 'n1', 'n2']);
    expect(new Set(merged.map((h) => h.segmentId)).size).toBeGreaterThan(1);
  });

  it('a failing fragment cancels the others on their nodes', async () => {
    nodes.n1!.events.length = 0;
    nodes.n2!.events.length = 0;
    const started = Date.now();
    const err = await rejection(
      scatterGather(
        [FAKE_TABLE.hang, FAKE_TABLE.hang, FAKE_TABLE.undefinedTable],
        async (tableId, signal, i) => {
          const node = i === 1 ? nodes.n2! : nodes.n1!;
          if (tableId === FAKE_TABLE.undefinedTable) await node.waitForEvent('search-started'); // others are running
          return peers
            .get(node === nodes.n1 ? 'n1' : 'n2', node.server.address)
            .searchSegments(request(tableId, [1n]), { signal });
        },
      ),
    );
    expect(err.code).toBe('42P01');
    expect(Date.now() - started).toBeLessThan(5_000);
    await nodes.n1!.waitForEvent('search-aborted');
    await nodes.n2!.waitForEvent('search-aborted');
  });

  it("the caller's abort cancels every fragment", async () => {
    nodes.n1!.events.length = 0;
    const controller = new AbortController();
    const pending = scatterGather(
      [1, 2, 3],
      (_, signal) =>
        peers.get('n1', nodes.n1!.server.address).searchSegments(request(FAKE_TABLE.hang, [1n]), { signal }),
      { signal: controller.signal },
    );
    await expect.poll(() => nodes.n1!.events.filter((e) => e === 'search-started').length).toBe(3);
    controller.abort();
    const err = await rejection(pending);
    expect(err.message).toBe('canceling statement due to user request');
    await expect.poll(() => nodes.n1!.events.filter((e) => e.startsWith('search-aborted')).length).toBe(3);
    await expect.poll(() => nodes.n1!.server.inFlightRpcs).toBe(0);
  });
});
