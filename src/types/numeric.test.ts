import { describe, expect, it } from 'vitest';
import { Numeric } from './numeric.ts';
import {
  numericExp,
  numericLn,
  numericLog,
  numericLog10,
  numericPower,
  numericSqrt,
} from './numeric-math.ts';
import { applyNumericTypmod, numericTypmod } from './numeric-typmod.ts';
import { err } from './test-helpers.ts';

const n = (s: string) => Numeric.parse(s);

describe('Numeric arithmetic (results checked against PostgreSQL 15)', () => {
  it.each([
    ['1', '/', '3', '0.33333333333333333333'],
    ['2', '/', '3', '0.66666666666666666667'],
    ['10', '/', '4', '2.5000000000000000'],
    ['1', '/', '3.0', '0.33333333333333333333'],
    ['1000000', '/', '7', '142857.142857142857'],
    ['0.001', '/', '3', '0.00033333333333333333'],
    ['1e-20', '/', '3', '0.0000000000000000000033333333333333333333'],
    ['1.5', '*', '2.25', '3.375'],
    ['1.50', '+', '2.125', '3.625'],
    ['1.50', '-', '2.125', '-0.625'],
    ['10.5', '%', '3', '1.5'],
    ['-7', '%', '3', '-1'],
    ['123456789', '*', '987654321', '121932631112635269'],
    ['Infinity', '+', '1', 'Infinity'],
    ['Infinity', '-', 'Infinity', 'NaN'],
    ['1', '/', 'Infinity', '0'],
    ['NaN', '*', '2', 'NaN'],
  ])('%s %s %s = %s', (a, op, b, out) => {
    const x = n(a);
    const y = n(b);
    const r =
      op === '+'
        ? x.add(y)
        : op === '-'
          ? x.sub(y)
          : op === '*'
            ? x.mul(y)
            : op === '/'
              ? x.div(y)
              : x.mod(y);
    expect(r.toString()).toBe(out);
  });

  it('rounds and truncates like PostgreSQL', () => {
    expect(n('1234.5678').round(-2).toString()).toBe('1200');
    expect(n('-1.5').round().toString()).toBe('-2');
    expect(n('2.5').round().toString()).toBe('3');
    expect(n('1.2345').round(2).toString()).toBe('1.23');
    expect(n('1.5').round(3).toString()).toBe('1.500');
    expect(n('-1.55').trunc(1).toString()).toBe('-1.5');
    expect(n('-1.5').floor().toString()).toBe('-2');
    expect(n('-1.5').ceil().toString()).toBe('-1');
    expect(n('1.5').toBigInt('integer')).toBe(2n);
    expect(n('-2.5').toBigInt('integer')).toBe(-3n);
  });

  it('orders NaN above Infinity and compares across scales', () => {
    expect(n('NaN').cmp(n('Infinity'))).toBe(1);
    expect(n('1.50').cmp(n('1.5'))).toBe(0);
    expect(n('-Infinity').cmp(n('-1e100'))).toBe(-1);
  });

  it('raises division by zero', () => {
    expect(err(() => n('1').div(n('0')))).toEqual({ code: '22012', message: 'division by zero' });
    expect(err(() => n('1').mod(n('0')))).toEqual({ code: '22012', message: 'division by zero' });
    expect(n('NaN').div(n('0')).toString()).toBe('NaN');
  });

  it('applies numeric(p,s) typmods', () => {
    expect(applyNumericTypmod(n('3.14159'), numericTypmod(5, 2)).toString()).toBe('3.14');
    expect(applyNumericTypmod(n('2'), numericTypmod(5, 2)).toString()).toBe('2.00');
    expect(applyNumericTypmod(n('12345'), numericTypmod(3, -2)).toString()).toBe('12300');
    expect(err(() => applyNumericTypmod(n('1.5'), numericTypmod(2, 2)))).toEqual({
      code: '22003',
      message: 'numeric field overflow',
      detail: 'A field with precision 2, scale 2 must round to an absolute value less than 1.',
    });
    expect(err(() => applyNumericTypmod(n('Infinity'), numericTypmod(5, 2)))).toMatchObject({
      detail: 'A field with precision 5, scale 2 cannot hold an infinite value.',
    });
  });

  it('converts from floats with DBL_DIG digits', () => {
    expect(Numeric.fromFloat(0.1).toString()).toBe('0.1');
    expect(Numeric.fromFloat(1 / 3).toString()).toBe('0.333333333333333');
    expect(Numeric.fromFloat(1e20).toString()).toBe('100000000000000000000');
  });

  it('round-trips base-10000 digits', () => {
    for (const s of ['0', '1', '-12345.678', '0.0001', '99999999.99999999', '1e-30']) {
      const x = n(s);
      const { weight, digits } = x.base10000();
      expect(Numeric.fromBase10000(x.sign() < 0, weight, digits, x.scale).toString()).toBe(x.toString());
    }
  });
});

describe('numeric math functions', () => {
  it.each([
    ['sqrt', () => numericSqrt(n('2')), '1.414213562373095'],
    ['sqrt', () => numericSqrt(n('100')), '10.000000000000000'],
    ['sqrt', () => numericSqrt(n('1.21')), '1.100000000000000'],
    ['sqrt', () => numericSqrt(n('0.01')), '0.10000000000000000'],
    ['ln', () => numericLn(n('2')), '0.6931471805599453'],
    ['ln', () => numericLn(n('1000')), '6.9077552789821371'],
    ['log', () => numericLog10(n('1000')), '3.0000000000000000'],
    ['log', () => numericLog10(n('1.05')), '0.021189299069938073'],
    ['ln', () => numericLn(n('1.05')), '0.048790164169432003'],
    ['ln', () => numericLn(n('1.0001')), '0.00009999500033330834'],
    ['ln', () => numericLn(n('0.95')), '-0.051293294387550533'],
    ['ln', () => numericLn(n('0.5')), '-0.6931471805599453'],
    ['log', () => numericLog(n('2'), n('1024')), '10.0000000000000000'],
    ['log', () => numericLog(n('1.05'), n('2.0')), '14.20669908289047'],
    ['exp', () => numericExp(n('1')), '2.7182818284590452'],
    ['exp', () => numericExp(n('10')), '22026.465794806717'],
    ['power', () => numericPower(n('2'), n('10')), '1024.0000000000000000'],
    ['power', () => numericPower(n('1.1'), n('10')), '2.5937424601000000'],
    ['power', () => numericPower(n('2'), n('-2')), '0.2500000000000000'],
    ['power', () => numericPower(n('2'), n('0.5')), '1.4142135623730950'],
    ['power', () => numericPower(n('3'), n('2.5')), '15.588457268119896'],
  ])('%s', (_name, f, out) => {
    expect(f().toString()).toBe(out);
  });

  it('rejects invalid arguments', () => {
    expect(err(() => numericSqrt(n('-1')))).toEqual({
      code: '2201F',
      message: 'cannot take square root of a negative number',
    });
    expect(err(() => numericLn(n('0')))).toEqual({ code: '2201E', message: 'cannot take logarithm of zero' });
    expect(err(() => numericPower(n('0'), n('-1')))).toMatchObject({
      message: 'zero raised to a negative power is undefined',
    });
  });
});
