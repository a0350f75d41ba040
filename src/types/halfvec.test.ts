import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors/sql-error.ts';
import { formatHalfvec, halfvecRecv, halfvecSend, parseHalfvec } from './halfvec.ts';
import { floatToHalf, halfToFloat } from './halfvec-float16.ts';
import {
  halfvecAdd,
  halfvecFromFloats,
  halfvecL2Normalize,
  halfvecMul,
  halfvecSubvector,
} from './halfvec-ops.ts';

function run(f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof SqlError)) throw e;
    return `${e.code} ${e.message}${e.detail ? ` | ${e.detail}` : ''}`;
  }
}
const out = (lit: string, typmod = -1) => run(() => formatHalfvec(parseHalfvec(lit, typmod)));
const h = parseHalfvec;

describe('halfvec text I/O (pgvector test/expected/halfvec.out)', () => {
  it.each([
    ['[1,2,3]', '[1,2,3]'],
    ['[1.23456]', '[1.234375]'],
    ['[65519,-65519]', '[65504,-65504]'],
    ['[65520,-65520]', '22003 "65520" is out of range for type halfvec'],
    ['[1e-8,-1e-8]', '[0,-0]'],
    ['[4e38,1]', '22003 "4e38" is out of range for type halfvec'],
    ['[1e-46,1]', '[0,1]'],
    ['[NaN,1]', '22000 NaN not allowed in halfvec'],
    ['[-Infinity,1]', '22000 infinite value not allowed in halfvec'],
    ['1,2,3', '22P02 invalid input syntax for type halfvec: "1,2,3" | Vector contents must start with "[".'],
    ['[1,2,3]9', '22P02 invalid input syntax for type halfvec: "[1,2,3]9" | Junk after closing right brace.'],
    ['[]', '22000 halfvec must have at least 1 dimension'],
  ])('%j', (lit, expected) => expect(out(lit)).toBe(expected));

  it('checks the typmod and round-trips binary', () => {
    expect(out('[1,2,3]', 2)).toBe('22000 expected 2 dimensions, not 3');
    const v = h('[1,2.5,-3]');
    const b = halfvecSend(v);
    expect([...b.slice(0, 6)]).toEqual([0, 3, 0, 0, 0x3c, 0x00]);
    expect(formatHalfvec(halfvecRecv(b))).toBe('[1,2.5,-3]');
  });
});

describe('binary16 conversion', () => {
  it('rounds to nearest even and round-trips every half', () => {
    for (let bits = 0; bits < 65536; bits++) {
      const f = halfToFloat(bits);
      if (Number.isNaN(f)) continue;
      expect(floatToHalf(f)).toBe(bits);
    }
    expect(floatToHalf(65519.99)).toBe(0x7bff);
    expect(floatToHalf(65520)).toBe(0x7c00);
    expect(floatToHalf(2 ** -25)).toBe(0);
    expect(floatToHalf(2 ** -25 * 1.0001)).toBe(1);
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00);
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
  });
});

describe('halfvec functions', () => {
  it('matches pgvector results and errors', () => {
    expect(run(() => halfvecAdd(h('[65519]'), h('[65519]')))).toBe('22003 value out of range: overflow');
    expect(run(() => halfvecAdd(h('[1,2]'), h('[3]')))).toBe('22000 different halfvec dimensions 2 and 1');
    expect(run(() => halfvecMul(h('[1e-7]'), h('[1e-7]')))).toBe('22003 value out of range: underflow');
    expect(formatHalfvec(halfvecL2Normalize(h('[3,4]')))).toBe('[0.60009766,0.7998047]');
    expect(run(() => halfvecSubvector(h('[1,2,3,4,5]'), 1, 0))).toBe(
      '22000 halfvec must have at least 1 dimension',
    );
    expect(run(() => halfvecFromFloats([65520]))).toBe('22003 "65520" is out of range for type halfvec');
    expect(formatHalfvec(halfvecFromFloats([1e-8]))).toBe('[0]');
  });
});
