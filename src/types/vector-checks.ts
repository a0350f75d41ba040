/**
 * The checks and error reports pgvector repeats in vector.c, halfvec.c and sparsevec.c,
 * parameterized by the type name so the wording comes out exactly as each file prints it.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';

export type VectorTypeName = 'vector' | 'halfvec' | 'sparsevec';

/** VECTOR_MAX_DIM and HALFVEC_MAX_DIM. */
export const VECTOR_MAX_DIM = 16000;
export const HALFVEC_MAX_DIM = 16000;
/** SPARSEVEC_MAX_DIM and SPARSEVEC_MAX_NNZ. */
export const SPARSEVEC_MAX_DIM = 1_000_000_000;
export const SPARSEVEC_MAX_NNZ = 16000;

export function maxDim(type: VectorTypeName): number {
  return type === 'sparsevec' ? SPARSEVEC_MAX_DIM : VECTOR_MAX_DIM;
}

/** CheckDim: 22000 below one dimension, 54000 above the maximum. */
export function checkDim(type: VectorTypeName, dim: number): void {
  if (dim < 1) throw atLeastOneDimension(type);
  const max = maxDim(type);
  if (dim > max) throw tooManyDimensions(type, max);
}

export function atLeastOneDimension(type: VectorTypeName): SqlError {
  return new SqlError(SqlState.DataException, `${type} must have at least 1 dimension`);
}

export function tooManyDimensions(type: VectorTypeName, max = maxDim(type)): SqlError {
  return new SqlError(SqlState.ProgramLimitExceeded, `${type} cannot have more than ${max} dimensions`);
}

/** CheckExpectedDim: the typmod (or aggregate state) fixes the dimension count. */
export function checkExpectedDim(typmod: number, dim: number): void {
  if (typmod !== -1 && typmod !== dim) {
    throw new SqlError(SqlState.DataException, `expected ${typmod} dimensions, not ${dim}`);
  }
}

/** CheckDims: binary operators need equal dimensions. */
export function checkSameDims(type: VectorTypeName, a: number, b: number): void {
  if (a !== b) throw new SqlError(SqlState.DataException, `different ${type} dimensions ${a} and ${b}`);
}

/** CheckElement: elements must be finite. */
export function checkElement(type: VectorTypeName, value: number): void {
  if (Number.isNaN(value)) throw new SqlError(SqlState.DataException, `NaN not allowed in ${type}`);
  if (!Number.isFinite(value)) {
    throw new SqlError(SqlState.DataException, `infinite value not allowed in ${type}`);
  }
}

/** PostgreSQL's float_overflow_error(). */
export function overflowError(): SqlError {
  return new SqlError(SqlState.NumericValueOutOfRange, 'value out of range: overflow');
}

/** PostgreSQL's float_underflow_error(). */
export function underflowError(): SqlError {
  return new SqlError(SqlState.NumericValueOutOfRange, 'value out of range: underflow');
}

export function invalidSyntax(type: string, lit: string, detail?: string): SqlError {
  return new SqlError(SqlState.InvalidTextRepresentation, `invalid input syntax for type ${type}: "${lit}"`, {
    detail,
  });
}

export function outOfRange(type: string, token: string): SqlError {
  return new SqlError(SqlState.NumericValueOutOfRange, `"${token}" is out of range for type ${type}`);
}

/** vector_typmod_in and friends: exactly one modifier within [1, max]. */
export function vectorTypmodIn(type: VectorTypeName, mods: readonly number[]): number {
  if (mods.length !== 1) throw new SqlError(SqlState.InvalidParameterValue, 'invalid type modifier');
  const n = mods[0]!;
  if (n < 1) {
    throw new SqlError(SqlState.InvalidParameterValue, `dimensions for type ${type} must be at least 1`);
  }
  const max = maxDim(type);
  if (n > max) {
    throw new SqlError(SqlState.InvalidParameterValue, `dimensions for type ${type} cannot exceed ${max}`);
  }
  return n;
}

/** format_type() for a dimension typmod: `vector` or `vector(3)`. */
export function formatVectorType(type: VectorTypeName, typmod: number): string {
  return typmod >= 0 ? `${type}(${typmod})` : type;
}

/** pq_getmsg* ran past the end of the value. */
export function insufficientData(): SqlError {
  return new SqlError(SqlState.ProtocolViolation, 'insufficient data left in message');
}

/** The aggregate state helpers' elog(ERROR, "%s: expected state array"), XX000 like any elog. */
export function expectedStateArray(caller: string): SqlError {
  return new SqlError(SqlState.InternalError, `${caller}: expected state array`);
}
