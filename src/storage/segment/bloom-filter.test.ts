import { describe, expect, it } from 'vitest';
import '../../types/index.ts';
import { ctx } from '../../types/test-helpers.ts';
import { T } from '../../types/type.ts';
import { textIn } from '../../types/value-io.ts';
import { BloomFilter, bloomKey } from './bloom-filter.ts';

describe('BloomFilter', () => {
  it('has no false negatives and about 1% false positives', () => {
    const n = 20_000;
    const filter = BloomFilter.create(n, 0.01);
    for (let i = 0; i < n; i++) filter.add(`key-${i}`);
    for (let i = 0; i < n; i++) expect(filter.mightContain(`key-${i}`)).toBe(true);
    const probes = 100_000;
    let fp = 0;
    for (let i = 0; i < probes; i++) if (filter.mightContain(`other-${i}`)) fp++;
    const rate = fp / probes;
    expect(rate).toBeGreaterThan(0.004);
    expect(rate).toBeLessThan(0.016);
    expect(filter.hashes).toBe(7);
  });

  it('survives serialization and rejects malformed headers', () => {
    const filter = BloomFilter.create(100);
    filter.add('a');
    const copy = BloomFilter.fromBytes(filter.toBytes())!;
    expect(copy.mightContain('a')).toBe(true);
    expect(copy.bitCount).toBe(filter.bitCount);
    expect(BloomFilter.fromBytes(filter.toBytes().subarray(0, 20))).toBeUndefined();
    expect(BloomFilter.fromBytes(new Uint8Array(4))).toBeUndefined();
    const zeroK = filter.toBytes();
    zeroK[0] = 0;
    expect(BloomFilter.fromBytes(zeroK)).toBeUndefined();
  });

  it('keys values PostgreSQL calls equal alike', () => {
    const num = (s: string) => textIn(T.numeric, s, ctx);
    expect(bloomKey([T.numeric], [num('1.0')])).toBe(bloomKey([T.numeric], [num('1')]));
    expect(bloomKey([T.bpchar], ['ab  '])).toBe(bloomKey([T.bpchar], ['ab']));
    expect(bloomKey([T.float8], [-0])).toBe(bloomKey([T.float8], [0]));
    expect(bloomKey([T.int4, T.text], [1, 'a'])).not.toBe(bloomKey([T.int4, T.text], [1, 'b']));
    expect(bloomKey([T.text, T.text], ['a,b', 'c'])).not.toBe(bloomKey([T.text, T.text], ['a', 'b,c']));
  });
});
