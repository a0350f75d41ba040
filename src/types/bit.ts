/**
 * PostgreSQL's bit(n) and bit varying(n) (src/backend/utils/adt/varbit.c), the types
 * pgvector's binary_quantize returns and its hamming/jaccard operators take.
 *
 * A BitString packs bits most significant first, like VARBITS: bit i is
 * `bytes[i >> 3] & (0x80 >> (i & 7))`, and the unused low bits of the last byte are
 * always zero (VARBIT_PAD), so byte-wise popcounts and comparisons need no masking.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { SqlStateCode } from '../errors/sqlstate.ts';
import type { TypeInfo } from './registry-types.ts';
import type { Value } from './type.ts';
import { insufficientData } from './vector-checks.ts';
import { BIT_ARRAY_OID, BIT_OID, VARBIT_ARRAY_OID, VARBIT_OID } from './vector-oids.ts';

/** string_data_length_mismatch; not in sqlstate.ts yet (its owner should add StringDataLengthMismatch). */
const STRING_DATA_LENGTH_MISMATCH = '22026' as SqlStateCode;

/** VARBITMAXLEN: the longest bit string a varlena can hold. */
export const VARBIT_MAX_LEN = 0x7fffffff - 8 - 4 * 8 + 1;
/** anybit_typmodin's limit, MaxAttrSize * BITS_PER_BYTE. */
const BIT_MAX_TYPMOD = 10 * 1024 * 1024 * 8;

export class BitString {
  /** `length` bits packed into `bytes` (ceil(length / 8) bytes, pad bits zero). */
  constructor(
    readonly length: number,
    readonly bytes: Uint8Array,
  ) {}

  static zeros(length: number): BitString {
    return new BitString(length, new Uint8Array((length + 7) >> 3));
  }

  /** From a string of '0'/'1' characters (no validation; tests and literals). */
  static fromBinary(text: string): BitString {
    const out = BitString.zeros(text.length);
    for (let i = 0; i < text.length; i++) if (text[i] === '1') out.bytes[i >> 3]! |= 0x80 >> (i & 7);
    return out;
  }

  get(i: number): boolean {
    return (this.bytes[i >> 3]! & (0x80 >> (i & 7))) !== 0;
  }

  toString(): string {
    let s = '';
    for (let i = 0; i < this.length; i++) s += this.get(i) ? '1' : '0';
    return s;
  }
}

export type BitTypeName = 'bit' | 'varbit';

function lengthMismatch(bitlen: number, typmod: number): SqlError {
  return new SqlError(
    STRING_DATA_LENGTH_MISMATCH,
    `bit string length ${bitlen} does not match type bit(${typmod})`,
  );
}

function tooLong(typmod: number): SqlError {
  return new SqlError(
    SqlState.StringDataRightTruncation,
    `bit string too long for type bit varying(${typmod})`,
  );
}

/** Checks a bit length against a typmod the way bit_in/varbit_in and the recv functions do. */
function checkLength(type: BitTypeName, bitlen: number, typmod: number): void {
  if (typmod <= 0) return;
  if (type === 'bit' && bitlen !== typmod) throw lengthMismatch(bitlen, typmod);
  if (type === 'varbit' && bitlen > typmod) throw tooLong(typmod);
}

/**
 * bit_in / varbit_in. A leading b/B means binary and x/X hexadecimal (that is how the
 * parser hands over B'101' and X'1F' constants); otherwise binary. The length is checked
 * against the typmod before the digits, and counts bytes of the text, as in C.
 */
export function parseBitString(text: string, type: BitTypeName, typmod = -1): BitString {
  const first = text.charCodeAt(0);
  const hex = first === 120 || first === 88;
  const body = first === 98 || first === 66 || hex ? text.slice(1) : text;
  const slen = Buffer.byteLength(body, 'utf8');
  if (hex && slen > VARBIT_MAX_LEN / 4) {
    throw new SqlError(
      SqlState.ProgramLimitExceeded,
      `bit string length exceeds the maximum allowed (${VARBIT_MAX_LEN})`,
    );
  }
  const bitlen = hex ? slen * 4 : slen;
  checkLength(type, bitlen, typmod);
  const out = BitString.zeros(bitlen);
  let bit = 0;
  for (const ch of body) {
    if (hex) {
      const c = ch.charCodeAt(0);
      let x: number;
      if (c >= 48 && c <= 57) x = c - 48;
      else if (c >= 65 && c <= 70) x = c - 55;
      else if (c >= 97 && c <= 102) x = c - 87;
      else throw new SqlError(SqlState.InvalidTextRepresentation, `"${ch}" is not a valid hexadecimal digit`);
      out.bytes[bit >> 3]! |= (bit & 7) === 0 ? x << 4 : x;
      bit += 4;
    } else {
      if (ch === '1') out.bytes[bit >> 3]! |= 0x80 >> (bit & 7);
      else if (ch !== '0')
        throw new SqlError(SqlState.InvalidTextRepresentation, `"${ch}" is not a valid binary digit`);
      bit++;
    }
  }
  return out;
}

