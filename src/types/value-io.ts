/**
 * Text and binary conversion of any SqlType (scalars via their TypeInfo, arrays via
 * array.ts), type OIDs, and format_type()-style names. This is the entry point the wire
 * layer (RowDescription, DataRow, Bind) and casts through I/O use.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { type ArrayValue, arrayFromBinary, arrayToBinary, arrayToText, parseArrayText } from './array.ts';
import { findTypeInfo, typeByOid, typeInfo } from './registry.ts';
import type { EvalContext, TypeInfo } from './registry-types.ts';
import { type SqlType, sqlType, type Value } from './type.ts';

function info(type: SqlType): TypeInfo {
  const ti = findTypeInfo(type.base);
  if (!ti) throw new SqlError(SqlState.UndefinedObject, `type "${type.base}" does not exist`);
  return ti;
}

/** Parses the text form of `type` (typmod checks included). */
export function textIn(type: SqlType, text: string, ctx: EvalContext): Value {
  const ti = info(type);
  if (type.isArray) return parseArrayText(text, (s) => ti.textIn(s, type.typmod, ctx));
  return ti.textIn(text, type.typmod, ctx);
}

export function textOut(type: SqlType, value: Value, ctx: EvalContext): string {
  const ti = info(type);
  if (type.isArray) return arrayToText(value as ArrayValue, (v) => ti.textOut(v, ctx));
  return ti.textOut(value, ctx);
}

export function binaryIn(type: SqlType, bytes: Uint8Array): Value {
  const ti = info(type);
  if (type.isArray) return arrayFromBinary(bytes, ti.oid, (b) => ti.binaryIn(b, type.typmod));
  return ti.binaryIn(bytes, type.typmod);
}

export function binaryOut(type: SqlType, value: Value): Uint8Array {
  const ti = info(type);
  if (type.isArray) return arrayToBinary(value as ArrayValue, ti.oid, (v) => ti.binaryOut(v));
  return ti.binaryOut(value);
}

/** The pg_type OID of `type` (the array type's OID for arrays). */
export function typeOid(type: SqlType): number {
  const ti = typeInfo(type.base);
  return type.isArray ? ti.arrayOid : ti.oid;
}

/** The SqlType for a pg_type OID (typmod -1), or undefined if Quiver does not know it. */
export function sqlTypeFromOid(oid: number): SqlType | undefined {
  const found = typeByOid(oid);
  return found ? sqlType(found.info.name, -1, found.array) : undefined;
}

/** format_type(oid, typmod): 'character varying(10)', 'numeric(10,2)', 'integer[]'. */
export function formatSqlType(type: SqlType): string {
  const s = info(type).formatType(type.typmod);
  return type.isArray ? `${s}[]` : s;
}

/**
 * format_type_be(): the name without typmod, as error messages and regtype print types.
 * Unlike format_type(oid, -1) it calls bpchar 'character'.
 */
export function typeDisplayName(type: SqlType): string {
  const s = type.base === 'bpchar' ? 'character' : info(type).formatType(-1);
  return type.isArray ? `${s}[]` : s;
}
