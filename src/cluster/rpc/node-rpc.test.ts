import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SqlError } from '../../errors/sql-error.ts';
import type { SearchRequest } from './messages.ts';
import { NodeClient } from './node-client.ts';
import { NodeServer } from './node-server.ts';
import { isRetryable, PeerUnavailableError } from './status-mapping.ts';
import { FAKE_TABLE, fakeCell, fakeHandlers, fakeSearchRequest, fakeVector } from './testing/fake-node.ts';
import { type LocalNode, startLocalNode } from './testing/local-node.ts';
import { rejection } from './testing/sql-rejection.ts';

const query = fakeVector(424242n);

function searchRequest(tableId: bigint, extra: Partial<SearchRequest> = {}): SearchRequest {
  return fakeSearchRequest(tableId, 424242n, { segmentIds: [7n], snapshotTs: 5n, ...extra });
}

const hex = (v: Uint8Array | null) => (v === null ? null : Buffer.from(v).toString('hex'));

let node: LocalNode;

beforeAll(async () => {
  node = await startLocalNode('n1');
});

// Every call ends on the server too, whatever ended it on the client.
afterEach(async () => {
  await expect.poll(() => node.server.inFlightRpcs, { timeout: 3_000 }).toBe(0);
});

afterAll(async () => {
  await node?.[Symbol.asyncDispose]();
});

