/**
 * Encodes result values for the wire (text or binary per column) and decodes Bind
 * parameters, using each type's I/O functions from src/types.
 */
import type { OutputColumn } from '../plan/plan-nodes.ts';
import {
  type ArrayValue,
  arrayFromBinary,
  arrayToBinary,
  arrayToText,
  parseArrayText,
} from '../types/array.ts';
import { typeInfo } from '../types/registry.ts';
import type { EvalContext } from '../types/registry-types.ts';
import type { SqlType, Value } from '../types/type.ts';
import type { FieldDescription, FormatCode, WireValue } from '../wire/session.ts';

export function fieldDescriptions(
  columns: readonly OutputColumn[],
  formats: readonly FormatCode[],
): FieldDescription[] {
  return columns.map((c, i) => {
    const info = typeInfo(c.type.base === 'unknown' ? 'text' : c.type.base);
    const format = (formats.length === 1 ? formats[0] : (formats[i] ?? 0)) as FormatCode;
    return {
      name: c.name,
      tableOid: c.tableOid,
      columnAttr: c.attnum,
      typeOid: c.type.isArray ? info.arrayOid : info.oid,
      typeSize: c.type.isArray ? -1 : info.length,
      typeMod: c.type.typmod,
      format,
    };
  });
}

export function encodeText(type: SqlType, value: Value, ctx: EvalContext): string {
  const info = typeInfo(type.base === 'unknown' ? 'text' : type.base);
  if (type.isArray) return arrayToText(value as ArrayValue, (v) => info.textOut(v, ctx));
  return info.textOut(value, ctx);
}

export function encodeValue(type: SqlType, value: Value, format: FormatCode, ctx: EvalContext): WireValue {
  if (value === null || value === undefined) return null;
  if (format === 0) return encodeText(type, value, ctx);
  const info = typeInfo(type.base === 'unknown' ? 'text' : type.base);
  if (type.isArray) return arrayToBinary(value as ArrayValue, info.oid, (v) => info.binaryOut(v));
  return info.binaryOut(value);
}

export function decodeParameter(
  type: SqlType,
  bytes: Uint8Array | null,
  format: FormatCode,
  ctx: EvalContext,
): Value {
  if (bytes === null) return null;
  const base = type.base === 'unknown' ? 'text' : type.base;
  const info = typeInfo(base);
  if (format === 1) {
    if (type.isArray) return arrayFromBinary(bytes, info.oid, (b) => info.binaryIn(b, -1));
    return info.binaryIn(bytes, type.typmod);
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (type.isArray) return parseArrayText(text, (s) => info.textIn(s, -1, ctx));
  return info.textIn(text, type.typmod, ctx);
}
