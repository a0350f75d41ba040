/**
 * InProcessPeer must be indistinguishable from NodeClient to the coordinator: the same
 * suite runs against both, over the same fake handlers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessPeer } from './in-process-peer.ts';
import type { SearchRequest } from './messages.ts';
import type { NodePeer } from './node-peer.ts';
import { isRetryable } from './status-mapping.ts';
import { FAKE_TABLE, fakeHandlers, fakeSearchRequest } from './testing/fake-node.ts';
import { type LocalNode, startLocalNode } from './testing/local-node.ts';
import { rejection } from './testing/sql-rejection.ts';

const request = (tableId: bigint): SearchRequest =>
  fakeSearchRequest(tableId, 3n, { segmentIds: [4n, 5n], k: 7, snapshotTs: 2n, consistency: 'bounded' });

interface Subject {
  readonly peer: NodePeer;
  readonly events: string[];
  readonly logged: string[];
  /** Calls running besides the one asking. */
  inFlight(): number | Promise<number>;
}

let remote: LocalNode;
const inProcessEvents: string[] = [];
const inProcessLogged: string[] = [];
const inProcess = new InProcessPeer(
  fakeHandlers({ nodeId: 'n1', onEvent: (e) => inProcessEvents.push(e) }),
  'n1',
  { error: (message, error) => inProcessLogged.push(`${message}: ${String(error)}`) },
);

beforeAll(async () => {
  remote = await startLocalNode('n1');
});

afterAll(async () => {
  await remote?.[Symbol.asyncDispose]();
});

const subjects: Record<string, () => Subject> = {
  grpc: () => ({
    peer: remote.client,
    events: remote.events,
    logged: remote.logged,
    inFlight: () => remote.server.inFlightRpcs,
  }),
  'in-process': () => ({
    peer: inProcess,
    events: inProcessEvents,
    logged: inProcessLogged,
    inFlight: async () => (await inProcess.health()).inFlightRpcs - 1,
  }),
};

describe.each(Object.keys(subjects))('%s peer', (name) => {
  const subject = () => subjects[name]!();

  it('answers a search with the handler hits', async () => {
    const res = await subject().peer.searchSegments(request(FAKE_TABLE.vectors));
    const other = await subjects[name === 'grpc' ? 'in-process' : 'grpc']!().peer.searchSegments(
      request(FAKE_TABLE.vectors),
    );
    // Same hits and stats; bytes may be a Buffer on one side, timings differ.
    const plain = (r: typeof res) => ({
      hits: r.hits.map((h) => ({ ...h, key: Buffer.from(h.key).toString('hex') })),
      stats: r.stats.map((st) => ({ ...st, timeUs: 0 })),
    });
    expect(plain(res)).toEqual(plain(other));
    expect(res.hits).toHaveLength(7);
    expect(res.stats.map((st) => st.segmentId)).toEqual([4n, 5n]);
  });

  it('raises the handler SqlError unchanged, and XX000 for the unclassified (logged)', async () => {
    const data = await rejection(subject().peer.searchSegments(request(FAKE_TABLE.dataException)));
    expect([data.code, data.message, data.detail, data.hint]).toEqual([
      '22000',
      'different vector dimensions 3 and 2',
      'détail: naïve ✓',
      'Check the query vector.',
    ]);
    const internal = await rejection(subject().peer.searchSegments(request(FAKE_TABLE.unclassified)));
    expect([internal.code, internal.message]).toEqual(['XX000', 'boom']);
    expect(subject().logged.some((l) => l.includes('TypeError: boom'))).toBe(true);
  });

  it("a peer's FATAL fails the caller's statement as ERROR", async () => {
    const err = await rejection(subject().peer.searchSegments(request(FAKE_TABLE.fatal)));
    expect([err.code, err.severity, err.message]).toEqual([
      '08P01',
      'ERROR',
      'invalid frontend message type 0',
    ]);
    expect(isRetryable(err)).toBe(false);
  });

  it('a loading node is retryable with its own SQLSTATE', async () => {
    const err = await rejection(subject().peer.searchSegments(request(FAKE_TABLE.notReady)));
    expect(isRetryable(err)).toBe(true);
    expect(err.code).toBe('57P03');
  });

  it('a deadline is 57014 statement timeout and fires the handler signal', async () => {
    const s = subject();
    s.events.length = 0;
    const err = await rejection(
      s.peer.searchSegments(request(FAKE_TABLE.hang), { deadline: Date.now() + 200 }),
    );
    expect(err.message).toBe('canceling statement due to statement timeout');
    await expect
      .poll(() => s.events)
      .toContain('search-aborted canceling statement due to statement timeout');
  });

  it('an abort is 57014 user request and fires the handler signal', async () => {
    const s = subject();
    s.events.length = 0;
    const controller = new AbortController();
    const pending = s.peer.searchSegments(request(FAKE_TABLE.hang), { signal: controller.signal });
    await expect.poll(() => s.events).toContain('search-started');
    controller.abort();
    expect((await rejection(pending)).message).toBe('canceling statement due to user request');
    await expect.poll(() => s.events).toContain('search-aborted canceling statement due to user request');
  });

  it('leaving a TailWal loop stops the handler', async () => {
    const s = subject();
    s.events.length = 0;
    let batches = 0;
    for await (const batch of s.peer.tailWal({ tableId: 1n, shardId: 0, fromPosition: 100n })) {
      expect(batch.records[0]!.position).toBe(100n + BigInt(batches * 10));
      if (++batches === 2) break;
    }
    await expect.poll(() => s.events).toContain('tail-closed aborted');
    await expect.poll(() => s.inFlight()).toBe(0);
  });

  it('streams FetchRows rows with NULLs', async () => {
    const rows: bigint[] = [];
    const nulls: boolean[] = [];
    for await (const batch of subject().peer.fetchRows({
      tableId: FAKE_TABLE.vectors,
      rowIds: [1n, 2n, 3n],
      attnums: [3],
      snapshotTs: 1n,
      consistency: 'strong',
    })) {
      rows.push(...batch.rowIds);
      nulls.push(...batch.columns[0]!.values.map((v) => v === null));
    }
    expect(rows).toEqual([1n, 2n, 3n]);
    expect(nulls).toEqual([true, false, true]);
  });
});
