import { expect, test } from 'vitest';
import { type KeyBound, OrderedKeys } from './ordered-keys.ts';

const compare = (a: unknown, b: unknown) => (a as number) - (b as number);

/** What a range must give: the entries within the bounds, by key then row id. */
function expected(
  entries: [number, number][],
  lower: KeyBound | null,
  upper: KeyBound | null,
  desc: boolean,
) {
  const inside = entries.filter(([key]) => {
    if (lower && (key < (lower.value as number) || (!lower.inclusive && key === lower.value))) return false;
    if (upper && (key > (upper.value as number) || (!upper.inclusive && key === upper.value))) return false;
    return true;
  });
  inside.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const ids = inside.map(([, id]) => id);
  return desc ? ids.reverse() : ids;
}

test('ranges over keys added in any order, read between adds, equal brute force both ways', () => {
  const keys = new OrderedKeys(compare);
  const entries: [number, number][] = [];
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let rowId = 0; rowId < 6000; rowId++) {
    const key = Math.floor(random() * 500);
    keys.add(key, rowId);
    entries.push([key, rowId]);
    // Reads at uneven points: the recent run is sorted, or merged once it has grown.
    if (rowId % 997 === 3 || rowId === 5999) {
      for (const [lo, hi] of [
        [null, null],
        [
          { value: 100, inclusive: true },
          { value: 200, inclusive: false },
        ],
        [{ value: 250, inclusive: false }, null],
        [null, { value: 7, inclusive: true }],
        [
          { value: 300, inclusive: true },
          { value: 299, inclusive: true },
        ],
      ] as [KeyBound | null, KeyBound | null][]) {
        for (const desc of [false, true]) {
          expect([...keys.range(lo, hi, desc)]).toEqual(expected(entries, lo, hi, desc));
        }
        expect(keys.count(lo, hi)).toBe(expected(entries, lo, hi, false).length);
      }
    }
  }
});

test('NULL keys are kept apart; invalidate empties and ignores adds until refilled', () => {
  const keys = new OrderedKeys(compare);
  keys.add(5, 0);
  keys.add(null, 1);
  keys.add(3, 2);
  expect([...keys.range(null, null, false)]).toEqual([2, 0]);
  expect(keys.nullIds).toEqual([1]);
  keys.invalidate();
  keys.add(9, 3);
  expect(keys.size).toBe(0);
  keys.stale = false;
  keys.add(9, 3);
  expect([...keys.range(null, null, true)]).toEqual([3]);
});
