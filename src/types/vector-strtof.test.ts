import { describe, expect, test } from 'vitest';
import { scanFloat } from './vector-strtof.ts';

const next = Math.fround(1 + 2 ** -23);

describe('scanFloat rounds decimal literals to float4 like strtof', () => {
  test.each([
    // The double of these is exactly the midpoint between 1 and the next float4: only an
    // exact decision gets the ones just above and below it right.
    ['1.000000059604644775390625', 1],
    ['1.0000000596046447753906251', next],
    ['1.0000000596046447753906249', 1],
    ['-1.0000000596046447753906251', -next],
    ['0.1', Math.fround(0.1)],
    ['3.4028235e38', 3.4028234663852886e38],
    ['1e-46', 0],
    ['000.000', 0],
  ])('%s', (text, value) => {
    const r = scanFloat(text, 0);
    expect(r.value).toBe(value);
    expect(r.end).toBe(text.length);
  });

  test('ERANGE for overflow and underflow of non-zero literals, not for zero', () => {
    expect(scanFloat('1e39', 0)).toMatchObject({ value: Infinity, erange: true });
    expect(scanFloat('1e-50', 0)).toMatchObject({ value: 0, erange: true });
    expect(scanFloat('0e-50', 0)).toMatchObject({ value: 0, erange: false });
  });

  test('a dangling exponent or point is not consumed', () => {
    expect(scanFloat('1e', 0)).toMatchObject({ value: 1, end: 1 });
    expect(scanFloat('2.e+', 0)).toMatchObject({ value: 2, end: 2 });
    expect(scanFloat('.5,', 0)).toMatchObject({ value: 0.5, end: 2 });
    expect(scanFloat('.', 0)).toMatchObject({ end: 0 });
  });
});
