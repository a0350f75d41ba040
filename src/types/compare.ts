/**
 * Ordering, equality and hash keys for values of one SqlType (ORDER BY, GROUP BY, DISTINCT,
 * hash joins, comparison operators). Nulls are the caller's business. Text compares by code
 * point (the "C" collation); bpchar ignores trailing spaces; floats and numeric sort NaN
 * above everything and treat NaN = NaN, as PostgreSQL's btree opclasses do.
 */
import type { ArrayValue } from './array.ts';
import type { Interval } from './interval.ts';
import { type Json, JsonObject, jsonbToText, parseJson } from './json.ts';
import { Numeric } from './numeric.ts';
import type { RecordValue } from './record.ts';
import { elementOf, type SqlType, type Value } from './type.ts';

const cmpNum = (a: number, b: number): number => {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
};

/** Code-point order (UTF-8 byte order), unlike JS's UTF-16 `<`. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 units order like code points up to the first difference unless a surrogate is
  // involved there (a character above U+FFFF against one in U+E000–U+FFFF).
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
  const x = a.charCodeAt(i);
  const y = b.charCodeAt(i);
  if ((x < 0xd800 || x > 0xdfff) && (y < 0xd800 || y > 0xdfff)) return x < y ? -1 : 1;
  return compareCodePoints(a, b);
}

function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

const trimEnd = (s: string) => s.replace(/ +$/, '');

/** jsonb ordering: Object > Array > Boolean > Number > String > Null, then by content. */
function jsonRank(v: Json): number {
  if (v === null) return 0;
  if (typeof v === 'string') return 1;
  if (v instanceof Numeric) return 2;
  if (typeof v === 'boolean') return 3;
  return Array.isArray(v) ? 4 : 5;
}

export function compareJson(a: Json, b: Json): number {
  const ra = jsonRank(a);
  const rb = jsonRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'string') return compareText(a, b as string);
  if (a instanceof Numeric) return a.cmp(b as Numeric);
  if (typeof a === 'boolean') return Number(a) - Number(b as boolean);
  if (Array.isArray(a)) {
    const bb = b as Json[];
    if (a.length !== bb.length) return a.length - bb.length;
    for (let i = 0; i < a.length; i++) {
      const c = compareJson(a[i], bb[i]);
      if (c) return c;
    }
    return 0;
  }
  if (a instanceof JsonObject) {
    const bo = b as JsonObject;
    if (a.entries.length !== bo.entries.length) return a.entries.length - bo.entries.length;
    for (let i = 0; i < a.entries.length; i++) {
      const c =
        compareText(a.entries[i][0], bo.entries[i][0]) || compareJson(a.entries[i][1], bo.entries[i][1]);
      if (c) return c;
    }
  }
  return 0;
}

function compareArrays(elem: SqlType, a: ArrayValue, b: ArrayValue): number {
  const n = Math.min(a.elements.length, b.elements.length);
  for (let i = 0; i < n; i++) {
    const x = a.elements[i];
    const y = b.elements[i];
    // Inside arrays NULL sorts after any value (array_cmp).
    if (x === null || y === null) {
      if (x === null && y === null) continue;
      return x === null ? 1 : -1;
    }
    const c = compareValues(elem, x, y);
    if (c) return c;
  }
  if (a.elements.length !== b.elements.length) return a.elements.length < b.elements.length ? -1 : 1;
  if (a.ndim !== b.ndim) return a.ndim < b.ndim ? -1 : 1;
  for (let d = 0; d < a.ndim; d++) {
    if (a.dims[d] !== b.dims[d]) return a.dims[d] < b.dims[d] ? -1 : 1;
    if (a.lbounds[d] !== b.lbounds[d]) return a.lbounds[d] < b.lbounds[d] ? -1 : 1;
  }
  return 0;
}

