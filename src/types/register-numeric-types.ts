/**
 * pg_type entries and text/binary I/O for boolean, the integer and float types, numeric,
 * and the OID-like types (oid, reg*, xid). Text forms and messages follow boolin/int4in/
 * float8in/numeric_in; binary forms follow the *send/*recv functions.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import {
  ByteReader,
  ByteWriter,
  float32Bytes,
  float64Bytes,
  int16Bytes,
  int32Bytes,
  int64Bytes,
  uint32Bytes,
} from './binary.ts';
import { formatFloat4, formatFloat8, parseFloatText } from './float-format.ts';
import { Numeric } from './numeric.ts';
import { applyNumericTypmod, decodeNumericTypmod, numericTypmod } from './numeric-typmod.ts';
import { registerType } from './registry.ts';
import type { ObjectNames, TypeInfo } from './registry-types.ts';
import type { BaseTypeName, Value } from './type.ts';

const BOOL_WORDS: [string, boolean, number][] = [
  // word, value, shortest accepted prefix (boolin accepts unique prefixes)
  ['true', true, 1],
  ['false', false, 1],
  ['yes', true, 1],
  ['no', false, 1],
  ['on', true, 2],
  ['off', false, 2],
];

export function parseBool(text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === '1') return true;
  if (t === '0') return false;
  for (const [word, v, min] of BOOL_WORDS) if (t.length >= min && word.startsWith(t)) return v;
  throw new SqlError(SqlState.InvalidTextRepresentation, `invalid input syntax for type boolean: "${text}"`);
}

export const INT_LIMITS = {
  int2: { name: 'smallint', min: -32768n, max: 32767n },
  int4: { name: 'integer', min: -2147483648n, max: 2147483647n },
  int8: { name: 'bigint', min: -9223372036854775808n, max: 9223372036854775807n },
} as const;

/** pg_strtoint16/32/64: optional white space and sign around decimal digits. */
export function parseIntText(text: string, type: 'int2' | 'int4' | 'int8'): bigint {
  const lim = INT_LIMITS[type];
  if (!/^\s*[+-]?\d+\s*$/.test(text)) {
    throw new SqlError(
      SqlState.InvalidTextRepresentation,
      `invalid input syntax for type ${lim.name}: "${text}"`,
    );
  }
  const v = BigInt(text.trim());
  if (v < lim.min || v > lim.max) {
    throw new SqlError(
      SqlState.NumericValueOutOfRange,
      `value "${text}" is out of range for type ${lim.name}`,
    );
  }
  return v;
}

function simple(
  name: BaseTypeName,
  oid: number,
  arrayOid: number,
  length: number,
  category: string,
  preferred: boolean,
  display: string,
  io: Pick<TypeInfo, 'textIn' | 'textOut' | 'binaryIn' | 'binaryOut'>,
): TypeInfo {
  return { name, oid, arrayOid, length, category, preferred, formatType: () => display, ...io };
}

function fixedRecv<T>(read: (r: ByteReader) => T): (b: Uint8Array) => T {
  return (b) => {
    const r = new ByteReader(b);
    const v = read(r);
    r.end();
    return v;
  };
}

registerType(
  simple('bool', 16, 1000, 1, 'B', true, 'boolean', {
    textIn: (t) => parseBool(t),
    textOut: (v) => (v ? 't' : 'f'),
    binaryIn: fixedRecv((r) => r.int8() !== 0),
    binaryOut: (v) => new Uint8Array([v ? 1 : 0]),
  }),
);

registerType(
  simple('int2', 21, 1005, 2, 'N', false, 'smallint', {
    textIn: (t) => Number(parseIntText(t, 'int2')),
    textOut: (v) => String(v),
    binaryIn: fixedRecv((r) => r.int16()),
    binaryOut: (v) => int16Bytes(v as number),
  }),
);

registerType(
  simple('int4', 23, 1007, 4, 'N', false, 'integer', {
    textIn: (t) => Number(parseIntText(t, 'int4')),
    textOut: (v) => String(v),
    binaryIn: fixedRecv((r) => r.int32()),
    binaryOut: (v) => int32Bytes(v as number),
  }),
);

