import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors/sql-error.ts';
import type { WalBatch } from './rpc/messages.ts';
import { DATABASE_WAL, WalTail } from './wal-tail.ts';

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

/** Reads `tail` from `from` in the background; `batches` fills as they come; `stop()` cancels. */
function follow(tail: WalTail, from: number) {
  const abort = new AbortController();
  const batches: WalBatch[] = [];
  const ctx = { signal: abort.signal, deadline: undefined, peer: 'test' };
  const done = (async () => {
    for await (const batch of tail.serve({ ...DATABASE_WAL, fromPosition: BigInt(from) }, ctx))
      batches.push(batch);
  })();
  const positions = () => batches.flatMap((b) => b.records.map((r) => Number(r.position)));
  return {
    batches,
    positions,
    stop: () => abort.abort(new SqlError('57014', 'canceled')),
    done,
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('WalTail', () => {
  it('opens with an empty message, sends what it holds from the position asked, then each commit as it is pushed', async () => {
    const tail = new WalTail(10);
    tail.push(10, [bytes(3), bytes(3)]);
    const reader = follow(tail, 11);
    await settle();
    expect(reader.positions()).toEqual([11]);
    tail.push(12, [bytes(1), bytes(1), bytes(1)]);
    await settle();
    expect(reader.positions()).toEqual([11, 12, 13, 14]);
    expect(reader.batches.at(-1)!.durablePosition).toBe(14n);
    expect(reader.batches.at(-1)!.records[0].data).toEqual(bytes(1));

    // A reader at the end gets an empty opening message first, then the next commit.
    const atEnd = follow(tail, 15);
    await settle();
    expect(atEnd.batches).toHaveLength(1);
    expect(atEnd.batches[0].records).toEqual([]);
    tail.push(15, [bytes(2)]);
    await settle();
    expect(atEnd.positions()).toEqual([15]);
    expect(reader.positions()).toEqual([11, 12, 13, 14, 15]);

    reader.stop();
    atEnd.stop();
    await expect(reader.done).rejects.toMatchObject({ code: '57014' });
    await expect(atEnd.done).rejects.toMatchObject({ code: '57014' });
  });

  it('keeps a bounded number of bytes: older positions are refused with 58P01 (the replica reads object storage)', async () => {
    const tail = new WalTail(0, 100);
    for (let i = 0; i < 10; i++) tail.push(i, [bytes(30)]);
    // 100 bytes hold three 30-byte records.
    expect(tail.oldestLsn).toBe(7);
    const tooOld = follow(tail, 6);
    await expect(tooOld.done).rejects.toMatchObject({
      code: '58P01',
      message: 'requested WAL position 6 is no longer held by the leader (it holds 7 on)',
    });
    const kept = follow(tail, 7);
    await settle();
    expect(kept.positions()).toEqual([7, 8, 9]);
    kept.stop();
    await kept.done.catch(() => undefined);
  });

  it('a record bigger than the bound is still kept (the newest one always is)', () => {
    const tail = new WalTail(0, 10);
    tail.push(0, [bytes(50)]);
    tail.push(1, [bytes(50)]);
    expect(tail.oldestLsn).toBe(1);
  });

  it('ends every stream with the reason when the leader stops committing, and refuses new ones', async () => {
    const tail = new WalTail(0);
    const reader = follow(tail, 0);
    await settle();
    const lost = new SqlError('40001', 'this node is no longer the leader');
    tail.end(lost);
    await expect(reader.done).rejects.toBe(lost);
    await expect(follow(tail, 0).done).rejects.toBe(lost);
    // Pushes after the end are ignored.
    tail.push(0, [bytes(1)]);
    expect(tail.oldestLsn).toBe(0);
  });

  it('a gap in what is pushed drops what it held (replicas must never skip a record)', async () => {
    const tail = new WalTail(0);
    tail.push(0, [bytes(1), bytes(1)]);
    tail.push(5, [bytes(1)]);
    expect(tail.oldestLsn).toBe(5);
    await expect(follow(tail, 1).done).rejects.toMatchObject({ code: '58P01' });
  });

  it('splits a large backlog into messages of at most 4 MiB', async () => {
    const tail = new WalTail(0);
    tail.push(0, [bytes(3 << 20), bytes(3 << 20), bytes(3 << 20)]);
    const reader = follow(tail, 0);
    await settle();
    expect(reader.batches.map((b) => b.records.length)).toEqual([1, 1, 1]);
    reader.stop();
    await reader.done.catch(() => undefined);
  });
});
