/**
 * array_fill(value, dims[] [, lbounds[]]): an array of the given dimensions filled with one
 * value (used by pgvector's tests to build large vectors).
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { ArrayValue } from './array.ts';
import { registerFunction } from './registry.ts';
import { arrayOf, type SqlType, type Value } from './type.ts';

function fill(args: Value[]): Value {
  const [value, dimsArg, lboundsArg] = args as [Value, ArrayValue | null, ArrayValue | undefined];
  if (dimsArg === null) {
    throw new SqlError(SqlState.NullValueNotAllowed, 'dimension array or low bound array cannot be null');
  }
  const dims = dimsArg.elements.map(Number);
  const lbounds = lboundsArg ? lboundsArg.elements.map(Number) : dims.map(() => 1);
  const total = dims.reduce((a, b) => a * b, 1);
  if (dims.length === 0 || total === 0) return ArrayValue.EMPTY;
  return new ArrayValue(new Array(total).fill(value), dims, lbounds);
}

const result = (args: readonly SqlType[]) => arrayOf(args[0]);

registerFunction({
  name: 'array_fill',
  args: ['anyelement', { base: 'int4', typmod: -1, isArray: true }],
  result,
  strict: false,
  fn: fill,
});
