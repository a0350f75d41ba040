/**
 * Per-column statistics of a sealed segment: NULL count for every column, min/max for
 * ordered scalar types, in compare.ts's order (the btree order of PostgreSQL: NaN above every
 * float, text by code point). A planner can skip a segment whose [min, max] cannot satisfy a
 * predicate without downloading its blocks: the stats live in the footer.
 */
import { compareValues } from '../../types/compare.ts';
import type { BaseTypeName, SqlType, Value } from '../../types/type.ts';
import { binaryIn, binaryOut } from '../../types/value-io.ts';
import { MAX_STAT_BYTES } from './segment-format.ts';

const ORDERED: ReadonlySet<BaseTypeName> = new Set<BaseTypeName>([
  'bool',
  'int2',
  'int4',
  'int8',
  'float4',
  'float8',
  'numeric',
  'oid',
  'text',
  'varchar',
  'bpchar',
  'name',
  'char',
  'uuid',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'interval',
]);

/** Types whose min/max is kept: ordered scalars, not arrays, JSON or vectors. */
export function hasMinMax(type: SqlType): boolean {
  return !type.isArray && ORDERED.has(type.base);
}

export interface ColumnStats {
  readonly nullCount: number;
  /** Smallest and largest non-null value; null when the type is unordered, every row is NULL, or a bound is too large to keep. */
  readonly min: Value | null;
  readonly max: Value | null;
}

export function computeStats(type: SqlType, values: readonly Value[]): ColumnStats {
  let nullCount = 0;
  let min: Value | null = null;
  let max: Value | null = null;
  const ordered = hasMinMax(type);
  for (const v of values) {
    if (v === null || v === undefined) {
      nullCount++;
      continue;
    }
    if (!ordered) continue;
    if (min === null || compareValues(type, v, min) < 0) min = v;
    if (max === null || compareValues(type, v, max) > 0) max = v;
  }
  return { nullCount, min, max };
}

/** Footer form of a bound: base64 of its binary form, or null (also when over MAX_STAT_BYTES). */
export function encodeBound(type: SqlType, value: Value | null): string | null {
  if (value === null) return null;
  const bytes = binaryOut(type, value);
  return bytes.length > MAX_STAT_BYTES ? null : Buffer.from(bytes).toString('base64');
}

export function decodeBound(type: SqlType, encoded: string | null): Value | null {
  return encoded === null ? null : binaryIn(type, Buffer.from(encoded, 'base64'));
}
