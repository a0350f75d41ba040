import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors/sql-error.ts';
import { vectorAggregates } from './register-vector.ts';
import { formatVector, parseVector, vectorRecv, vectorSend } from './vector.ts';
import { formatFloat4 } from './vector-float-out.ts';
import {
  binaryQuantize,
  subvector,
  vectorAdd,
  vectorCompare,
  vectorL2Normalize,
  vectorMul,
} from './vector-ops.ts';

/** Runs f and returns "CODE message [detail]" for a SqlError, or the value. */
function run(f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof SqlError)) throw e;
    return `${e.code} ${e.message}${e.detail ? ` | ${e.detail}` : ''}`;
  }
}

const out = (lit: string, typmod = -1) => run(() => formatVector(parseVector(lit, typmod)));

// Input → output/error pairs from pgvector's test/expected/vector_type.out.
const textCases: [string, string][] = [
  ['[1,2,3]', '[1,2,3]'],
  ['[-1,-2,-3]', '[-1,-2,-3]'],
  ['[1.,2.,3.]', '[1,2,3]'],
  [' [ 1,  2 ,    3  ] ', '[1,2,3]'],
  ['[1.23456]', '[1.23456]'],
  ['[hello,1]', '22P02 invalid input syntax for type vector: "[hello,1]"'],
  ['[NaN,1]', '22000 NaN not allowed in vector'],
  ['[Infinity,1]', '22000 infinite value not allowed in vector'],
  ['[-Infinity,1]', '22000 infinite value not allowed in vector'],
  ['[1.5e38,-1.5e38]', '[1.5e+38,-1.5e+38]'],
  ['[1.5e+38,-1.5e+38]', '[1.5e+38,-1.5e+38]'],
  ['[1.5e-38,-1.5e-38]', '[1.5e-38,-1.5e-38]'],
  ['[4e38,1]', '22003 "4e38" is out of range for type vector'],
  ['[-4e38,1]', '22003 "-4e38" is out of range for type vector'],
  ['[1e-46,1]', '[0,1]'],
  ['[-1e-46,1]', '[-0,1]'],
  ['[1,2,3', '22P02 invalid input syntax for type vector: "[1,2,3"'],
  ['[1,2,3]9', '22P02 invalid input syntax for type vector: "[1,2,3]9" | Junk after closing right brace.'],
  ['1,2,3', '22P02 invalid input syntax for type vector: "1,2,3" | Vector contents must start with "[".'],
  ['', '22P02 invalid input syntax for type vector: "" | Vector contents must start with "[".'],
  ['[', '22P02 invalid input syntax for type vector: "["'],
  ['[ ', '22P02 invalid input syntax for type vector: "[ "'],
  ['[,', '22P02 invalid input syntax for type vector: "[,"'],
  ['[]', '22000 vector must have at least 1 dimension'],
  ['[ ]', '22000 vector must have at least 1 dimension'],
  ['[,]', '22P02 invalid input syntax for type vector: "[,]"'],
  ['[1,]', '22P02 invalid input syntax for type vector: "[1,]"'],
  ['[1a]', '22P02 invalid input syntax for type vector: "[1a]"'],
  ['[1,,3]', '22P02 invalid input syntax for type vector: "[1,,3]"'],
  ['[1, ,3]', '22P02 invalid input syntax for type vector: "[1, ,3]"'],
];

