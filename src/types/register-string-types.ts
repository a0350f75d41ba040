/**
 * pg_type entries and I/O for the character types (text, varchar, bpchar, name, "char"),
 * bytea, unknown and the text-like catalog types. varchar(n)/char(n) enforce their length
 * as PostgreSQL does: too long is 22001 unless the excess is only spaces, and an explicit
 * cast silently truncates.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { utf8Decode, utf8Encode } from './binary.ts';
import { registerType } from './registry.ts';
import type { TypeInfo } from './registry-types.ts';
import type { BaseTypeName, Value } from './type.ts';

/** Text binary I/O is UTF-8; NUL is not allowed in PostgreSQL text values. */
function textRecv(b: Uint8Array): string {
  if (b.includes(0)) {
    throw new SqlError(SqlState.CharacterNotInRepertoire, 'invalid byte sequence for encoding "UTF8": 0x00');
  }
  return utf8Decode(b);
}

const charLength = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

const charSlice = (s: string, n: number): string => [...s].slice(0, n).join('');

/** Length check shared by varchar and bpchar (varchar_input / bpchar_input). */
function limitLength(s: string, max: number, display: string, explicit: boolean): string {
  if (charLength(s) <= max) return s;
  const head = charSlice(s, max);
  if (!explicit && /[^ ]/.test(s.slice(head.length))) {
    throw new SqlError(SqlState.StringDataRightTruncation, `value too long for type ${display}(${max})`);
  }
  return head;
}

export function applyVarcharTypmod(v: string, typmod: number, explicit: boolean): string {
  return typmod < 5 ? v : limitLength(v, typmod - 4, 'character varying', explicit);
}

export function applyBpcharTypmod(v: string, typmod: number, explicit: boolean): string {
  if (typmod < 5) return v;
  const n = typmod - 4;
  const s = limitLength(v, n, 'character', explicit);
  const len = charLength(s);
  return len < n ? s + ' '.repeat(n - len) : s;
}

function lengthTypmod(typeName: string) {
  return (mods: readonly number[]): number => {
    if (mods.length !== 1) throw new SqlError(SqlState.SyntaxError, `invalid type modifier`);
    const n = mods[0];
    if (n < 1)
      throw new SqlError(SqlState.InvalidParameterValue, `length for type ${typeName} must be at least 1`);
    if (n > 10485760) {
      throw new SqlError(
        SqlState.InvalidParameterValue,
        `length for type ${typeName} cannot exceed 10485760`,
      );
    }
    return n + 4;
  };
}

function stringType(
  name: BaseTypeName,
  oid: number,
  arrayOid: number,
  category: string,
  preferred: boolean,
  extra: Partial<TypeInfo> & Pick<TypeInfo, 'formatType'>,
): TypeInfo {
  return {
    name,
    oid,
    arrayOid,
    length: -1,
    category,
    preferred,
    textIn: (t) => t,
    textOut: (v) => v as string,
    binaryIn: textRecv,
    binaryOut: (v) => utf8Encode(v as string),
    ...extra,
  };
}

registerType(stringType('text', 25, 1009, 'S', true, { formatType: () => 'text' }));

registerType(
  stringType('varchar', 1043, 1015, 'S', false, {
    textIn: (t, typmod) => applyVarcharTypmod(t, typmod, false),
    binaryIn: (b, typmod) => applyVarcharTypmod(textRecv(b), typmod, false),
    applyTypmod: (v, typmod, explicit) => applyVarcharTypmod(v as string, typmod, explicit),
    formatType: (typmod) => (typmod < 5 ? 'character varying' : `character varying(${typmod - 4})`),
    typmodIn: lengthTypmod('varchar'),
  }),
);

registerType(
  stringType('bpchar', 1042, 1014, 'S', false, {
    textIn: (t, typmod) => applyBpcharTypmod(t, typmod, false),
    binaryIn: (b, typmod) => applyBpcharTypmod(textRecv(b), typmod, false),
    applyTypmod: (v, typmod, explicit) => applyBpcharTypmod(v as string, typmod, explicit),
    formatType: (typmod) => (typmod < 5 ? 'bpchar' : `character(${typmod - 4})`),
    typmodIn: lengthTypmod('char'),
  }),
);