registerType(
  simple('int8', 20, 1016, 8, 'N', false, 'bigint', {
    textIn: (t) => parseIntText(t, 'int8'),
    textOut: (v) => String(v),
    binaryIn: fixedRecv((r) => r.int64()),
    binaryOut: (v) => int64Bytes(v as bigint),
  }),
);

registerType(
  simple('float4', 700, 1021, 4, 'N', false, 'real', {
    textIn: (t) => parseFloatText(t, 'real'),
    textOut: (v, ctx) => formatFloat4(v as number, ctx.extraFloatDigits),
    binaryIn: fixedRecv((r) => r.float32()),
    binaryOut: (v) => float32Bytes(v as number),
  }),
);

registerType(
  simple('float8', 701, 1022, 8, 'N', true, 'double precision', {
    textIn: (t) => parseFloatText(t, 'double precision'),
    textOut: (v, ctx) => formatFloat8(v as number, ctx.extraFloatDigits),
    binaryIn: fixedRecv((r) => r.float64()),
    binaryOut: (v) => float64Bytes(v as number),
  }),
);

/** numeric_send sign words. */
const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;

export function numericToBinary(n: Numeric): Uint8Array {
  const w = new ByteWriter();
  if (n.kind !== 'finite') {
    const sign = n.kind === 'nan' ? NUMERIC_NAN : n.kind === 'pinf' ? NUMERIC_PINF : NUMERIC_NINF;
    return w.int16(0).int16(0).uint16(sign).int16(0).finish();
  }
  const { weight, digits } = n.base10000();
  w.int16(digits.length)
    .int16(weight)
    .uint16(n.digits < 0n ? NUMERIC_NEG : NUMERIC_POS)
    .int16(n.scale);
  for (const d of digits) w.int16(d);
  return w.finish();
}

export function numericFromBinary(b: Uint8Array, typmod: number): Numeric {
  const r = new ByteReader(b);
  const ndigits = r.int16();
  const weight = r.int16();
  const sign = r.uint16();
  const dscale = r.int16();
  const digits: number[] = [];
  for (let k = 0; k < ndigits; k++) {
    const d = r.int16();
    if (d < 0 || d >= 10000)
      throw new SqlError(SqlState.InvalidBinaryRepresentation, 'invalid digit in external "numeric" value');
    digits.push(d);
  }
  r.end();
  if (sign === NUMERIC_NAN) return Numeric.NaN;
  if (sign === NUMERIC_PINF) return Numeric.Infinity;
  if (sign === NUMERIC_NINF) return Numeric.NegInfinity;
  if (sign !== NUMERIC_POS && sign !== NUMERIC_NEG) {
    throw new SqlError(SqlState.InvalidBinaryRepresentation, 'invalid sign in external "numeric" value');
  }
  return applyNumericTypmod(Numeric.fromBase10000(sign === NUMERIC_NEG, weight, digits, dscale), typmod);
}

registerType({
  name: 'numeric',
  oid: 1700,
  arrayOid: 1231,
  length: -1,
  category: 'N',
  preferred: false,
  textIn: (t, typmod) => applyNumericTypmod(Numeric.parse(t), typmod),
  textOut: (v) => (v as Numeric).toString(),
  binaryIn: (b, typmod) => numericFromBinary(b, typmod),
  binaryOut: (v) => numericToBinary(v as Numeric),
  applyTypmod: (v, typmod) => applyNumericTypmod(v as Numeric, typmod),
  formatType: (typmod) => {
    if (typmod < 4) return 'numeric';
    const { precision, scale } = decodeNumericTypmod(typmod);
    return `numeric(${precision},${scale})`;
  },
  typmodIn: (mods) => {
    const [p, s = 0] = mods;
    if (mods.length > 2) throw new SqlError(SqlState.InvalidParameterValue, 'invalid NUMERIC type modifier');
    if (p < 1 || p > 1000) {
      throw new SqlError(SqlState.InvalidParameterValue, `NUMERIC precision ${p} must be between 1 and 1000`);
    }
    if (s < -1000 || s > 1000) {
      throw new SqlError(SqlState.InvalidParameterValue, `NUMERIC scale ${s} must be between -1000 and 1000`);
    }
    return numericTypmod(p, s);
  },
});

