/**
 * pg_type entries for uuid, json, jsonb, the vector-of-int catalog types (int2vector,
 * oidvector), record/void and the polymorphic pseudo-types that appear only in signatures.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { ArrayValue, arrayFromBinary, arrayToBinary } from './array.ts';
import { ByteReader, utf8Decode, utf8Encode } from './binary.ts';
import { jsonbIn, parseJson } from './json.ts';
import { type RecordValue, recordToText } from './record.ts';
import { registerType } from './registry.ts';
import type { TypeInfo } from './registry-types.ts';
import type { BaseTypeName } from './type.ts';
import { textOut } from './value-io.ts';

const UUID_RE = /^\{?([0-9a-f]{4}-?){7}[0-9a-f]{4}\}?$/i;

/** uuid_in: optional braces, hyphens after any group of four hex digits. */
export function parseUuid(text: string): string {
  const hex = text.replace(/[{}-]/g, '').toLowerCase();
  const braced = text.startsWith('{') === text.endsWith('}');
  if (!UUID_RE.test(text) || hex.length !== 32 || !braced) {
    throw new SqlError(SqlState.InvalidTextRepresentation, `invalid input syntax for type uuid: "${text}"`);
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

registerType({
  name: 'uuid',
  oid: 2950,
  arrayOid: 2951,
  length: 16,
  category: 'U',
  preferred: false,
  textIn: (t) => parseUuid(t),
  textOut: (v) => v as string,
  binaryIn: (b) => {
    const r = new ByteReader(b);
    const bytes = r.take(16);
    r.end();
    return parseUuid([...bytes].map((x) => x.toString(16).padStart(2, '0')).join(''));
  },
  binaryOut: (v) => {
    const hex = (v as string).replace(/-/g, '');
    const out = new Uint8Array(16);
    for (let k = 0; k < 16; k++) out[k] = Number.parseInt(hex.slice(2 * k, 2 * k + 2), 16);
    return out;
  },
  formatType: () => 'uuid',
});

registerType({
  name: 'json',
  oid: 114,
  arrayOid: 199,
  length: -1,
  category: 'U',
  preferred: false,
  // json keeps the input text exactly; it is only validated.
  textIn: (t) => {
    parseJson(t);
    return t;
  },
  textOut: (v) => v as string,
  binaryIn: (b) => {
    const t = utf8Decode(b);
    parseJson(t);
    return t;
  },
  binaryOut: (v) => utf8Encode(v as string),
  formatType: () => 'json',
});

/** jsonb_send/jsonb_recv: a version byte (1) followed by the text form. */
const JSONB_VERSION = 1;

registerType({
  name: 'jsonb',
  oid: 3802,
  arrayOid: 3807,
  length: -1,
  category: 'U',
  preferred: false,
  textIn: (t) => jsonbIn(t),
  textOut: (v) => v as string,
  binaryIn: (b) => {
    if (b[0] !== JSONB_VERSION) {
      throw new SqlError(
        SqlState.InvalidBinaryRepresentation,
        `unsupported jsonb version number ${b[0] ?? 0}`,
      );
    }
    return jsonbIn(utf8Decode(b.subarray(1)));
  },
  binaryOut: (v) => {
    const t = utf8Encode(v as string);
    const out = new Uint8Array(t.length + 1);
    out[0] = JSONB_VERSION;
    out.set(t, 1);
    return out;
  },
  formatType: () => 'jsonb',
});

/** int2vector/oidvector: space-separated integers, held as zero-based one-dimensional arrays. */
function intVector(
  name: BaseTypeName,
  oid: number,
  arrayOid: number,
  elemOid: number,
  bits: 16 | 32,
): TypeInfo {
  const parseOne = (s: string) => {
    if (!/^[+-]?\d+$/.test(s)) {
      throw new SqlError(
        SqlState.InvalidTextRepresentation,
        `invalid input syntax for type ${bits === 16 ? 'smallint' : 'oid'}: "${s}"`,
      );
    }
    return bits === 16 ? Number(s) : Number(s) >>> 0;
  };
  return {
    name,
    oid,
    arrayOid,
    length: -1,
    category: 'A',
    preferred: false,
    textIn: (t) => {
      const items = t.trim() ? t.trim().split(/\s+/).map(parseOne) : [];
      return items.length ? new ArrayValue(items, [items.length], [0]) : ArrayValue.EMPTY;
    },
    textOut: (v) => (v as ArrayValue).elements.join(' '),
    binaryIn: (b) =>
      arrayFromBinary(b, elemOid, (x) => {
        const r = new ByteReader(x);
        return bits === 16 ? r.int16() : r.uint32();
      }),
    binaryOut: (v) =>
      arrayToBinary(v as ArrayValue, elemOid, (x) => {
        const out = new Uint8Array(bits / 8);
        const dv = new DataView(out.buffer);
        if (bits === 16) dv.setInt16(0, x as number);
        else dv.setUint32(0, x as number);
        return out;
      }),
    formatType: () => name,
  };
}

registerType(intVector('int2vector', 22, 1006, 21, 16));
registerType(intVector('oidvector', 30, 1013, 26, 32));

function pseudo(name: BaseTypeName, oid: number, length: number, extra: Partial<TypeInfo> = {}): TypeInfo {
  const reject = (): never => {
    throw new SqlError(SqlState.FeatureNotSupported, `cannot accept a value of type ${name}`);
  };
  const display = () => {
    throw new SqlError(SqlState.FeatureNotSupported, `cannot display a value of type ${name}`);
  };
  return {
    name,
    oid,
    arrayOid: 0,
    length,
    category: 'P',
    preferred: false,
    textIn: reject,
    textOut: display,
    binaryIn: reject,
    binaryOut: display,
    formatType: () => (name === 'any' ? '"any"' : name),
    ...extra,
  };
}

registerType(pseudo('void', 2278, 4, { textOut: () => '', binaryOut: () => new Uint8Array() }));
registerType(
  pseudo('record', 2249, -1, {
    arrayOid: 2287,
    textOut: (v, ctx) => recordToText(v as RecordValue, (t, x) => textOut(t, x, ctx)),
  }),
);
registerType(pseudo('trigger', 2279, 4));
registerType(pseudo('any', 2276, 4));
registerType(pseudo('anyelement', 2283, 4));
registerType(pseudo('anyarray', 2277, -1));
registerType(pseudo('anynonarray', 2776, 4));
registerType(pseudo('anycompatible', 5077, 4));
registerType(pseudo('anycompatiblearray', 5078, -1));
