import { expect, it } from 'vitest';
import { tryAcquire } from '../../src/cluster/leadership.ts';
import {
  logicalOf,
  makeTimestamp,
  physicalOf,
  TsoAllocator,
  tsoLeadershipKeys,
} from '../../src/cluster/tso.ts';
import { describeCluster } from './fixtures.ts';

function assertIncreasing(values: readonly bigint[]): void {
  for (let i = 1; i < values.length; i++) {
    if (values[i] <= values[i - 1])
      throw new Error(`timestamp ${i} (${values[i]}) ≤ previous (${values[i - 1]})`);
  }
}

it('packs physical ms and an 18-bit logical counter', () => {
  const ts = makeTimestamp(1_790_000_000_123, 5);
  expect(physicalOf(ts)).toBe(1_790_000_000_123);
  expect(logicalOf(ts)).toBe(5);
  expect(makeTimestamp(1, 0) - makeTimestamp(0, (1 << 18) - 1)).toBe(1n);
});

describeCluster('TSO', (fx) => {
  it('is monotonic within one allocator, under concurrency and a clock that goes backwards', async () => {
    const { store, keys } = fx();
    let clock = 1_000_000;
    const tso = await TsoAllocator.open(store, keys, { windowMs: 50, now: () => clock });
    const got: bigint[] = [];
    for (let i = 0; i < 200; i++) {
      // The clock jumps forward and back; windows of 50 ms force many persisted raises.
      clock += i % 10 === 0 ? -500 : 37;
      got.push(...(await Promise.all([tso.next(), tso.next(), tso.next()])));
    }
    got.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(new Set(got).size).toBe(got.length);
    const batch = await tso.allocate(1000);
    expect(batch.first).toBeGreaterThan(got.at(-1)!);
    expect(await tso.next()).toBe(batch.first + 1000n);
  });

  it('never goes backwards across a restart, even when the clock does', async () => {
    const { store, keys } = fx();
    let clock = 5_000_000;
    const first = await TsoAllocator.open(store, keys, { windowMs: 3000, now: () => clock });
    const before: bigint[] = [];
    for (let i = 0; i < 100; i++) before.push(await first.next());
    assertIncreasing(before);
    // The holder crashes; its successor's clock is 10 s behind.
    clock -= 10_000;
    const second = await TsoAllocator.open(store, keys, { windowMs: 3000, now: () => clock });
    const after = await second.next();
    expect(after).toBeGreaterThan(before.at(-1)!);
    // It starts at the persisted window, not below it.
    expect(physicalOf(after)).toBeGreaterThanOrEqual(first.windowLimitMs);
  });

  it('hands over between two elected holders; the old holder is fenced once its window runs out', async () => {
    const { keys } = fx();
    const storeA = await fx().connect();
    const storeB = await fx().connect();
    const leaseA = await storeA.grantLease(5);
    const leaseB = await storeB.grantLease(5);
    const holderA = (await tryAcquire(storeA, tsoLeadershipKeys(keys), { nodeId: 'a', lease: leaseA }))!;
    const a = await TsoAllocator.open(storeA, keys, { windowMs: 100, fence: holderA });
    const fromA: bigint[] = [];
    for (let i = 0; i < 50; i++) fromA.push(await a.next());

    await holderA.resign();
    const holderB = (await tryAcquire(storeB, tsoLeadershipKeys(keys), { nodeId: 'b', lease: leaseB }))!;
    expect(holderB.epoch).toBe(2);
    const b = await TsoAllocator.open(storeB, keys, { windowMs: 100, fence: holderB });
    const fromB: bigint[] = [];
    for (let i = 0; i < 50; i++) fromB.push(await b.next());
    assertIncreasing([...fromA, ...fromB]);

    // A may only hand out below its own (older) window, then it must raise it — and cannot.
    await new Promise((resolve) => setTimeout(resolve, 150));
    await expect(a.next()).rejects.toMatchObject({ code: '40001' });
    expect(await b.next()).toBeGreaterThan(fromB.at(-1)!);
    await leaseA.revoke();
    await leaseB.revoke();
  });

  it('an unelected allocator that lost the window race is fenced by compare-and-set', async () => {
    const { store, keys } = fx();
    const a = await TsoAllocator.open(store, keys, { windowMs: 20 });
    const b = await TsoAllocator.open(await fx().connect(), keys, { windowMs: 20 });
    const tb = await b.next();
    await new Promise((resolve) => setTimeout(resolve, 40));
    await expect(a.next()).rejects.toMatchObject({ code: '40001' });
    expect(await b.next()).toBeGreaterThan(tb);
  });
});
