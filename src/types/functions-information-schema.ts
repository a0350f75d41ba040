/**
 * The helper functions of PostgreSQL's information_schema that client catalog queries call
 * directly. pgjdbc's getPrimaryKeys and getIndexInfo number index keys with
 * `(information_schema._pg_expandarray(i.indkey)).n`: one row per element, as the record
 * (x, n) — the element and its 1-based position.
 */
import type { ArrayValue } from './array.ts';
import { def } from './define.ts';
import { RecordValue } from './record.ts';
import { elementOf, recordType, sqlType, T } from './type.ts';

def(
  '_pg_expandarray',
  [sqlType('anyarray')],
  ([array]) =>
    recordType([
      { name: 'x', type: elementOf(array) },
      { name: 'n', type: T.int4 },
    ]),
  ([a], _ctx, [array]) => {
    const types = [elementOf(array), T.int4];
    return (a as ArrayValue).elements.map((x, i) => new RecordValue([x, i + 1], types));
  },
  { returnsSet: true },
);
