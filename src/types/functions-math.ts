/**
 * Built-in math functions ("Mathematical Functions and Operators"): abs, ceil/floor,
 * round/trunc (float8 rounds half to even like rint(); numeric half away from zero), sqrt,
 * power, exp/ln/log, mod, sign, trigonometry, pi, random, gen_random_uuid.
 */
import { randomUUID } from 'node:crypto';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { divisionByZero, intOp } from './arith.ts';
import { checkInt } from './casts.ts';
import { def, defAll } from './define.ts';
import { ExtraSqlState } from './extra-sqlstates.ts';
import { Numeric } from './numeric.ts';
import {
  numericExp,
  numericLn,
  numericLog,
  numericLog10,
  numericPower,
  numericSqrt,
} from './numeric-math.ts';
import { floatPower } from './operators-arith.ts';
import { T, type Value } from './type.ts';

const num = (v: Value) => v as number;
const dec = (v: Value) => v as Numeric;

/** rint(): round half to even, as float8 round() does. */
export function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

def('abs', ['int2'], T.int2, ([a]) => Number(checkInt(BigInt(Math.abs(num(a))), 'int2')));
def('abs', ['int4'], T.int4, ([a]) => Number(checkInt(BigInt(Math.abs(num(a))), 'int4')));
def('abs', ['int8'], T.int8, ([a]) => checkInt((a as bigint) < 0n ? -(a as bigint) : (a as bigint), 'int8'));
def('abs', ['float4'], T.float4, ([a]) => Math.abs(num(a)));
def('abs', ['float8'], T.float8, ([a]) => Math.abs(num(a)));
def('abs', ['numeric'], T.numeric, ([a]) => dec(a).abs());

defAll(['ceil', 'ceiling'], ['float8'], T.float8, ([a]) => Math.ceil(num(a)));
defAll(['ceil', 'ceiling'], ['numeric'], T.numeric, ([a]) => dec(a).ceil());
def('floor', ['float8'], T.float8, ([a]) => Math.floor(num(a)));
def('floor', ['numeric'], T.numeric, ([a]) => dec(a).floor());
def('round', ['float8'], T.float8, ([a]) => rint(num(a)));
def('round', ['numeric'], T.numeric, ([a]) => dec(a).round(0));
def('round', ['numeric', 'int4'], T.numeric, ([a, n]) => dec(a).round(num(n)));
def('trunc', ['float8'], T.float8, ([a]) => Math.trunc(num(a)));
def('trunc', ['numeric'], T.numeric, ([a]) => dec(a).trunc(0));
def('trunc', ['numeric', 'int4'], T.numeric, ([a, n]) => dec(a).trunc(num(n)));

def('sqrt', ['float8'], T.float8, ([a]) => {
  if (num(a) < 0)
    throw new SqlError(
      ExtraSqlState.InvalidArgumentForPowerFunction,
      'cannot take square root of a negative number',
    );
  return Math.sqrt(num(a));
});
def('sqrt', ['numeric'], T.numeric, ([a]) => numericSqrt(dec(a)));
def('cbrt', ['float8'], T.float8, ([a]) => Math.cbrt(num(a)));
defAll(['power', 'pow'], ['float8', 'float8'], T.float8, ([a, b]) => floatPower(num(a), num(b)));
defAll(['power', 'pow'], ['numeric', 'numeric'], T.numeric, ([a, b]) => numericPower(dec(a), dec(b)));
def('exp', ['float8'], T.float8, ([a]) => {
  const r = Math.exp(num(a));
  if (!Number.isFinite(r) && Number.isFinite(num(a)))
    throw new SqlError(SqlState.NumericValueOutOfRange, 'value out of range: overflow');
  return r;
});
def('exp', ['numeric'], T.numeric, ([a]) => numericExp(dec(a)));

function floatLog(x: number, f: (x: number) => number): number {
  if (x === 0) throw new SqlError(ExtraSqlState.InvalidArgumentForLogarithm, 'cannot take logarithm of zero');
  if (x < 0)
    throw new SqlError(
      ExtraSqlState.InvalidArgumentForLogarithm,
      'cannot take logarithm of a negative number',
    );
  return f(x);
}
def('ln', ['float8'], T.float8, ([a]) => floatLog(num(a), Math.log));
def('ln', ['numeric'], T.numeric, ([a]) => numericLn(dec(a)));
defAll(['log', 'log10'], ['float8'], T.float8, ([a]) => floatLog(num(a), Math.log10));
defAll(['log', 'log10'], ['numeric'], T.numeric, ([a]) => numericLog10(dec(a)));
def('log', ['numeric', 'numeric'], T.numeric, ([b, x]) => numericLog(dec(b), dec(x)));

def('mod', ['int2', 'int2'], T.int2, ([a, b]) => intOp('int2', '%', num(a), num(b)));
def('mod', ['int4', 'int4'], T.int4, ([a, b]) => intOp('int4', '%', num(a), num(b)));
def('mod', ['int8', 'int8'], T.int8, ([a, b]) => intOp('int8', '%', a as bigint, b as bigint));
def('mod', ['numeric', 'numeric'], T.numeric, ([a, b]) => dec(a).mod(dec(b)));
def('div', ['numeric', 'numeric'], T.numeric, ([a, b]) => {
  if (dec(b).sign() === 0) throw divisionByZero();
  return dec(a).divRound(dec(b), 4).trunc(0);
});
def('sign', ['float8'], T.float8, ([a]) => Math.sign(num(a)));
def('sign', ['numeric'], T.numeric, ([a]) => (dec(a).isNaN ? Numeric.NaN : Numeric.fromInt(dec(a).sign())));

def('pi', [], T.float8, () => Math.PI);
def('degrees', ['float8'], T.float8, ([a]) => (num(a) * 180) / Math.PI);
def('radians', ['float8'], T.float8, ([a]) => (num(a) * Math.PI) / 180);
for (const [name, f] of Object.entries({
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
})) {
  def(name, ['float8'], T.float8, ([a]) => {
    const r = f(num(a));
    if (Number.isNaN(r) && !Number.isNaN(num(a))) {
      throw new SqlError(SqlState.NumericValueOutOfRange, 'input is out of range');
    }
    return r;
  });
}
def('atan2', ['float8', 'float8'], T.float8, ([a, b]) => Math.atan2(num(a), num(b)));

def('random', [], T.float8, () => Math.random(), { volatile: true });
def('gen_random_uuid', [], T.uuid, () => randomUUID(), { volatile: true });
def('width_bucket', ['float8', 'float8', 'float8', 'int4'], T.int4, ([x, lo, hi, n]) => {
  if (num(n) <= 0) throw new SqlError(SqlState.InvalidParameterValue, 'count must be greater than zero');
  if (num(lo) === num(hi))
    throw new SqlError(SqlState.InvalidParameterValue, 'lower bound cannot equal upper bound');
  const [a, b, v] = [num(lo), num(hi), num(x)];
  if (a < b) return v < a ? 0 : v >= b ? num(n) + 1 : Math.floor(((v - a) / (b - a)) * num(n)) + 1;
  return v > a ? 0 : v <= b ? num(n) + 1 : Math.floor(((a - v) / (a - b)) * num(n)) + 1;
});
