/**
 * pgvector's `sparsevec` (sparsevec.c): `{index:value,…}/dim` with 1-based indices in the
 * text form and 0-based in memory and on the wire. Only non-zero values are stored,
 * indices ascending and unique. Binary: int32 dim, int32 nnz, int32 unused (0), nnz int32
 * indices, nnz float4 values, all big-endian. Grammar: grammar/sparsevec.peggy.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { TypeInfo } from './registry-types.ts';
import type { Value } from './type.ts';
import {
  checkDim,
  checkElement,
  checkExpectedDim,
  formatVectorType,
  insufficientData,
  invalidSyntax,
  outOfRange,
  SPARSEVEC_MAX_NNZ,
  vectorTypmodIn,
} from './vector-checks.ts';
import { formatFloat4 } from './vector-float-out.ts';
import { SPARSEVEC_ARRAY_OID, SPARSEVEC_OID } from './vector-oids.ts';
import { isCSpace, scanFloat } from './vector-strtof.ts';

export class SparseVector {
  /** `indices` are 0-based, ascending, unique; `values` are the matching non-zero float4s. */
  constructor(
    readonly dim: number,
    readonly indices: Int32Array,
    readonly values: Float32Array,
  ) {}

  get nnz(): number {
    return this.indices.length;
  }

  /** The dense form (sparsevec_to_vector without its dimension checks). */
  toDense(): Float32Array {
    const out = new Float32Array(this.dim);
    for (let i = 0; i < this.indices.length; i++) out[this.indices[i]!] = this.values[i]!;
    return out;
  }
}

const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

/** CheckNnz. */
export function checkNnz(nnz: number, dim: number): void {
  if (nnz < 0)
    throw new SqlError(SqlState.DataException, 'sparsevec cannot have negative number of elements');
  if (nnz > SPARSEVEC_MAX_NNZ) {
    throw new SqlError(
      SqlState.ProgramLimitExceeded,
      `sparsevec cannot have more than ${SPARSEVEC_MAX_NNZ} non-zero elements`,
    );
  }
  if (nnz > dim) {
    throw new SqlError(SqlState.ProgramLimitExceeded, 'sparsevec cannot have more elements than dimensions');
  }
}

/** CheckIndex: in bounds, then strictly after the previous index. */
function checkIndex(indices: ArrayLike<number>, i: number, dim: number): void {
  const index = indices[i]!;
  if (index < 0 || index >= dim) throw new SqlError(SqlState.DataException, 'sparsevec index out of bounds');
  if (i > 0) {
    if (index < indices[i - 1]!) {
      throw new SqlError(SqlState.DataException, 'sparsevec indices must be in ascending order');
    }
    if (index === indices[i - 1]!) {
      throw new SqlError(SqlState.DataException, 'sparsevec indices must not contain duplicates');
    }
  }
}

/** strtol(…, 10) on the C long range; returns the end index (start when no digits). */
function scanLong(s: string, start: number): { value: number; end: number } {
  let i = start;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  let sign = '';
  if (s[i] === '+' || s[i] === '-') sign = s[i++]!;
  const digitsStart = i;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (i === digitsStart) return { value: 0, end: start };
  // The caller clamps to int32 anyway, so a double is precise enough for the comparison.
  return { value: Number(sign + s.slice(digitsStart, i)), end: i };
}

