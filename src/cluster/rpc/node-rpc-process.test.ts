/**
 * A peer that is a separate process, killed with SIGKILL mid-call: the caller must see a
 * retryable error, and failover must finish the same call on another replica.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlError } from '../../errors/sql-error.ts';
import type { SearchRequest } from './messages.ts';
import { NodeClient } from './node-client.ts';
import { callWithFailover } from './scatter.ts';
import { isRetryable } from './status-mapping.ts';
import { FAKE_TABLE, fakeSearchRequest } from './testing/fake-node.ts';
import { type LocalNode, startLocalNode } from './testing/local-node.ts';
import { spawnFakeNode } from './testing/spawn-fake-node.ts';

const request: SearchRequest = fakeSearchRequest(FAKE_TABLE.vectors, 5n, { segmentIds: [11n, 12n], k: 20 });

let local: LocalNode;

beforeAll(async () => {
  local = await startLocalNode('local');
});

afterAll(async () => {
  await local?.[Symbol.asyncDispose]();
});

describe('a peer process killed with SIGKILL', () => {
  it('ends a FetchRows stream with a retryable 08006', async () => {
    await using peer = await spawnFakeNode('p1');
    const client = new NodeClient(peer.address, 'p1');
    try {
      const rowIds = Array.from({ length: 1_000 }, (_, i) => BigInt(i));
      const received: bigint[] = [];
      const iterate = async () => {
        // FAKE_TABLE.hang sends one row every 50 ms.
        for await (const batch of client.fetchRows({
          tableId: FAKE_TABLE.hang,
          rowIds,
          attnums: [1, 2],
          snapshotTs: 1n,
          consistency: 'strong',
        })) {
          received.push(...batch.rowIds);
          if (received.length === 3) await peer.kill('SIGKILL');
        }
      };
      const err = await iterate().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SqlError);
      expect(isRetryable(err)).toBe(true);
      expect((err as SqlError).code).toBe('08006');
      expect(received).toEqual([0n, 1n, 2n]);
    } finally {
      client.close();
    }
  });

  it('moves an in-flight search to the next replica within the same call', async () => {
    await using peer = await spawnFakeNode('p2', { searchDelayMs: 30_000 });
    const clients = { p2: new NodeClient(peer.address, 'p2'), local: local.client };
    const failedOver: string[] = [];
    try {
      const started = Date.now();
      const pending = callWithFailover(
        ['p2', 'local'] as const,
        (replica, options) => clients[replica].searchSegments(request, options),
        {
          deadline: Date.now() + 20_000,
          onFailover: (replica, err) => failedOver.push(`${replica} ${err.code}`),
        },
      );
      // The slow replica has the request; now it dies.
      await peer.waitForEvent('search-started');
      await peer.kill('SIGKILL');
      const res = await pending;
      expect(failedOver).toEqual(['p2 08006']);
      expect(res.stats.map((s) => s.nodeId)).toEqual(['local', 'local']);
      expect(res.hits).toEqual((await local.client.searchSegments(request)).hits);
      expect(Date.now() - started).toBeLessThan(15_000);

      // The dead peer's address now fails fast, still as retryable.
      const again = await clients.p2.health({ deadline: Date.now() + 5_000 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isRetryable(again)).toBe(true);
    } finally {
      clients.p2.close();
    }
  });
});
