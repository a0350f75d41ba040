/**
 * Anonymous composite values (`record`, ROW(...)): the field values with their types, and
 * record_out's text form `(1,"a b",,"")` — fields quoted when empty or containing
 * parentheses, commas, quotes, backslashes or white space; NULL fields are left empty.
 */
import type { SqlType, Value } from './type.ts';

export class RecordValue {
  constructor(
    readonly values: readonly Value[],
    readonly types: readonly SqlType[],
  ) {}
}

export function recordToText(rec: RecordValue, fieldOut: (type: SqlType, v: Value) => string): string {
  const parts = rec.values.map((v, k) => {
    if (v === null || v === undefined) return '';
    const s = fieldOut(rec.types[k], v);
    const needs = s === '' || /[()",\\\s]/.test(s);
    return needs ? `"${s.replace(/["\\]/g, (c) => c + c)}"` : s;
  });
  return `(${parts.join(',')})`;
}