/** bit_recv / varbit_recv: int32 bit length, then the packed bytes. */
export function bitRecv(bytes: Uint8Array, type: BitTypeName, typmod = -1): BitString {
  if (bytes.length < 4) throw insufficientData();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bitlen = view.getInt32(0);
  if (bitlen < 0 || bitlen > VARBIT_MAX_LEN) {
    throw new SqlError(SqlState.InvalidBinaryRepresentation, 'invalid length in external bit string');
  }
  checkLength(type, bitlen, typmod);
  const nbytes = (bitlen + 7) >> 3;
  if (bytes.length < 4 + nbytes) throw insufficientData();
  const data = bytes.slice(4, 4 + nbytes);
  // VARBIT_PAD: clear whatever the client left in the pad bits.
  if (bitlen & 7) data[nbytes - 1]! &= (0xff << (8 - (bitlen & 7))) & 0xff;
  return new BitString(bitlen, data);
}

export function bitSend(v: BitString): Uint8Array {
  const out = new Uint8Array(4 + v.bytes.length);
  new DataView(out.buffer).setInt32(0, v.length);
  out.set(v.bytes, 4);
  return out;
}

/**
 * bit(bit, int4, bool) and varbit(varbit, int4, bool): implicit coercion errors on a
 * length change; an explicit cast truncates, and for bit(n) also zero-pads.
 */
export function applyBitTypmod(
  v: BitString,
  type: BitTypeName,
  typmod: number,
  explicit: boolean,
): BitString {
  if (typmod <= 0 || typmod > VARBIT_MAX_LEN) return v;
  if (type === 'bit') {
    if (typmod === v.length) return v;
    if (!explicit) throw lengthMismatch(v.length, typmod);
  } else {
    if (typmod >= v.length) return v;
    if (!explicit) throw tooLong(typmod);
  }
  const out = BitString.zeros(typmod);
  out.bytes.set(v.bytes.subarray(0, Math.min(out.bytes.length, v.bytes.length)));
  if (typmod & 7) out.bytes[out.bytes.length - 1]! &= (0xff << (8 - (typmod & 7))) & 0xff;
  return out;
}

/** anybit_typmodin. */
export function bitTypmodIn(type: BitTypeName, mods: readonly number[]): number {
  if (mods.length !== 1) throw new SqlError(SqlState.InvalidParameterValue, 'invalid type modifier');
  const n = mods[0]!;
  const name = type === 'bit' ? 'bit' : 'bit varying';
  if (n < 1) throw new SqlError(SqlState.InvalidParameterValue, `length for type ${name} must be at least 1`);
  if (n > BIT_MAX_TYPMOD) {
    throw new SqlError(
      SqlState.InvalidParameterValue,
      `length for type ${name} cannot exceed ${BIT_MAX_TYPMOD}`,
    );
  }
  return n;
}

export function isBitString(v: Value): v is BitString {
  return v instanceof BitString;
}

function bitTypeInfo(type: BitTypeName): TypeInfo {
  const sqlName = type === 'bit' ? 'bit' : 'bit varying';
  return {
    name: type,
    oid: type === 'bit' ? BIT_OID : VARBIT_OID,
    arrayOid: type === 'bit' ? BIT_ARRAY_OID : VARBIT_ARRAY_OID,
    length: -1,
    category: 'V',
    preferred: type === 'varbit',
    textIn: (text, typmod) => parseBitString(text, type, typmod),
    textOut: (value) => (value as BitString).toString(),
    binaryIn: (bytes, typmod) => bitRecv(bytes, type, typmod),
    binaryOut: (value) => bitSend(value as BitString),
    applyTypmod: (value, typmod, explicit) => applyBitTypmod(value as BitString, type, typmod, explicit),
    formatType: (typmod) => (typmod > 0 ? `${sqlName}(${typmod})` : sqlName),
    typmodIn: (mods) => bitTypmodIn(type, mods),
  };
}

export const bitTypeInfoBit: TypeInfo = bitTypeInfo('bit');
export const bitTypeInfoVarbit: TypeInfo = bitTypeInfo('varbit');
