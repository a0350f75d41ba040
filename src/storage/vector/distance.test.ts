import { describe, expect, it } from 'vitest';
import {
  cosineDistance,
  hammingDistance,
  jaccardDistance,
  l1Distance,
  l2Distance,
  negativeInnerProduct,
} from './distance.ts';

const a = Float32Array.of(1, 2, 3);
const b = Float32Array.of(4, 5, 6);

describe('float distances in SQL operator units', () => {
  it('match pgvector documentation values', () => {
    // SELECT '[1,2,3]' <-> '[4,5,6]' = 5.196152422706632
    expect(l2Distance(a, b)).toBeCloseTo(5.196152422706632, 12);
    // <#> is the negative inner product: -32
    expect(negativeInnerProduct(a, b)).toBe(-32);
    // <=> = 1 - 32 / (sqrt(14) * sqrt(77)) = 0.025368153802923787
    expect(cosineDistance(a, b)).toBeCloseTo(0.025368153802923787, 12);
    expect(l1Distance(a, b)).toBe(9);
  });

  it('cosine of a zero vector is NaN, and of identical vectors 0', () => {
    expect(cosineDistance(new Float32Array(3), a)).toBeNaN();
    expect(cosineDistance(a, a)).toBe(0);
  });
});

describe('bit distances over packed bytes', () => {
  // '101' and '111' packed MSB-first: 0b10100000, 0b11100000.
  const x = Uint8Array.of(0b1010_0000);
  const y = Uint8Array.of(0b1110_0000);
  const zero = Uint8Array.of(0);

  it('hamming counts differing bits', () => {
    expect(hammingDistance(x, y)).toBe(1);
    expect(hammingDistance(x, x)).toBe(0);
  });

  it('jaccard is 1 - |a∧b| / |a∨b|, and 1 when nothing is shared (pgvector)', () => {
    expect(jaccardDistance(x, y)).toBeCloseTo(1 - 2 / 3, 12);
    expect(jaccardDistance(zero, zero)).toBe(1);
    expect(jaccardDistance(zero, x)).toBe(1);
  });
});
