/**
 * SQL types as the engine sees them, and how their values are held in JavaScript.
 *
 * Value representation (one per base type, used everywhere in bind/plan/exec):
 *   bool                      boolean
 *   int2, int4, oid, reg*     number (integers)
 *   int8                      bigint
 *   float4, float8            number
 *   numeric                   Numeric (src/types/numeric.ts; exact decimal, NaN/±Infinity)
 *   text, varchar, bpchar,
 *   name, char, json, jsonb,
 *   uuid                      string (uuid lower-case canonical; jsonb normalized text)
 *   bytea                     Uint8Array
 *   date                      number: days since 2000-01-01 (PostgreSQL's epoch)
 *   timestamp, timestamptz    number: microseconds since 2000-01-01 00:00:00 UTC
 *   time                      number: microseconds since midnight
 *   interval                  Interval { months, days, micros }
 *   vector                    Float32Array
 *   halfvec                   HalfVector (src/types/halfvec.ts)
 *   sparsevec                 SparseVector (src/types/sparsevec.ts)
 *   bit, varbit               BitString (src/types/bit.ts)
 *   arrays                    ArrayValue (src/types/array.ts) — element values + dims
 *   record                    RecordValue (src/types/record.ts) — field values + their types
 *   unknown                   string (an untyped literal not yet coerced)
 *   NULL                      null (for every type)
 */

/** Base type names, spelled as PostgreSQL's pg_type.typname. */
export type BaseTypeName =
  | 'bool'
  | 'int2'
  | 'int4'
  | 'int8'
  | 'float4'
  | 'float8'
  | 'numeric'
  | 'text'
  | 'varchar'
  | 'bpchar'
  | 'name'
  | 'char'
  | 'bytea'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'timestamptz'
  | 'interval'
  | 'uuid'
  | 'json'
  | 'jsonb'
  | 'oid'
  | 'regclass'
  | 'regtype'
  | 'regproc'
  | 'regnamespace'
  | 'regrole'
  | 'regoperator'
  | 'xid'
  | 'int2vector'
  | 'oidvector'
  | 'pg_node_tree'
  | 'aclitem'
  | 'unknown'
  | 'void'
  | 'record'
  | 'trigger'
  | 'tsvector'
  | 'tsquery'
  | 'regconfig'
  | 'vector'
  | 'halfvec'
  | 'sparsevec'
  | 'bit'
  | 'varbit'
  /** Pseudo-types used only in function signatures. */
  | 'any'
  | 'anyelement'
  | 'anyarray'
  | 'anycompatible'
  | 'anycompatiblearray'
  /** Matches any non-array type (text || anynonarray). */
  | 'anynonarray';

/**
 * A concrete SQL type: a base type, its type modifier (-1 = none; varchar(n) → n+4 as in
 * PostgreSQL, vector(n) → n, numeric(p,s) → ((p<<16)|s)+4, bit(n) → n) and whether it is an
 * array of that base type.
 */
export interface SqlType {
  readonly base: BaseTypeName;
  readonly typmod: number;
  readonly isArray: boolean;
  /**
   * For `record` values whose shape the binder knows (a function with OUT columns such as
   * information_schema._pg_expandarray): the field names and types, so `(expr).field`
   * resolves. Absent for anonymous records.
   */
  readonly fields?: readonly RecordField[];
}

export interface RecordField {
  readonly name: string;
  readonly type: SqlType;
}

/** A `record` type with named fields (not interned: its identity is its field list). */
export function recordType(fields: readonly RecordField[]): SqlType {
  return Object.freeze({ base: 'record', typmod: -1, isArray: false, fields: Object.freeze([...fields]) });
}

const cache = new Map<string, SqlType>();

/** Interned SqlType constructor (same arguments → same object, so `===` works for the common case). */
export function sqlType(base: BaseTypeName, typmod = -1, isArray = false): SqlType {
  const key = `${base}/${typmod}/${isArray ? 1 : 0}`;
  let t = cache.get(key);
  if (!t) {
    t = Object.freeze({ base, typmod, isArray });
    cache.set(key, t);
  }
  return t;
}

export function arrayOf(t: SqlType): SqlType {
  return sqlType(t.base, t.typmod, true);
}

export function elementOf(t: SqlType): SqlType {
  return sqlType(t.base, t.typmod, false);
}

export function sameType(a: SqlType, b: SqlType): boolean {
  return a.base === b.base && a.isArray === b.isArray;
}

/** Frequently used types. */
export const T = {
  bool: sqlType('bool'),
  int2: sqlType('int2'),
  int4: sqlType('int4'),
  int8: sqlType('int8'),
  float4: sqlType('float4'),
  float8: sqlType('float8'),
  numeric: sqlType('numeric'),
  text: sqlType('text'),
  varchar: sqlType('varchar'),
  bpchar: sqlType('bpchar'),
  name: sqlType('name'),
  char: sqlType('char'),
  bytea: sqlType('bytea'),
  date: sqlType('date'),
  time: sqlType('time'),
  timestamp: sqlType('timestamp'),
  timestamptz: sqlType('timestamptz'),
  interval: sqlType('interval'),
  uuid: sqlType('uuid'),
  json: sqlType('json'),
  jsonb: sqlType('jsonb'),
  oid: sqlType('oid'),
  regclass: sqlType('regclass'),
  regtype: sqlType('regtype'),
  regproc: sqlType('regproc'),
  unknown: sqlType('unknown'),
  void: sqlType('void'),
  record: sqlType('record'),
  vector: sqlType('vector'),
  halfvec: sqlType('halfvec'),
  sparsevec: sqlType('sparsevec'),
  bit: sqlType('bit'),
  varbit: sqlType('varbit'),
} as const;

/** A runtime value (see the table at the top of this file). Kept as `unknown` on purpose. */
export type Value = unknown;
