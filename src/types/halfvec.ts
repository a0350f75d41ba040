/**
 * pgvector's `halfvec`: half-precision dense vectors (halfvec.c). Values are binary16 bit
 * patterns; text output prints each as the shortest float4 (halfvec_out uses
 * float_to_shortest_decimal on HalfToFloat4, so 1.23456 shows as 1.234375). Binary I/O:
 * int16 dim, int16 unused (0), then dim big-endian binary16 values.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { floatToHalf, halfIsInf, halfIsNan, halfToFloat } from './halfvec-float16.ts';
import type { TypeInfo } from './registry-types.ts';
import type { Value } from './type.ts';
import {
  checkDim,
  checkElement,
  checkExpectedDim,
  formatVectorType,
  insufficientData,
  outOfRange,
  vectorTypmodIn,
} from './vector-checks.ts';
import { HALFVEC_ARRAY_OID, HALFVEC_OID } from './vector-oids.ts';
import type { ScannedFloat } from './vector-strtof.ts';
import { formatDenseVector, parseDenseVector } from './vector-text.ts';

export class HalfVector {
  private floats?: Float32Array;

  /** `bits` holds one binary16 pattern per dimension. */
  constructor(readonly bits: Uint16Array) {}

  get length(): number {
    return this.bits.length;
  }

  /** The exact float32 values (cached; the distance kernels run on these). */
  toFloat32(): Float32Array {
    if (!this.floats) {
      const f = new Float32Array(this.bits.length);
      for (let i = 0; i < f.length; i++) f[i] = halfToFloat(this.bits[i]!);
      this.floats = f;
    }
    return this.floats;
  }

  /** Rounds float32 values to binary16 without range checks (Float4ToHalfUnchecked). */
  static fromFloats(values: ArrayLike<number>): HalfVector {
    const bits = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) bits[i] = floatToHalf(values[i]!);
    return new HalfVector(bits);
  }
}

/** CheckElement on a half: NaN and ±infinity are rejected with the halfvec wording. */
export function checkHalfElement(bits: number): void {
  if (halfIsNan(bits)) checkElement('halfvec', Number.NaN);
  if (halfIsInf(bits)) checkElement('halfvec', Infinity);
}

/**
 * halfvec_in's element step: round to half; a strtof overflow, or a finite float4 that
 * overflows binary16 (65520 and up), is 22003 with the element text; then NaN/inf.
 */
function halfElement(scanned: ScannedFloat, token: string): number {
  const h = floatToHalf(scanned.value);
  const valInf = scanned.value === Infinity || scanned.value === -Infinity;
  if ((scanned.erange && valInf) || (halfIsInf(h) && !valInf)) throw outOfRange('halfvec', token);
  checkHalfElement(h);
  return h;
}

export function parseHalfvec(text: string, typmod = -1): HalfVector {
  return new HalfVector(Uint16Array.from(parseDenseVector(text, 'halfvec', typmod, halfElement)));
}

export function formatHalfvec(v: HalfVector): string {
  return formatDenseVector(v.toFloat32());
}

export function halfvecRecv(bytes: Uint8Array, typmod = -1): HalfVector {
  if (bytes.length < 4) throw insufficientData();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dim = view.getUint16(0);
  const unused = view.getUint16(2);
  checkDim('halfvec', dim);
  checkExpectedDim(typmod, dim);
  if (unused !== 0) throw new SqlError(SqlState.DataException, `expected unused to be 0, not ${unused}`);
  if (bytes.length < 4 + 2 * dim) throw insufficientData();
  const bits = new Uint16Array(dim);
  for (let i = 0; i < dim; i++) {
    bits[i] = view.getUint16(4 + 2 * i);
    checkHalfElement(bits[i]!);
  }
  if (bytes.length !== 4 + 2 * dim) {
    throw new SqlError(SqlState.InvalidBinaryRepresentation, 'incorrect binary data format');
  }
  return new HalfVector(bits);
}

export function halfvecSend(v: HalfVector): Uint8Array {
  const out = new Uint8Array(4 + 2 * v.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, v.length);
  for (let i = 0; i < v.length; i++) view.setUint16(4 + 2 * i, v.bits[i]!);
  return out;
}

export function applyHalfvecTypmod(v: HalfVector, typmod: number): HalfVector {
  checkExpectedDim(typmod, v.length);
  return v;
}

export function isHalfVector(v: Value): v is HalfVector {
  return v instanceof HalfVector;
}

export const halfvecTypeInfo: TypeInfo = {
  name: 'halfvec',
  oid: HALFVEC_OID,
  arrayOid: HALFVEC_ARRAY_OID,
  length: -1,
  category: 'U',
  preferred: false,
  textIn: (text, typmod) => parseHalfvec(text, typmod),
  textOut: (value) => formatHalfvec(value as HalfVector),
  binaryIn: (bytes, typmod) => halfvecRecv(bytes, typmod),
  binaryOut: (value) => halfvecSend(value as HalfVector),
  applyTypmod: (value, typmod) => applyHalfvecTypmod(value as HalfVector, typmod),
  formatType: (typmod) => formatVectorType('halfvec', typmod),
  typmodIn: (mods) => vectorTypmodIn('halfvec', mods),
};
