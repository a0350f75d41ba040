import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors/sql-error.ts';
import { formatSparsevec, parseSparsevec, sparsevecRecv, sparsevecSend } from './sparsevec.ts';
import {
  sparsevecCompare,
  sparsevecCosineDistance,
  sparsevecFromDense,
  sparsevecInnerProduct,
  sparsevecL1,
  sparsevecL2Normalize,
  sparsevecL2Squared,
  sparsevecToHalfvec,
  sparsevecToVector,
} from './sparsevec-ops.ts';

function run(f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof SqlError)) throw e;
    return `${e.code} ${e.message}${e.detail ? ` | ${e.detail}` : ''}`;
  }
}
const out = (lit: string, typmod = -1) => run(() => formatSparsevec(parseSparsevec(lit, typmod)));
const s = (lit: string) => parseSparsevec(lit);
const syntax = (lit: string, detail?: string) =>
  `22P02 invalid input syntax for type sparsevec: "${lit}"${detail ? ` | ${detail}` : ''}`;

describe('sparsevec text I/O (pgvector test/expected/sparsevec.out)', () => {
  it.each([
    ['{1:1.5,3:3.5}/5', '{1:1.5,3:3.5}/5'],
    ['{1:2.,3:4.}/5', '{1:2,3:4}/5'],
    [' { 1 : 1.5 ,  3  :  3.5  } / 5 ', '{1:1.5,3:3.5}/5'],
    ['{1:1.5e38,2:-1.5e38}/2', '{1:1.5e+38,2:-1.5e+38}/2'],
    ['{1:4e38,2:1}/2', '22003 "4e38" is out of range for type sparsevec'],
    ['{1:-1e-46,2:1}/2', '22003 "-1e-46" is out of range for type sparsevec'],
    ['{1:NaN,2:1}/2', '22000 NaN not allowed in sparsevec'],
    ['', syntax('', 'Vector contents must start with "{".')],
    ['{', syntax('{')],
    ['{:', syntax('{:')],
    ['{}', syntax('{}', 'Unexpected end of input.')],
    ['{}/', syntax('{}/')],
    ['{}/1', '{}/1'],
    ['{}/1a', syntax('{}/1a', 'Junk after closing.')],
    ['{ }/1', '{}/1'],
    ['{1,}/1', syntax('{1,}/1')],
    ['{1:}/1', syntax('{1:}/1')],
    ['{1:1,}/1', syntax('{1:1,}/1')],
    ['{1:0,2:1,3:0}/3', '{2:1}/3'],
    ['{2:1,1:1}/2', '{1:1,2:1}/2'],
    ['{1:1,2:1,1:1}/2', '22000 sparsevec indices must not contain duplicates'],
    ['{}/-1', '22000 sparsevec must have at least 1 dimension'],
    ['{}/1000000000', '{}/1000000000'],
    ['{}/1000000001', '54000 sparsevec cannot have more than 1000000000 dimensions'],
    ['{}/9223372036854775808', '54000 sparsevec cannot have more than 1000000000 dimensions'],
    ['{}/-9223372036854775809', '22000 sparsevec must have at least 1 dimension'],
    ['{2147483648:1}/1', '22000 sparsevec index out of bounds'],
    ['{-2147483649:1}/1', '22000 sparsevec index out of bounds'],
    ['{0:1}/1', '22000 sparsevec index out of bounds'],
  ])('%j', (lit, expected) => expect(out(lit)).toBe(expected));

  it('checks typmod, nnz and binary form', () => {
    expect(out('{}/3', 2)).toBe('22000 expected 2 dimensions, not 3');
    expect(out(`{${Array(16001).fill('1:1').join(',')}}/2`)).toBe(
      '54000 sparsevec cannot have more than 16000 non-zero elements',
    );
    const v = s('{2:1.5,4:-3}/5');
    expect(formatSparsevec(sparsevecRecv(sparsevecSend(v)))).toBe('{2:1.5,4:-3}/5');
    const zero = sparsevecSend(v);
    zero.fill(0, 20);
    expect(run(() => sparsevecRecv(zero))).toBe(
      '22000 binary representation of sparsevec cannot contain zero values',
    );
  });
});

describe('sparsevec functions', () => {
  it('computes distances like pgvector', () => {
    expect(Math.sqrt(sparsevecL2Squared(s('{1:3}/2'), s('{2:4}/2')))).toBe(5);
    expect(sparsevecInnerProduct(s('{1:1,3:3,5:5}/5'), s('{2:4,3:6,4:8}/5'))).toBe(18);
    expect(run(() => sparsevecInnerProduct(s('{1:1,2:2}/2'), s('{1:3}/1')))).toBe(
      '22000 different sparsevec dimensions 2 and 1',
    );
    expect(sparsevecCosineDistance(s('{}/1'), s('{}/1'))).toBeNaN();
    expect(sparsevecCosineDistance(s('{1:1,2:1}/2'), s('{1:-1.1,2:-1.1}/2'))).toBe(2);
    expect(sparsevecL1(s('{1:1,3:3,5:5,7:7,9:9}/9'), s('{2:2,4:4,6:6,8:8}/9'))).toBe(45);
    expect(formatSparsevec(sparsevecL2Normalize(s('{1:3e38,2:1e-37}/2')))).toBe('{1:1}/2');
    expect(formatSparsevec(sparsevecL2Normalize(s('{2:3e37,4:3e-37,6:4e37,8:4e-37}/9')))).toBe(
      '{2:0.6,6:0.8}/9',
    );
  });

  it('compares like sparsevec_cmp', () => {
    expect(sparsevecCompare(s('{1:1,2:2,3:3}/3'), s('{}/3'))).toBe(1);
    expect(sparsevecCompare(s('{1:1,2:2}/2'), s('{1:1,2:2,3:3}/3'))).toBe(-1);
    expect(sparsevecCompare(s('{1:2,2:3}/2'), s('{1:1,2:2,3:3}/3'))).toBe(1);
  });

  it('casts', () => {
    expect(formatSparsevec(sparsevecFromDense([0, 1.5, 0, 3.5, 0], -1))).toBe('{2:1.5,4:3.5}/5');
    expect(run(() => sparsevecFromDense([0, 1.5, 0, 3.5, 0], 4))).toBe('22000 expected 4 dimensions, not 5');
    expect([...sparsevecToVector(s('{2:1.5,4:3.5}/5'), -1)]).toEqual([0, 1.5, 0, 3.5, 0]);
    expect(run(() => sparsevecToVector(s('{}/16001'), -1))).toBe(
      '54000 vector cannot have more than 16000 dimensions',
    );
    expect(run(() => sparsevecToHalfvec(s('{1:65520}/1'), -1))).toBe(
      '22003 "65520" is out of range for type halfvec',
    );
  });
});
