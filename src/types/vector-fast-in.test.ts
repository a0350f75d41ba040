import { describe, expect, test } from 'vitest';
import { Float32Appender } from './float32-appender.ts';
import { parseVector } from './vector.ts';
import { parseVectorBytes } from './vector-fast-in.ts';

/** The fast path's answer, or 'full' when it leaves the literal to vector_in. */
function fast(text: string, typmod = -1): Float32Array | 'full' {
  const bytes = Buffer.from(`xx${text}yy`);
  return parseVectorBytes(bytes, 2, bytes.length - 2, typmod, new Float32Appender()) ?? 'full';
}

function bits(v: Float32Array): number[] {
  return Array.from(new Uint32Array(Float32Array.from(v).buffer));
}

/** A random decimal literal: digits, point, exponent and sign in every combination. */
function randomLiteral(rand: () => number): string {
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
  const sign = ['', '-', '+'][Math.floor(rand() * 3)];
  const int = digits(Math.floor(rand() * 12));
  // Up to 23 fraction digits: none, some or several 8-digit blocks, past the 19-digit limit.
  const frac = rand() < 0.7 ? `.${digits(Math.floor(rand() * 24))}` : '';
  const exp = rand() < 0.3 ? `e${rand() < 0.5 ? '-' : ''}${Math.floor(rand() * 45)}` : '';
  const body = int + frac === '' || int + frac === '.' ? '1' : int + frac;
  return sign + body + exp;
}

function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('parseVectorBytes returns exactly what vector_in returns, or leaves the literal to it', () => {
  test('float4 values printed as doubles (what clients send) take the fast path', () => {
    const rand = lcg(7);
    let taken = 0;
    for (let n = 0; n < 2000; n++) {
      const v = Float32Array.from({ length: 16 }, () => (rand() - 0.5) * 10 ** Math.floor(rand() * 8 - 4));
      const text = `[${Array.from(v).join(',')}]`;
      const got = fast(text, 16);
      if (got === 'full') continue;
      taken++;
      expect(bits(got)).toEqual(bits(parseVector(text, 16)));
    }
    expect(taken).toBeGreaterThan(1950);
  });

  test('random decimal literals, white space and signs agree bit for bit', () => {
    const rand = lcg(11);
    for (let n = 0; n < 20000; n++) {
      const parts = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => randomLiteral(rand));
      const text = ` [ ${parts.join(' ,')} ] `;
      let expected: Float32Array | 'error';
      try {
        expected = parseVector(text);
      } catch {
        expected = 'error';
      }
      const got = fast(text);
      if (got === 'full') continue;
      expect(expected).not.toBe('error');
      expect(bits(got)).toEqual(bits(expected as Float32Array));
    }
  });

  test('long fractions: 8-digit blocks, leading zeros in a block, the significant-digit limit', () => {
    for (const text of [
      '[0.12345678]',
      '[0.1234567890123456]',
      '[0.00000000123456789]',
      '[0.000000000000000012345678]',
      '[123.4567890123456789]',
      '[-0.43589347600936890,7.00000000000000001]',
      '[0.99999999999999999999]',
    ]) {
      const got = fast(text);
      if (got !== 'full') expect(bits(got)).toEqual(bits(parseVector(text)));
    }
    expect(fast('[0.1234567890123456]')).not.toBe('full');
    // 20 significant digits: beyond what a double-accumulated mantissa is trusted with.
    expect(fast('[0.12345678901234567890]')).toBe('full');
  });

  test('float4 midpoints and the edges of the normal range go to the exact parser', () => {
    expect(fast('[1.000000059604644775390625]')).toBe('full');
    expect(fast('[1e-40]')).toBe('full');
    expect(fast('[3.5e38]')).toBe('full');
    expect(bits(fast('[-0,0.0]') as Float32Array)).toEqual(bits(parseVector('[-0,0.0]')));
  });

  test.each([
    '[]',
    '[1,2',
    '1,2]',
    '[1,,2]',
    '[1,2]x',
    '[nan]',
    '[inf]',
    '[0x10]',
    '[1e]',
    '[1.5.2]',
    '[ 1 2 ]',
    '[12345678901234567890]',
  ])('%s is left to vector_in', (text) => {
    expect(fast(text)).toBe('full');
  });

  test('a dimension count other than the typmod is left to vector_in (which words the error)', () => {
    expect(fast('[1,2,3]', 2)).toBe('full');
    expect(Array.from(fast('[1,2,3]', 3) as Float32Array)).toEqual([1, 2, 3]);
  });
});