describe('vector text I/O', () => {
  it.each(textCases)('%j', (lit, expected) => expect(out(lit)).toBe(expected));

  it('checks the typmod', () => {
    expect(out('[1,2,3]', 3)).toBe('[1,2,3]');
    expect(out('[1,2,3]', 2)).toBe('22000 expected 2 dimensions, not 3');
  });

  it('limits dimensions to 16000', () => {
    const lit = `[${Array(16001).fill('0').join(',')}]`;
    expect(out(lit)).toBe('54000 vector cannot have more than 16000 dimensions');
    expect((parseVector(`[${Array(16000).fill('1').join(',')}]`) as Float32Array).length).toBe(16000);
  });

  it('prints float4 shortest round-trip text like float4out', () => {
    const cases: [number, string][] = [
      [1.5, '1.5'],
      [1e-7, '1e-07'],
      [100000000, '1e+08'],
      [123456, '123456'],
      [1234567, '1.234567e+06'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [-0, '-0'],
      [0.1, '0.1'],
      [3.4028234663852886e38, '3.4028235e+38'],
      [1.401298464324817e-45, '1e-45'],
    ];
    for (const [v, s] of cases) expect(formatFloat4(v)).toBe(s);
  });

  it('round-trips random float4 values through text', () => {
    const f = new Float32Array(2000).map(
      () => (Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 60 - 30),
    );
    expect(parseVector(formatVector(f))).toEqual(f);
  });

  it('accepts what strtof accepts', () => {
    expect(out('[0x10, +.5, 1E+2, inFinity1]')).toBe('22000 infinite value not allowed in vector');
    expect(out('[0x1.8p1,\v-2]')).toBe('[3,-2]');
  });
});

describe('vector binary I/O', () => {
  it('round-trips and uses pgvector layout', () => {
    const v = parseVector('[1,2,3]');
    const b = vectorSend(v);
    expect([...b.slice(0, 8)]).toEqual([0, 3, 0, 0, 0x3f, 0x80, 0, 0]);
    expect(vectorRecv(b)).toEqual(v);
    expect(run(() => vectorRecv(b, 2))).toBe('22000 expected 2 dimensions, not 3');
    const bad = b.slice();
    bad[3] = 1;
    expect(run(() => vectorRecv(bad))).toBe('22000 expected unused to be 0, not 1');
    expect(run(() => vectorRecv(b.slice(0, 6)))).toBe('08P01 insufficient data left in message');
  });
});

describe('vector functions', () => {
  const v = (s: string) => parseVector(s);
  it('does element-wise arithmetic with pgvector errors', () => {
    expect(formatVector(vectorAdd(v('[1,2,3]'), v('[4,5,6]')))).toBe('[5,7,9]');
    expect(run(() => vectorAdd(v('[3e38]'), v('[3e38]')))).toBe('22003 value out of range: overflow');
    expect(run(() => vectorAdd(v('[1,2]'), v('[3]')))).toBe('22000 different vector dimensions 2 and 1');
    expect(formatVector(vectorMul(v('[1,2,3]'), v('[4,5,6]')))).toBe('[4,10,18]');
    expect(run(() => vectorMul(v('[1e37]'), v('[1e37]')))).toBe('22003 value out of range: overflow');
    expect(run(() => vectorMul(v('[1e-37]'), v('[1e-37]')))).toBe('22003 value out of range: underflow');
  });

  it('compares like vector_cmp', () => {
    expect(vectorCompare(v('[1,2,3]'), v('[1,2,3]'))).toBe(0);
    expect(vectorCompare(v('[1,2]'), v('[1,2,3]'))).toBe(-1);
    expect(vectorCompare(v('[1,2]'), v('[2,3,4]'))).toBe(-1);
    expect(vectorCompare(v('[2,3]'), v('[1,2,3]'))).toBe(1);
  });

  it('normalizes, quantizes and slices', () => {
    expect(formatVector(vectorL2Normalize(v('[3,4]')))).toBe('[0.6,0.8]');
    expect(formatVector(vectorL2Normalize(v('[0,0.1]')))).toBe('[0,1]');
    expect(formatVector(vectorL2Normalize(v('[3e38]')))).toBe('[1]');
    expect(binaryQuantize(v('[0,0.1,-0.2,-0.3,0.4,0.5,0.6,-0.7,0.8,-0.9,1]')).toString()).toBe('01001110101');
    const s = (a: number, b: number) => run(() => formatVector(subvector(v('[1,2,3,4,5]'), a, b)));
    expect(s(1, 3)).toBe('[1,2,3]');
    expect(s(-1, 3)).toBe('[1]');
    expect(s(3, 9)).toBe('[3,4,5]');
    expect(s(1, 0)).toBe('22000 vector must have at least 1 dimension');
    expect(s(-1, 2)).toBe('22000 vector must have at least 1 dimension');
    expect(s(2147483647, 10)).toBe('22000 vector must have at least 1 dimension');
    expect(s(3, 2147483647)).toBe('[3,4,5]');
    expect(s(-2147483644, 2147483647)).toBe('[1,2]');
  });

  it('aggregates avg and sum', () => {
    const agg = (name: string, rows: string[]) =>
      run(() => {
        const a = vectorAggregates.find((x) => x.name === name && x.args[0] === 'vector')!;
        let st = a.init([]);
        for (const r of rows) st = a.step(st, [v(r)], {} as never);
        const res = a.final(st, {} as never);
        return res === null ? null : formatVector(res as Float32Array);
      });
    expect(agg('avg', ['[1,2,3]', '[3,5,7]'])).toBe('[2,3.5,5]');
    expect(agg('avg', [])).toBe(null);
    expect(agg('avg', ['[1,2]', '[3]'])).toBe('22000 expected 2 dimensions, not 1');
    expect(agg('avg', ['[3e38]', '[3e38]'])).toBe('[3e+38]');
    expect(agg('sum', ['[1,2,3]', '[3,5,7]'])).toBe('[4,7,10]');
    expect(agg('sum', ['[1,2]', '[3]'])).toBe('22000 different vector dimensions 2 and 1');
    expect(agg('sum', ['[3e38]', '[3e38]'])).toBe('22003 value out of range: overflow');
  });
});