describe('SearchSegments', () => {
  it('returns the handler hits with uint64 ids intact and per-fragment stats', async () => {
    const segment = (1n << 40n) + 1n; // row ids above 2^53
    const res = await node.client.searchSegments(
      searchRequest(FAKE_TABLE.vectors, { segmentIds: [segment] }),
    );
    expect(res.hits).toHaveLength(10);
    const expected = Array.from({ length: 200 }, (_, i) => segment * 1_000_000n + BigInt(i))
      .map((rowId) => {
        const v = fakeVector(rowId);
        let s = 0;
        for (let j = 0; j < v.length; j++) s += (v[j]! - query[j]!) ** 2;
        return { rowId, distance: Math.sqrt(s) };
      })
      .sort((a, b) => a.distance - b.distance)
      .slice(0, 10);
    expect(res.hits.map((h) => h.rowId)).toEqual(expected.map((e) => e.rowId));
    expect(res.hits[0]!.rowId > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(res.hits[0]!.distance).toBeCloseTo(expected[0]!.distance, 5);
    expect(res.hits[0]!.versionTs).toBe(5n);
    expect(res.stats).toEqual([
      { nodeId: 'n1', segmentId: segment, rowsScanned: 200, timeUs: expect.any(Number), method: 'exact' },
    ]);
  });

  it('re-raises the handler SqlError with its SQLSTATE, message, detail and hint', async () => {
    const missing = await rejection(node.client.searchSegments(searchRequest(FAKE_TABLE.undefinedTable)));
    expect(missing.code).toBe('42P01');
    expect(missing.message).toBe('relation "t404" does not exist');
    expect(missing).not.toBeInstanceOf(PeerUnavailableError);

    const data = await rejection(node.client.searchSegments(searchRequest(FAKE_TABLE.dataException)));
    expect({ code: data.code, message: data.message, detail: data.detail, hint: data.hint }).toEqual({
      code: '22000',
      message: 'different vector dimensions 3 and 2',
      detail: 'détail: naïve ✓',
      hint: 'Check the query vector.',
    });
  });

  it('turns an unclassified error into XX000 and logs it on the server', async () => {
    const err = await rejection(node.client.searchSegments(searchRequest(FAKE_TABLE.unclassified)));
    expect(err.code).toBe('XX000');
    expect(err.message).toBe('boom');
    expect(node.logged.some((l) => l.includes('SearchSegments') && l.includes('TypeError: boom'))).toBe(true);
  });

  it('a node that is not ready answers with a retryable error keeping its SQLSTATE', async () => {
    const err = await rejection(node.client.searchSegments(searchRequest(FAKE_TABLE.notReady)));
    expect(isRetryable(err)).toBe(true);
    expect(err.code).toBe('57P03');
    expect(err.message).toBe('node n1 has not loaded the segment yet');
  });

  it('a passed deadline is 57014 statement timeout, and the handler signal fires', async () => {
    const before = node.events.length;
    const started = Date.now();
    const err = await rejection(
      node.client.searchSegments(searchRequest(FAKE_TABLE.hang), { deadline: Date.now() + 300 }),
    );
    expect(err.code).toBe('57014');
    expect(err.message).toBe('canceling statement due to statement timeout');
    expect(Date.now() - started).toBeLessThan(3_000);
    const aborted = await node.waitForEvent('search-aborted');
    expect(node.events.indexOf(aborted)).toBeGreaterThanOrEqual(before);
    expect(aborted).toBe('search-aborted canceling statement due to statement timeout');
  });

  it('a client abort cancels the call on the server (its handler signal fires)', async () => {
    node.events.length = 0;
    const controller = new AbortController();
    const pending = node.client.searchSegments(searchRequest(FAKE_TABLE.hang), { signal: controller.signal });
    await node.waitForEvent('search-started');
    controller.abort();
    const err = await rejection(pending);
    expect(err.code).toBe('57014');
    expect(err.message).toBe('canceling statement due to user request');
    expect(await node.waitForEvent('search-aborted')).toBe(
      'search-aborted canceling statement due to user request',
    );
    await expect.poll(() => node.server.inFlightRpcs).toBe(0);
  });

  it("an abort reason that is a SqlError is the caller's error", async () => {
    const controller = new AbortController();
    const reason = new SqlError('57014', 'canceling statement due to statement timeout');
    const pending = node.client.searchSegments(searchRequest(FAKE_TABLE.hang), { signal: controller.signal });
    controller.abort(reason);
    expect(await rejection(pending)).toBe(reason);
    // Cancelled before or after the handler started: either way nothing is left running.
    await expect.poll(() => node.server.inFlightRpcs).toBe(0);
  });

  it('searches share one stream per peer: each is answered by its own id, a hanging one holds up none', async () => {
    const controller = new AbortController();
    const hanging = node.client.searchSegments(searchRequest(FAKE_TABLE.hang), { signal: controller.signal });
    const segments = Array.from({ length: 20 }, (_, i) => BigInt(i + 1));
    const answers = await Promise.all(
      segments.map((segment) =>
        node.client.searchSegments(searchRequest(FAKE_TABLE.vectors, { segmentIds: [segment] })),
      ),
    );
    answers.forEach((res, i) => {
      expect(res.stats[0]!.segmentId).toBe(segments[i]);
      expect(res.hits.every((h) => h.rowId / 1_000_000n === segments[i])).toBe(true);
    });
    // One search failing leaves the stream to the others.
    const failed = rejection(node.client.searchSegments(searchRequest(FAKE_TABLE.undefinedTable)));
    const ok = node.client.searchSegments(searchRequest(FAKE_TABLE.vectors));
    expect((await failed).code).toBe('42P01');
    expect((await ok).hits).toHaveLength(10);
    controller.abort();
    expect((await rejection(hanging)).code).toBe('57014');
  });

  it('a stream broken by a server restart fails its searches as retryable; the next search opens a new one', async () => {
    const events: string[] = [];
    const handlers = fakeHandlers({ nodeId: 'r', onEvent: (e) => events.push(e) });
    const first = await NodeServer.start({ handlers });
    const client = new NodeClient(first.address, 'r');
    try {
      expect((await client.searchSegments(searchRequest(FAKE_TABLE.vectors))).hits).toHaveLength(10);
      const pending = client.searchSegments(searchRequest(FAKE_TABLE.hang));
      await expect.poll(() => events).toContain('search-started');
      await first.close(0);
      expect(isRetryable(await rejection(pending))).toBe(true);
      const second = await NodeServer.start({ handlers, port: first.port });
      try {
        await expect
          .poll(
            async () =>
              (await client.searchSegments(searchRequest(FAKE_TABLE.vectors)).catch(() => null))?.hits,
          )
          .toHaveLength(10);
      } finally {
        await second.close(0);
      }
    } finally {
      client.close();
    }
  });

  it('an idle search stream does not hold up a graceful close', async () => {
    const server = await NodeServer.start({ handlers: fakeHandlers({ nodeId: 'g' }) });
    const client = new NodeClient(server.address, 'g');
    try {
      await client.searchSegments(searchRequest(FAKE_TABLE.vectors));
      const started = Date.now();
      await server.close(5_000);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      client.close();
    }
  });

  it('an unreachable peer is a retryable 08006', async () => {
    const dead = new NodeClient('127.0.0.1:1', 'gone');
    try {
      const err = await rejection(dead.searchSegments(searchRequest(FAKE_TABLE.vectors)));
      expect(err).toBeInstanceOf(PeerUnavailableError);
      expect(err.code).toBe('08006');
      expect(err.message).toBe('could not reach cluster node gone');
    } finally {
      dead.close();
    }
  });
});

describe('FetchRows', () => {
  const fetch = (tableId: bigint, rowIds: bigint[], attnums = [1, 2, 3]) => ({
    tableId,
    rowIds,
    attnums,
    snapshotTs: 9n,
    consistency: 'eventual' as const,
  });

  it('streams a large batch (one ~16 MB message) with every value and NULL intact', async () => {
    const rowIds = Array.from({ length: 30_000 }, (_, i) => BigInt(i) * 3n + (1n << 60n));
    let batches = 0;
    let at = 0;
    for await (const batch of node.client.fetchRows(fetch(FAKE_TABLE.oneBatch, rowIds))) {
      batches++;
      expect(batch.columns.map((c) => c.attnum)).toEqual([1, 2, 3]);
      for (let i = 0; i < batch.rowIds.length; i++, at++) {
        const rowId = batch.rowIds[i]!;
        expect(rowId).toBe(rowIds[at]);
        if (at % 997 !== 0) continue; // spot-check values; lengths were checked by the decoder
        for (const column of batch.columns)
          expect(hex(column.values[i]!)).toBe(hex(fakeCell(rowId, column.attnum)));
      }
    }
    expect(batches).toBe(1);
    expect(at).toBe(rowIds.length);
  });

  it('keeps row order across ~1 MiB batches', async () => {
    const rowIds = Array.from({ length: 10_000 }, (_, i) => BigInt(10_000 - i));
    const seen: bigint[] = [];
    let batches = 0;
    for await (const batch of node.client.fetchRows(fetch(FAKE_TABLE.vectors, rowIds, [2, 3]))) {
      batches++;
      seen.push(...batch.rowIds);
      const last = batch.rowIds.length - 1;
      expect(hex(batch.columns[0]!.values[last]!)).toBe(hex(fakeCell(batch.rowIds[last]!, 2)));
      expect(hex(batch.columns[1]!.values[last]!)).toBe(hex(fakeCell(batch.rowIds[last]!, 3)));
    }
    expect(batches).toBeGreaterThan(3);
    expect(seen).toEqual(rowIds);
  });

  it('raises the handler error from the iterator', async () => {
    const iterate = async () => {
      for await (const _ of node.client.fetchRows(fetch(FAKE_TABLE.vectors, [1n], [9]))) {
        // no rows expected
      }
    };
    const err = await rejection(iterate());
    expect(err.code).toBe('42703');
    expect(err.message).toBe('column number 9 does not exist');
  });

  it('a deadline ends a stream with 57014', async () => {
    const iterate = async () => {
      for await (const _ of node.client.fetchRows(
        fetch(
          FAKE_TABLE.hang,
          Array.from({ length: 100 }, (_, i) => BigInt(i)),
        ),
        {
          deadline: Date.now() + 200,
        },
      )) {
        // a batch every 50 ms
      }
    };
    const err = await rejection(iterate());
    expect(err.message).toBe('canceling statement due to statement timeout');
  });
});

describe('TailWal', () => {
  const tail = { tableId: FAKE_TABLE.vectors, shardId: 3, fromPosition: (1n << 62n) + 5n };

  it('leaving the loop cancels the stream and the server generator finishes', async () => {
    node.events.length = 0;
    const positions: bigint[] = [];
    let batches = 0;
    for await (const batch of node.client.tailWal(tail)) {
      positions.push(...batch.records.map((r) => r.position));
      expect(batch.durablePosition).toBe(batch.records.at(-1)!.position);
      expect(Buffer.from(batch.records[0]!.data).toString()).toBe(`record ${batch.records[0]!.position}`);
      if (++batches === 3) break;
    }
    expect(positions).toEqual(Array.from({ length: 30 }, (_, i) => tail.fromPosition + BigInt(i)));
    expect(await node.waitForEvent('tail-closed')).toBe('tail-closed aborted');
    await expect.poll(() => node.server.inFlightRpcs).toBe(0);
  });

  it('an abort mid-stream raises 57014 from the iterator and stops the server', async () => {
    node.events.length = 0;
    const controller = new AbortController();
    const iterate = async () => {
      let batches = 0;
      for await (const _ of node.client.tailWal(tail, { signal: controller.signal })) {
        if (++batches === 2) controller.abort();
      }
    };
    const err = await rejection(iterate());
    expect(err.message).toBe('canceling statement due to user request');
    expect(await node.waitForEvent('tail-closed')).toBe('tail-closed aborted');
  });
});

describe('CommitPosition', () => {
  it('returns the position exactly, and errors with their SQLSTATE', async () => {
    const position = await node.client.commitPosition({ tableId: FAKE_TABLE.vectors, shardId: 0 });
    expect(position).toEqual({ nextPosition: (1n << 60n) + 1n });
    const err = await rejection(
      node.client.commitPosition({ tableId: FAKE_TABLE.undefinedTable, shardId: 0 }),
    );
    expect(err).toMatchObject({ code: '42P01', message: 'relation "t404" does not exist' });
  });
});

describe('Health', () => {
  it('reports the handler state plus the server in-flight count', async () => {
    const health = await node.client.health({ deadline: Date.now() + 2_000 });
    expect(health).toEqual({
      nodeId: 'n1',
      ready: true,
      inFlightRpcs: 1, // this call
      loadedSegments: 3,
      loadedBytes: 1n << 60n,
      version: '0.1.0-test',
    });
  });
});

describe('NodeServer', () => {
  it('binds the host it is given and advertises advertiseHost', async () => {
    const server = await NodeServer.start({ handlers: fakeHandlers({ nodeId: 'v6' }), host: '::1' });
    const client = new NodeClient(server.address, 'v6');
    try {
      expect(server.address).toBe(`[::1]:${server.port}`);
      expect((await client.health()).nodeId).toBe('v6');
      const advertised = await NodeServer.start({
        handlers: fakeHandlers({ nodeId: 'a' }),
        advertiseHost: 'node-a.quiver.svc',
      });
      expect(advertised.address).toBe(`node-a.quiver.svc:${advertised.port}`);
      await advertised.close(0);
    } finally {
      client.close();
      await server.close(0);
    }
  });

  it('fails to start on a port in use, naming it', async () => {
    const port = node.server.port;
    await expect(NodeServer.start({ handlers: fakeHandlers({ nodeId: 'x' }), port })).rejects.toThrow(
      `cluster RPC: cannot listen on 127.0.0.1:${port}`,
    );
  });

  it('close() cancels calls still running after the grace period', async () => {
    const events: string[] = [];
    const server = await NodeServer.start({
      handlers: fakeHandlers({ nodeId: 'c', onEvent: (e) => events.push(e) }),
    });
    const client = new NodeClient(server.address, 'c');
    try {
      const pending = client.searchSegments(searchRequest(FAKE_TABLE.hang));
      await expect.poll(() => events).toContain('search-started');
      await server.close(100);
      const err = await rejection(pending);
      expect(isRetryable(err)).toBe(true);
      expect(events).toContain('search-aborted terminating connection due to administrator command');
    } finally {
      client.close();
    }
  });
});
