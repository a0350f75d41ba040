/**
 * Best-effort SqlType of a bare runtime value, for the few places that receive a value
 * without its type (operator fallbacks). Ambiguous shapes pick the common case: a JS number
 * is int4 when integral and in range, else float8 (so a date or timestamp, also a number,
 * cannot be told apart here — callers that care use the resolved types instead).
 */
import { ArrayValue } from './array.ts';
import { Interval } from './interval.ts';
import { Numeric } from './numeric.ts';
import { RecordValue } from './record.ts';
import { arrayOf, type SqlType, T, type Value } from './type.ts';

export function runtimeType(v: Value): SqlType {
  if (typeof v === 'boolean') return T.bool;
  if (typeof v === 'bigint') return T.int8;
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) <= 2147483647 ? T.int4 : T.float8;
  if (v instanceof Numeric) return T.numeric;
  if (v instanceof Interval) return T.interval;
  if (v instanceof Uint8Array) return T.bytea;
  if (v instanceof Float32Array) return T.vector;
  if (v instanceof RecordValue) return T.record;
  if (v instanceof ArrayValue) {
    const first = v.elements.find((e) => e !== null && e !== undefined);
    return arrayOf(first === undefined ? T.text : runtimeType(first));
  }
  return T.text;
}
