/**
 * Checked arithmetic for the integer and float types with PostgreSQL's errors:
 * 'integer out of range' (22003), 'division by zero' (22012), float
 * 'value out of range: overflow'/'underflow' (22003). Integer division truncates.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { checkInt } from './casts.ts';

export type IntType = 'int2' | 'int4' | 'int8';

export function divisionByZero(): SqlError {
  return new SqlError(SqlState.DivisionByZero, 'division by zero');
}

/** Integer op on int2/int4 (as numbers) or int8 (as bigint), range-checked for `type`. */
export function intOp(type: IntType, op: string, a: number | bigint, b: number | bigint): number | bigint {
  const x = BigInt(a);
  const y = BigInt(b);
  let r: bigint;
  switch (op) {
    case '+':
      r = x + y;
      break;
    case '-':
      r = x - y;
      break;
    case '*':
      r = x * y;
      break;
    case '/':
      if (y === 0n) throw divisionByZero();
      r = x / y;
      break;
    case '%':
      if (y === 0n) throw divisionByZero();
      r = x % y;
      break;
    default:
      throw new Error(`unknown integer operator ${op}`);
  }
  checkInt(r, type);
  return type === 'int8' ? r : Number(r);
}

/** Fast path for int4/int2 when the result fits in a double exactly. */
export function smallIntOp(type: 'int2' | 'int4', op: string, a: number, b: number): number {
  let r: number;
  switch (op) {
    case '+':
      r = a + b;
      break;
    case '-':
      r = a - b;
      break;
    case '*':
      r = a * b;
      if (!Number.isSafeInteger(r)) return intOp(type, op, a, b) as number;
      break;
    case '/':
      if (b === 0) throw divisionByZero();
      r = Math.trunc(a / b);
      break;
    case '%':
      if (b === 0) throw divisionByZero();
      r = a % b;
      if (r === 0) r = 0; // no negative zero
      break;
    default:
      throw new Error(`unknown integer operator ${op}`);
  }
  checkInt(BigInt(r), type);
  return r;
}

/** float4/float8 arithmetic with PostgreSQL's overflow/underflow checks. */
export function floatOp(single: boolean, op: string, a: number, b: number): number {
  let r: number;
  switch (op) {
    case '+':
      r = a + b;
      break;
    case '-':
      r = a - b;
      break;
    case '*':
      r = a * b;
      break;
    case '/':
      if (b === 0) throw divisionByZero();
      r = a / b;
      break;
    default:
      throw new Error(`unknown float operator ${op}`);
  }
  if (single) r = Math.fround(r);
  if (!Number.isFinite(r) && Number.isFinite(a) && Number.isFinite(b) && !Number.isNaN(r)) {
    throw new SqlError(SqlState.NumericValueOutOfRange, 'value out of range: overflow');
  }
  if (r === 0 && op !== '+' && op !== '-' && a !== 0 && Number.isFinite(b)) {
    throw new SqlError(SqlState.NumericValueOutOfRange, 'value out of range: underflow');
  }
  return r;
}