export function compareValues(type: SqlType, a: Value, b: Value): number {
  if (type.isArray) return compareArrays(elementOf(type), a as ArrayValue, b as ArrayValue);
  switch (type.base) {
    case 'int8':
      return (a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0;
    case 'numeric':
      return (a as Numeric).cmp(b as Numeric);
    case 'bool':
      return Number(a) - Number(b);
    case 'text':
    case 'varchar':
    case 'name':
    case 'char':
    case 'unknown':
    case 'uuid':
    case 'json':
      return compareText(a as string, b as string);
    case 'bpchar':
      return compareText(trimEnd(a as string), trimEnd(b as string));
    case 'jsonb':
      return compareJson(parseJson(a as string), parseJson(b as string));
    case 'bytea':
      return compareBytes(a as Uint8Array, b as Uint8Array);
    case 'interval':
      return (a as Interval).cmp(b as Interval);
    case 'int2vector':
    case 'oidvector':
      return compareArrays(
        elementOf({ base: 'int4', typmod: -1, isArray: false }),
        a as ArrayValue,
        b as ArrayValue,
      );
    case 'record': {
      const ra = a as RecordValue;
      const rb = b as RecordValue;
      for (let i = 0; i < Math.min(ra.values.length, rb.values.length); i++) {
        const c = compareValues(ra.types[i], ra.values[i], rb.values[i]);
        if (c) return c;
      }
      return ra.values.length - rb.values.length;
    }
    case 'vector':
    case 'halfvec':
    case 'sparsevec':
    case 'bit':
    case 'varbit':
      return compareExtension(a, b);
    case 'tsvector':
    case 'tsquery':
      // By text form: an order for sorting and grouping, not PostgreSQL's tsvector_cmp.
      return compareText(String(a), String(b));
    default:
      if (typeof a === 'number' && typeof b === 'number') return cmpNum(a, b);
      if (typeof a === 'string' && typeof b === 'string') return compareText(a, b);
      return cmpNum(Number(a), Number(b));
  }
}

export function valuesEqual(type: SqlType, a: Value, b: Value): boolean {
  return compareValues(type, a, b) === 0;
}

function trimJsonNumbers(v: Json): Json {
  if (v instanceof Numeric) return v.normalized();
  if (Array.isArray(v)) return v.map(trimJsonNumbers);
  if (v instanceof JsonObject) return new JsonObject(v.entries.map(([k, x]) => [k, trimJsonNumbers(x)]));
  return v;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** A key equal for equal values (GROUP BY, DISTINCT, hash joins); arrays/records are encoded recursively. */
export function hashKey(type: SqlType, value: Value): string | number {
  if (value === null || value === undefined) return '\u0000null';
  if (type.isArray) {
    const arr = value as ArrayValue;
    const elem = elementOf(type);
    return `${arr.dims.join('x')}@${arr.lbounds.join(',')}[${arr.elements.map((e) => JSON.stringify(hashKey(elem, e))).join(',')}]`;
  }
  switch (type.base) {
    case 'int8':
      return (value as bigint).toString();
    case 'numeric':
      return (value as Numeric).normalized().toString();
    case 'float4':
    case 'float8': {
      const f = value as number;
      return Number.isNaN(f) ? 'NaN' : f === 0 ? 0 : f;
    }
    case 'bpchar':
      return trimEnd(value as string);
    case 'jsonb':
      // '1.0'::jsonb = '1'::jsonb, so numbers hash in their trimmed form.
      return jsonbToText(trimJsonNumbers(parseJson(value as string)));
    case 'bytea':
      return hex(value as Uint8Array);
    case 'interval':
      return (value as Interval).span().toString();
    case 'bool':
      return value ? 1 : 0;
    case 'record': {
      const r = value as RecordValue;
      return `(${r.values.map((v, i) => JSON.stringify(hashKey(r.types[i], v))).join(',')})`;
    }
    case 'int2vector':
    case 'oidvector':
      return (value as ArrayValue).elements.join(' ');
    case 'vector':
      return Array.from(value as Float32Array).join(',');
    default:
      if (typeof value === 'object' && value !== null && 'bytes' in value) {
        return `${(value as unknown as { length: number }).length}:${hex((value as { bytes: Uint8Array }).bytes)}`;
      }
      return typeof value === 'number' || typeof value === 'string' ? value : String(value);
  }
}

/** pgvector's ordering: element-wise, then by dimension count; bit strings bytewise then by length. */
function compareExtension(a: Value, b: Value): number {
  const dense = (v: Value): ArrayLike<number> | null =>
    v instanceof Float32Array
      ? v
      : typeof (v as { toFloat32?: () => Float32Array }).toFloat32 === 'function'
        ? (v as { toFloat32: () => Float32Array }).toFloat32()
        : typeof (v as { toDense?: () => Float32Array }).toDense === 'function'
          ? (v as { toDense: () => Float32Array }).toDense()
          : null;
  const x = dense(a);
  const y = dense(b);
  if (x && y) {
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    return x.length - y.length;
  }
  const ba = a as { bytes: Uint8Array; length: number };
  const bb = b as { bytes: Uint8Array; length: number };
  const c = compareBytes(ba.bytes, bb.bytes);
  return c !== 0 ? c : ba.length - bb.length;
}
