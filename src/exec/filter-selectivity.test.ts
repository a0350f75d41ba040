import { expect, test } from 'vitest';
import { preferExact, selectivity } from './filter-selectivity.ts';

test('the estimate is not fooled by a filter lined up with the sample spacing', () => {
  // 3,000 rows sampled 1,000 times: evenly spaced ids (0, 3, 6, …) would see 0 or 100% here.
  expect(selectivity(3000, (rowId) => rowId % 3 === 1)).toBeCloseTo(1 / 3, 1);
  expect(selectivity(3000, (rowId) => rowId % 3 === 0)).toBeCloseTo(1 / 3, 1);
  expect(selectivity(100_000, (rowId) => rowId % 100 === 7)).toBeGreaterThan(0);
});

test('small tables and rare filters are searched exactly', () => {
  expect(selectivity(0, () => true)).toBe(0);
  expect(selectivity(10, () => true)).toBe(1);
  expect(selectivity(50_000, (rowId) => rowId < 25_000)).toBeCloseTo(0.5, 1);
  expect(preferExact(10_000, 1)).toBe(true);
  expect(preferExact(50_000, 0.004)).toBe(true);
  expect(preferExact(50_000, 0.01)).toBe(false);
});