/** oidin: unsigned 32-bit, negative input wraps (PostgreSQL accepts '-1' as 4294967295). */
export function parseOid(text: string, typeName = 'oid'): number {
  if (!/^\s*[+-]?\d+\s*$/.test(text)) {
    throw new SqlError(
      SqlState.InvalidTextRepresentation,
      `invalid input syntax for type ${typeName}: "${text}"`,
    );
  }
  const v = Number(text.trim());
  if (v < -2147483648 || v > 4294967295) {
    throw new SqlError(
      SqlState.NumericValueOutOfRange,
      `value "${text}" is out of range for type ${typeName}`,
    );
  }
  return v >>> 0;
}

const oidIo = (typeName: string): Pick<TypeInfo, 'textIn' | 'textOut' | 'binaryIn' | 'binaryOut'> => ({
  textIn: (t: string): Value => parseOid(t, typeName),
  textOut: (v: Value) => String(v),
  binaryIn: fixedRecv((r) => r.uint32()),
  binaryOut: (v: Value) => uint32Bytes(v as number),
});

/**
 * regclass/regnamespace/regrole by name go through the session's catalog lookups
 * (EvalContext.objectNames); the numeric form is what PostgreSQL also accepts, and what it
 * prints for OIDs without an object.
 */
const namedOidIo = (
  typeName: string,
  byName: (names: ObjectNames, text: string) => number,
  byOid: (names: ObjectNames, oid: number) => string | undefined,
): Pick<TypeInfo, 'textIn' | 'textOut' | 'binaryIn' | 'binaryOut'> => ({
  ...oidIo(typeName),
  textIn: (t: string, _typmod, ctx): Value => {
    if (/^\s*\d+\s*$/.test(t) || !ctx.objectNames) return parseOid(t, typeName);
    return byName(ctx.objectNames, t);
  },
  textOut: (v: Value, ctx) =>
    (ctx.objectNames ? byOid(ctx.objectNames, v as number) : undefined) ?? String(v),
});

registerType(simple('oid', 26, 1028, 4, 'N', true, 'oid', oidIo('oid')));
// regproc: '-' is InvalidOid both ways, as regprocin/regprocout treat it.
const regprocIo = namedOidIo(
  'regproc',
  (n, t) => (t.trim() === '-' ? 0 : n.procOid(t)),
  (n, o) => (o === 0 ? '-' : n.procName(o)),
);
registerType(simple('regproc', 24, 1008, 4, 'N', false, 'regproc', regprocIo));
registerType(
  simple(
    'regclass',
    2205,
    2210,
    4,
    'N',
    false,
    'regclass',
    namedOidIo(
      'regclass',
      (n, t) => n.relationOid(t),
      (n, o) => n.relationName(o),
    ),
  ),
);
registerType(simple('regtype', 2206, 2211, 4, 'N', false, 'regtype', oidIo('regtype')));
registerType(
  simple(
    'regnamespace',
    4089,
    4090,
    4,
    'N',
    false,
    'regnamespace',
    namedOidIo(
      'regnamespace',
      (n, t) => n.namespaceOid(t),
      (n, o) => n.namespaceName(o),
    ),
  ),
);
registerType(
  simple(
    'regrole',
    4096,
    4097,
    4,
    'N',
    false,
    'regrole',
    namedOidIo(
      'regrole',
      (n, t) => n.roleOid(t),
      (n, o) => n.roleName(o),
    ),
  ),
);
// regoperator: `name(left,right)`, as regoperatorin/regoperatorout spell an operator.
registerType(
  simple(
    'regoperator',
    2204,
    2208,
    4,
    'N',
    false,
    'regoperator',
    namedOidIo(
      'regoperator',
      (n, t) => n.operatorOid(t),
      (n, o) => n.operatorName(o),
    ),
  ),
);
registerType(simple('xid', 28, 1011, 4, 'U', false, 'xid', oidIo('xid')));
