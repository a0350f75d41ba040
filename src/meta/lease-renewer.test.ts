/**
 * LeaseRenewer against a scripted keepalive stream: which send time each answer is paired
 * with decides Lease.heldUntil, on which a leader answers reads without asking etcd, so a
 * pairing that is too late would be unsafe.
 */
import { EventEmitter } from 'node:events';
import type { Etcd3 } from 'etcd3';
import { afterEach, expect, it } from 'vitest';
import { LeaseRenewer } from './lease-renewer.ts';
import { monotonicMs } from './monotonic-ms.ts';

/** A keepalive stream whose answers the test sends. */
class ScriptedStream extends EventEmitter {
  /** When each renewal was written (monotonicMs()). */
  readonly sent: number[] = [];
  write(request: { ID: number }): void {
    expect(request.ID).toBe(LEASE);
    this.sent.push(monotonicMs());
  }
  end(): void {}
  answer(ttl = 3): void {
    this.emit('data', { ID: String(LEASE), TTL: String(ttl) });
  }
}

const LEASE = 7;
const TTL_MS = 600; // a renewal every 200 ms
let renewer: LeaseRenewer | undefined;

afterEach(async () => {
  await renewer?.close();
});

function start() {
  const streams: ScriptedStream[] = [];
  const client = {
    leaseClient: {
      leaseKeepAlive: async () => {
        const stream = new ScriptedStream();
        streams.push(stream);
        return stream;
      },
    },
  } as unknown as Etcd3;
  renewer = new LeaseRenewer(client);
  const renewedAt: number[] = [];
  let lost = 0;
  const kept = renewer.keep(
    LEASE,
    TTL_MS,
    () => lost++,
    (sentAt) => renewedAt.push(sentAt),
  );
  return { streams, renewedAt, lost: () => lost, kept };
}

const until = async (check: () => boolean) => {
  const deadline = Date.now() + 2_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

it('pairs each answer with the renewal it answers, oldest first', async () => {
  const { streams, renewedAt, kept } = start();
  await kept;
  const stream = streams[0];
  await until(() => stream.sent.length >= 3);
  // Answers come in order: the first answers the oldest renewal, not the newest.
  stream.answer();
  expect(renewedAt).toHaveLength(1);
  expect(Math.abs(renewedAt[0] - stream.sent[0])).toBeLessThanOrEqual(1);
  stream.answer();
  expect(Math.abs(renewedAt[1] - stream.sent[1])).toBeLessThanOrEqual(1);
  expect(renewedAt[1]).toBeLessThan(stream.sent[2]);
});

it('ignores answers from a broken stream; the next stream pairs only its own renewals', async () => {
  const { streams, renewedAt, kept } = start();
  await kept;
  const first = streams[0];
  await until(() => first.sent.length >= 2);
  first.emit('error', new Error('stream reset'));
  await until(() => streams.length === 2 && streams[1].sent.length >= 1);
  const second = streams[1];
  // A late answer on the old stream would pair with a renewal it never carried.
  first.answer();
  expect(renewedAt).toEqual([]);
  second.answer();
  expect(renewedAt).toHaveLength(1);
  expect(Math.abs(renewedAt[0] - second.sent[0])).toBeLessThanOrEqual(1);
  expect(renewedAt[0]).toBeGreaterThan(first.sent[1]);
});

it('an answer with TTL 0 loses the lease and renews it no more', async () => {
  const { streams, renewedAt, lost, kept } = start();
  await kept;
  const stream = streams[0];
  await until(() => stream.sent.length >= 1);
  stream.answer(0);
  expect(lost()).toBe(1);
  expect(renewedAt).toEqual([]);
  const sent = stream.sent.length;
  await new Promise((resolve) => setTimeout(resolve, 250));
  expect(stream.sent.length).toBe(sent);
});

it('loses the lease when no answer comes within the TTL', async () => {
  const { lost, kept } = start();
  await kept;
  await until(() => lost() === 1);
});
