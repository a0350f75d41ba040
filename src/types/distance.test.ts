import { describe, expect, it } from 'vitest';
import { BitString } from './bit.ts';
import {
  cosineDistance,
  cosineDistanceFast,
  hammingDistance,
  innerProduct,
  innerProductFast,
  jaccardDistance,
  l1Distance,
  l1DistanceFast,
  l2Distance,
  l2SquaredDistance,
  l2SquaredDistanceFast,
} from './distance.ts';
import { metricFor } from './distance-metric.ts';
import { parseVector } from './vector.ts';

/** Reproducible inputs: a fixed-seed linear congruential generator, values in [-1, 1). */
let seed = 12345;
const rand = (n: number) =>
  Float32Array.from({ length: n }, () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed / 2 ** 32) * 2 - 1;
  });

/** The same sums in double precision: what the fast kernels compute, up to summation order. */
function exact(a: Float32Array, b: Float32Array) {
  let l2 = 0;
  let ip = 0;
  let l1 = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    l2 += d * d;
    ip += a[i]! * b[i]!;
    l1 += Math.abs(d);
  }
  return { l2, ip, l1 };
}

/** Naive float32-accumulating references, written the obvious way. */
function naive(a: Float32Array, b: Float32Array) {
  const f = Math.fround;
  let l2 = 0;
  let ip = 0;
  let l1 = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const d = f(a[i]! - b[i]!);
    l2 = f(l2 + d * d);
    ip = f(ip + a[i]! * b[i]!);
    l1 = f(l1 + Math.abs(d));
    na = f(na + a[i]! * a[i]!);
    nb = f(nb + b[i]! * b[i]!);
  }
  return { l2, ip, l1, cos: 1 - Math.min(1, Math.max(-1, ip / Math.sqrt(na * nb))) };
}

describe('dense kernels', () => {
  it('match naive computations', () => {
    for (const n of [1, 3, 8, 9, 128, 769]) {
      const a = rand(n);
      const b = rand(n);
      const r = naive(a, b);
      expect(l2SquaredDistance(a, b)).toBe(r.l2);
      expect(innerProduct(a, b)).toBe(r.ip);
      expect(l1Distance(a, b)).toBe(r.l1);
      expect(cosineDistance(a, b)).toBe(r.cos);
      // The fast kernels sum in double (the naive ones in float4 as pgvector does, whose
      // rounding over 769 terms can exceed float4 precision): compared with double sums.
      const e = exact(a, b);
      const near = (x: number, y: number) =>
        expect(Math.abs(x - y)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(y)));
      near(l2SquaredDistanceFast(a, b), e.l2);
      near(innerProductFast(a, b), e.ip);
      near(l1DistanceFast(a, b), e.l1);
      expect(cosineDistanceFast(a, b)).toBeCloseTo(r.cos, 5);
    }
  });

  it('gives pgvector results for its regression cases', () => {
    const v = parseVector;
    expect(l2Distance(v('[0,0]'), v('[3,4]'))).toBe(5);
    expect(l2Distance(v('[3e38]'), v('[-3e38]'))).toBe(Infinity);
    expect(innerProduct(v('[3e38]'), v('[3e38]'))).toBe(Infinity);
    expect(cosineDistance(v('[1,2]'), v('[0,0]'))).toBeNaN();
    expect(cosineDistance(v('[3e38]'), v('[3e38]'))).toBeNaN();
    expect(cosineDistance(v('[1,1]'), v('[-1.1,-1.1]'))).toBe(2);
    expect(cosineDistance(v('[1,2,3,4,5,6,7,8,9]'), v('[1,2,3,4,5,6,7,8,9]'))).toBe(0);
    expect(l1Distance(v('[1,2,3,4,5,6,7,8,9]'), v('[0,3,2,5,4,7,6,9,8]'))).toBe(9);
  });
});

describe('bit kernels', () => {
  const b = BitString.fromBinary;
  it('hamming and jaccard', () => {
    expect(hammingDistance(b('111').bytes, b('100').bytes)).toBe(2);
    expect(hammingDistance(b('10101010101010101010').bytes, b('01010101010101010101').bytes)).toBe(20);
    expect(jaccardDistance(b('1111').bytes, b('1110').bytes)).toBe(0.25);
    expect(jaccardDistance(b('1100').bytes, b('1000').bytes)).toBe(0.5);
    expect(jaccardDistance(b('').bytes, b('').bytes)).toBe(1);
    expect(jaccardDistance(b('1111').bytes, b('0000').bytes)).toBe(1);
  });
});

describe('metricFor', () => {
  it('maps operators to metrics per type', () => {
    expect(metricFor('<->', 'vector')?.metric).toBe('l2');
    expect(metricFor('<#>', 'vector')?.fn(parseVector('[1,2]'), parseVector('[3,4]'))).toBe(-11);
    expect(metricFor('<~>', 'bit')?.metric).toBe('hamming');
    expect(metricFor('<~>', 'vector')).toBeUndefined();
    expect(metricFor('<->', 'bit')).toBeUndefined();
    expect(() =>
      metricFor('<%>', 'bit')?.fn(BitString.fromBinary('1111'), BitString.fromBinary('000')),
    ).toThrow('different bit lengths 4 and 3');
  });
});