export function parseSparsevec(lit: string, typmod = -1): SparseVector {
  const type = 'sparsevec';
  let commas = 0;
  for (let i = 0; i < lit.length; i++) if (lit.charCodeAt(i) === 44) commas++;
  // sparsevec_in sizes its buffer from the comma count before parsing anything.
  if (commas + 1 > SPARSEVEC_MAX_NNZ) {
    throw new SqlError(
      SqlState.ProgramLimitExceeded,
      `sparsevec cannot have more than ${SPARSEVEC_MAX_NNZ} non-zero elements`,
    );
  }
  const n = lit.length;
  const skip = (p: number): number => {
    while (p < n && isCSpace(lit.charCodeAt(p))) p++;
    return p;
  };
  let pt = skip(0);
  if (lit[pt] !== '{') throw invalidSyntax(type, lit, 'Vector contents must start with "{".');
  pt = skip(pt + 1);
  const elements: { index: number; value: number }[] = [];
  if (lit[pt] === '}') pt++;
  else {
    for (;;) {
      pt = skip(pt);
      if (pt >= n) throw invalidSyntax(type, lit);
      const idx = scanLong(lit, pt);
      if (idx.end === pt) throw invalidSyntax(type, lit);
      const index = Math.min(Math.max(idx.value, INT_MIN + 1), INT_MAX);
      pt = skip(idx.end);
      if (lit[pt] !== ':') throw invalidSyntax(type, lit);
      pt = skip(pt + 1);
      const val = scanFloat(lit, pt);
      if (val.end === pt) throw invalidSyntax(type, lit);
      // Unlike vector_in, an underflow to zero is also out of range here.
      if (val.erange && (val.value === 0 || !Number.isFinite(val.value))) {
        throw outOfRange(type, lit.slice(pt, val.end));
      }
      checkElement(type, val.value);
      // Zeros are dropped before any index check, so {5:0}/1 is valid.
      if (val.value !== 0) elements.push({ index: index - 1, value: val.value });
      pt = skip(val.end);
      if (lit[pt] === ',') pt++;
      else if (lit[pt] === '}') {
        pt++;
        break;
      } else throw invalidSyntax(type, lit);
    }
  }
  pt = skip(pt);
  if (lit[pt] !== '/') throw invalidSyntax(type, lit, 'Unexpected end of input.');
  pt = skip(pt + 1);
  const d = scanLong(lit, pt);
  if (d.end === pt) throw invalidSyntax(type, lit);
  const dim = Math.min(Math.max(d.value, INT_MIN), INT_MAX);
  pt = skip(d.end);
  if (pt < n) throw invalidSyntax(type, lit, 'Junk after closing.');
  checkDim(type, dim);
  checkExpectedDim(typmod, dim);
  elements.sort((a, b) => a.index - b.index);
  const indices = new Int32Array(elements.length);
  const values = new Float32Array(elements.length);
  for (let i = 0; i < elements.length; i++) {
    indices[i] = elements[i]!.index;
    values[i] = elements[i]!.value;
    checkIndex(indices, i, dim);
  }
  return new SparseVector(dim, indices, values);
}

export function formatSparsevec(v: SparseVector): string {
  let out = '{';
  for (let i = 0; i < v.indices.length; i++) {
    if (i > 0) out += ',';
    out += `${v.indices[i]! + 1}:${formatFloat4(v.values[i]!)}`;
  }
  return `${out}}/${v.dim}`;
}

export function sparsevecRecv(bytes: Uint8Array, typmod = -1): SparseVector {
  if (bytes.length < 12) throw insufficientData();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dim = view.getInt32(0);
  const nnz = view.getInt32(4);
  const unused = view.getInt32(8);
  checkDim('sparsevec', dim);
  checkNnz(nnz, dim);
  checkExpectedDim(typmod, dim);
  if (unused !== 0) throw new SqlError(SqlState.DataException, `expected unused to be 0, not ${unused}`);
  if (bytes.length < 12 + 8 * nnz) throw insufficientData();
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  for (let i = 0; i < nnz; i++) {
    indices[i] = view.getInt32(12 + 4 * i);
    checkIndex(indices, i, dim);
  }
  for (let i = 0; i < nnz; i++) {
    values[i] = view.getFloat32(12 + 4 * nnz + 4 * i);
    checkElement('sparsevec', values[i]!);
    if (values[i] === 0) {
      throw new SqlError(
        SqlState.DataException,
        'binary representation of sparsevec cannot contain zero values',
      );
    }
  }
  if (bytes.length !== 12 + 8 * nnz) {
    throw new SqlError(SqlState.InvalidBinaryRepresentation, 'incorrect binary data format');
  }
  return new SparseVector(dim, indices, values);
}

export function sparsevecSend(v: SparseVector): Uint8Array {
  const nnz = v.indices.length;
  const out = new Uint8Array(12 + 8 * nnz);
  const view = new DataView(out.buffer);
  view.setInt32(0, v.dim);
  view.setInt32(4, nnz);
  for (let i = 0; i < nnz; i++) view.setInt32(12 + 4 * i, v.indices[i]!);
  for (let i = 0; i < nnz; i++) view.setFloat32(12 + 4 * nnz + 4 * i, v.values[i]!);
  return out;
}

export function applySparsevecTypmod(v: SparseVector, typmod: number): SparseVector {
  checkExpectedDim(typmod, v.dim);
  return v;
}

export function isSparseVector(v: Value): v is SparseVector {
  return v instanceof SparseVector;
}

export const sparsevecTypeInfo: TypeInfo = {
  name: 'sparsevec',
  oid: SPARSEVEC_OID,
  arrayOid: SPARSEVEC_ARRAY_OID,
  length: -1,
  category: 'U',
  preferred: false,
  textIn: (text, typmod) => parseSparsevec(text, typmod),
  textOut: (value) => formatSparsevec(value as SparseVector),
  binaryIn: (bytes, typmod) => sparsevecRecv(bytes, typmod),
  binaryOut: (value) => sparsevecSend(value as SparseVector),
  applyTypmod: (value, typmod) => applySparsevecTypmod(value as SparseVector, typmod),
  formatType: (typmod) => formatVectorType('sparsevec', typmod),
  typmodIn: (mods) => vectorTypmodIn('sparsevec', mods),
};
