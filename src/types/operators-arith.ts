/**
 * Arithmetic operators on int2/int4/int8/float4/float8/numeric (same-type pairs, as the
 * implicit casts int2→int4→int8→numeric→float4→float8 let resolve.ts reach every mixed
 * case), unary minus/plus, % on integers and numeric, and ^ (power) on float8/numeric.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { divisionByZero, floatOp, intOp, smallIntOp } from './arith.ts';
import { checkInt } from './casts.ts';
import { ExtraSqlState } from './extra-sqlstates.ts';
import type { Numeric } from './numeric.ts';
import { numericPower } from './numeric-math.ts';
import { registerOperator } from './registry.ts';
import { T } from './type.ts';

const ARITH = ['+', '-', '*', '/'] as const;

for (const t of ['int2', 'int4'] as const) {
  for (const op of [...ARITH, '%']) {
    registerOperator({
      name: op,
      left: t,
      right: t,
      result: T[t],
      fn: (a, b) => smallIntOp(t, op, a as number, b as number),
    });
  }
  registerOperator({
    name: '-',
    left: null,
    right: t,
    result: T[t],
    fn: (_l, a) => smallIntOp(t, '-', 0, a as number),
  });
}
for (const op of [...ARITH, '%']) {
  registerOperator({
    name: op,
    left: 'int8',
    right: 'int8',
    result: T.int8,
    fn: (a, b) => intOp('int8', op, a as bigint, b as bigint),
  });
}
registerOperator({
  name: '-',
  left: null,
  right: 'int8',
  result: T.int8,
  fn: (_l, a) => checkInt(-(a as bigint), 'int8'),
});

for (const t of ['float4', 'float8'] as const) {
  for (const op of ARITH) {
    registerOperator({
      name: op,
      left: t,
      right: t,
      result: T[t],
      fn: (a, b) => floatOp(t === 'float4', op, a as number, b as number),
    });
  }
  registerOperator({ name: '-', left: null, right: t, result: T[t], fn: (_l, a) => -(a as number) });
}

// float48/float84: PostgreSQL's cross-type operators compute in double precision; they are
// why real + numeric resolves to double precision (float8 is the preferred numeric type).
for (const [l, r] of [
  ['float4', 'float8'],
  ['float8', 'float4'],
] as const) {
  for (const op of ARITH) {
    registerOperator({
      name: op,
      left: l,
      right: r,
      result: T.float8,
      fn: (a, b) => floatOp(false, op, a as number, b as number),
    });
  }
}

registerOperator({
  name: '+',
  left: 'numeric',
  right: 'numeric',
  result: T.numeric,
  fn: (a, b) => (a as Numeric).add(b as Numeric),
});
registerOperator({
  name: '-',
  left: 'numeric',
  right: 'numeric',
  result: T.numeric,
  fn: (a, b) => (a as Numeric).sub(b as Numeric),
});
registerOperator({
  name: '*',
  left: 'numeric',
  right: 'numeric',
  result: T.numeric,
  fn: (a, b) => (a as Numeric).mul(b as Numeric),
});
registerOperator({
  name: '/',
  left: 'numeric',
  right: 'numeric',
  result: T.numeric,
  fn: (a, b) => (a as Numeric).div(b as Numeric),
});
registerOperator({
  name: '%',
  left: 'numeric',
  right: 'numeric',
  result: T.numeric,
  fn: (a, b) => (a as Numeric).mod(b as Numeric),
});
registerOperator({
  name: '-',
  left: null,
  right: 'numeric',
  result: T.numeric,
  fn: (_l, a) => (a as Numeric).neg(),
});

for (const t of ['int2', 'int4', 'int8', 'float4', 'float8', 'numeric'] as const) {
  registerOperator({ name: '+', left: null, right: t, result: T[t], fn: (_l, a) => a });
}

/** float8 ^ float8: pow() with PostgreSQL's domain errors. */
export function floatPower(x: number, y: number): number {
  if (x === 0 && y < 0) {
    throw new SqlError(
      ExtraSqlState.InvalidArgumentForPowerFunction,
      'zero raised to a negative power is undefined',
    );
  }
  if (x < 0 && !Number.isInteger(y) && Number.isFinite(y)) {
    throw new SqlError(
      ExtraSqlState.InvalidArgumentForPowerFunction,
      'a negative number raised to a non-integer power yields a complex result',
    );
  }
  const r = x ** y;
  if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y)) {
    throw new SqlError(SqlState.NumericValueOutOfRange, 'value out of range: overflow');
  }
  return r;
}

registerOperator({
  name: '^',
  left: 'float8',
  right: 'float8',
  result: T.float8,
  fn: (a, b) => floatPower(a as number, b as number),
});
registerOperator({
  name: '^',
  left: 'numeric',
  right: 'numeric',
  result: T.numeric,
  fn: (a, b) => numericPower(a as Numeric, b as Numeric),
});
registerOperator({
  name: '@',
  left: null,
  right: 'float8',
  result: T.float8,
  fn: (_l, a) => Math.abs(a as number),
});
registerOperator({
  name: '|/',
  left: null,
  right: 'float8',
  result: T.float8,
  fn: (_l, a) => {
    if ((a as number) < 0)
      throw new SqlError(
        ExtraSqlState.InvalidArgumentForPowerFunction,
        'cannot take square root of a negative number',
      );
    return Math.sqrt(a as number);
  },
});

export { divisionByZero };
