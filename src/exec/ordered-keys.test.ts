import { expect, test } from 'vitest';
import { type KeyBound, type KeyOrder, OrderedKeys } from './ordered-keys.ts';

/** Numbers, NULL after every number (a btree's order). */
const one = (a: unknown, b: unknown) =>
  a === null ? (b === null ? 0 : 1) : b === null ? -1 : (a as number) - (b as number);
const scalar: KeyOrder = {
  compare: one,
  compareToPrefix: (key, prefix) => (prefix.length ? one(key, prefix[0]) : 0),
};
const pairs: KeyOrder = {
  compare: (a, b) =>
    one((a as number[])[0], (b as number[])[0]) || one((a as number[])[1], (b as number[])[1]),
  compareToPrefix: (key, prefix) => {
    for (let i = 0; i < prefix.length; i++) {
      const c = one((key as unknown[])[i], prefix[i]);
      if (c) return c;
    }
    return 0;
  },
};

/** What a range must give: the entries within the bounds, by key then row id (brute force). */
function expected(
  order: KeyOrder,
  entries: [unknown, number][],
  lower: KeyBound | null,
  upper: KeyBound | null,
  desc: boolean,
) {
  const inside = entries.filter(([key]) => {
    if (lower) {
      const c = order.compareToPrefix(key, lower.prefix);
      if (c < 0 || (c === 0 && !lower.inclusive)) return false;
    }
    if (upper) {
      const c = order.compareToPrefix(key, upper.prefix);
      if (c > 0 || (c === 0 && !upper.inclusive)) return false;
    }
    return true;
  });
  inside.sort((a, b) => order.compare(a[0], b[0]) || a[1] - b[1]);
  const ids = inside.map(([, id]) => id);
  return desc ? ids.reverse() : ids;
}

function random(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

const b = (prefix: unknown[], inclusive: boolean): KeyBound => ({ prefix, inclusive });

test('ranges over keys added in any order, read between adds, equal brute force both ways', () => {
  const keys = new OrderedKeys(scalar);
  const entries: [unknown, number][] = [];
  const next = random(7);
  for (let rowId = 0; rowId < 6000; rowId++) {
    const key = next() < 0.05 ? null : Math.floor(next() * 500);
    keys.add(key, rowId);
    entries.push([key, rowId]);
    // Reads at uneven points: the recent run is sorted, or merged once it has grown.
    if (rowId % 997 === 3 || rowId === 5999) {
      for (const [lo, hi] of [
        [null, null],
        [b([100], true), b([200], false)],
        [b([250], false), b([null], false)],
        [null, b([7], true)],
        [b([300], true), b([299], true)],
        [b([null], true), null],
      ] as [KeyBound | null, KeyBound | null][]) {
        for (const desc of [false, true]) {
          expect([...keys.range(lo, hi, desc)]).toEqual(expected(scalar, entries, lo, hi, desc));
        }
        expect(keys.count(lo, hi)).toBe(expected(scalar, entries, lo, hi, false).length);
      }
    }
  }
});

test('two-column keys: a prefix, a prefix with a range on the next column, NULLs last in each', () => {
  const keys = new OrderedKeys(pairs);
  const entries: [unknown, number][] = [];
  const next = random(11);
  for (let rowId = 0; rowId < 3000; rowId++) {
    const key = [Math.floor(next() * 20), next() < 0.1 ? null : Math.floor(next() * 100)];
    keys.add(key, rowId);
    entries.push([key, rowId]);
  }
  for (const [lo, hi] of [
    [b([4], true), b([4], true)],
    [b([4, 50], false), b([4, null], false)],
    [b([4], true), b([4, 10], true)],
    [b([19, 99], true), null],
  ] as [KeyBound | null, KeyBound | null][]) {
    for (const desc of [false, true]) {
      expect([...keys.range(lo, hi, desc)]).toEqual(expected(pairs, entries, lo, hi, desc));
    }
  }
});

test('invalidate empties the runs and ignores adds until they are refilled', () => {
  const keys = new OrderedKeys(scalar);
  keys.add(5, 0);
  keys.add(null, 1);
  keys.add(3, 2);
  expect([...keys.range(null, null, false)]).toEqual([2, 0, 1]);
  keys.invalidate();
  keys.add(9, 3);
  expect(keys.size).toBe(0);
  keys.stale = false;
  keys.add(9, 3);
  expect([...keys.range(null, null, true)]).toEqual([3]);
});