/** name is truncated to NAMEDATALEN-1 = 63 bytes, on a character boundary. */
export function truncateName(s: string): string {
  if (utf8Encode(s).length <= 63) return s;
  let out = '';
  for (const ch of s) {
    if (utf8Encode(out + ch).length > 63) break;
    out += ch;
  }
  return out;
}

registerType({
  ...stringType('name', 19, 1003, 'S', false, { formatType: () => 'name' }),
  length: 64,
  textIn: (t) => truncateName(t),
  binaryIn: (b) => truncateName(textRecv(b)),
});

/** "char": a single byte; input keeps the first character, '' is the zero byte (shown as ''). */
registerType({
  ...stringType('char', 18, 1002, 'Z', false, { formatType: () => '"char"' }),
  length: 1,
  textIn: (t) => [...t].slice(0, 1).join(''),
  binaryIn: (b) => (b.length ? String.fromCharCode(b[0]) : ''),
  binaryOut: (v) =>
    (v as string).length ? new Uint8Array([(v as string).charCodeAt(0) & 0xff]) : new Uint8Array(),
});

registerType({ ...stringType('unknown', 705, 0, 'X', false, { formatType: () => 'unknown' }), length: -2 });
registerType(stringType('pg_node_tree', 194, 0, 'Z', false, { formatType: () => 'pg_node_tree' }));
registerType({
  ...stringType('aclitem', 1033, 1034, 'U', false, { formatType: () => 'aclitem' }),
  length: 12,
});

const HEX = '0123456789abcdef';

/** byteaout with bytea_output = 'hex'. */
export function byteaToText(b: Uint8Array): string {
  let s = '\\x';
  for (const x of b) s += HEX[x >> 4] + HEX[x & 15];
  return s;
}

/** byteain: '\x' hex (white space allowed between digit pairs) or the escape form. */
export function byteaFromText(t: string): Uint8Array {
  if (t.startsWith('\\x') || t.startsWith('\\X')) {
    const out: number[] = [];
    let i = 2;
    const hexVal = (c: string) => {
      const v = Number.parseInt(c, 16);
      if (Number.isNaN(v))
        throw new SqlError(SqlState.InvalidParameterValue, `invalid hexadecimal digit: "${c}"`);
      return v;
    };
    while (i < t.length) {
      const c = t[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        i++;
        continue;
      }
      const hi = hexVal(c);
      if (i + 1 >= t.length) {
        throw new SqlError(SqlState.InvalidParameterValue, 'invalid hexadecimal data: odd number of digits');
      }
      out.push((hi << 4) | hexVal(t[i + 1]));
      i += 2;
    }
    return new Uint8Array(out);
  }
  const out: number[] = [];
  const bytes = utf8Encode(t);
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c !== 0x5c) {
      out.push(c);
      continue;
    }
    const oct = String.fromCharCode(bytes[i + 1] ?? 0, bytes[i + 2] ?? 0, bytes[i + 3] ?? 0);
    if (bytes[i + 1] === 0x5c) {
      out.push(0x5c);
      i++;
    } else if (/^[0-3][0-7][0-7]$/.test(oct)) {
      out.push(Number.parseInt(oct, 8));
      i += 3;
    } else {
      throw new SqlError(SqlState.InvalidTextRepresentation, 'invalid input syntax for type bytea');
    }
  }
  return new Uint8Array(out);
}

registerType({
  name: 'bytea',
  oid: 17,
  arrayOid: 1001,
  length: -1,
  category: 'U',
  preferred: false,
  textIn: (t) => byteaFromText(t),
  textOut: (v) => byteaToText(v as Uint8Array),
  binaryIn: (b) => b.slice(),
  binaryOut: (v: Value) => v as Uint8Array,
  formatType: () => 'bytea',
});
