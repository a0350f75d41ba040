import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors/sql-error.ts';
import { applyBitTypmod, BitString, bitRecv, bitSend, bitTypmodIn, parseBitString } from './bit.ts';

function run(f: () => unknown): unknown {
  try {
    return String(f());
  } catch (e) {
    if (!(e instanceof SqlError)) throw e;
    return `${e.code} ${e.message}`;
  }
}

describe('bit and varbit (PostgreSQL varbit.c)', () => {
  it('parses binary and hex input', () => {
    expect(run(() => parseBitString('101', 'bit'))).toBe('101');
    expect(run(() => parseBitString('b101', 'bit'))).toBe('101');
    expect(run(() => parseBitString('X1F', 'bit'))).toBe('00011111');
    expect(run(() => parseBitString('', 'bit'))).toBe('');
    expect(run(() => parseBitString('102', 'bit'))).toBe('22P02 "2" is not a valid binary digit');
    expect(run(() => parseBitString('x1G', 'bit'))).toBe('22P02 "G" is not a valid hexadecimal digit');
    expect(run(() => parseBitString('10', 'bit', 3))).toBe(
      '22026 bit string length 2 does not match type bit(3)',
    );
    expect(run(() => parseBitString('1011', 'varbit', 3))).toBe(
      '22001 bit string too long for type bit varying(3)',
    );
    expect(run(() => parseBitString('10', 'varbit', 3))).toBe('10');
  });

  it('applies typmods like bit() and varbit()', () => {
    const b = BitString.fromBinary('1011');
    expect(run(() => applyBitTypmod(b, 'bit', 3, false))).toBe(
      '22026 bit string length 4 does not match type bit(3)',
    );
    expect(run(() => applyBitTypmod(b, 'bit', 3, true))).toBe('101');
    expect(run(() => applyBitTypmod(b, 'bit', 6, true))).toBe('101100');
    expect(run(() => applyBitTypmod(b, 'varbit', 3, false))).toBe(
      '22001 bit string too long for type bit varying(3)',
    );
    expect(run(() => applyBitTypmod(b, 'varbit', 8, false))).toBe('1011');
    expect(run(() => bitTypmodIn('bit', [0]))).toBe('22023 length for type bit must be at least 1');
  });

  it('round-trips the binary format and clears pad bits', () => {
    const b = BitString.fromBinary('10110');
    const wire = bitSend(b);
    expect([...wire]).toEqual([0, 0, 0, 5, 0b10110000]);
    wire[4] = 0b10110111;
    expect(bitRecv(wire, 'bit').bytes[0]).toBe(0b10110000);
    expect(run(() => bitRecv(wire, 'bit', 4))).toBe('22026 bit string length 5 does not match type bit(4)');
  });
});
