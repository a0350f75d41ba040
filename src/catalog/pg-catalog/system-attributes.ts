/**
 * pg_attribute rows of the system relations themselves (pg_catalog and information_schema),
 * as clients look them up to describe a catalog query's result columns (pgjdbc asks for
 * `attnotnull` of e.g. pg_namespace.nspname). In PostgreSQL's catalog tables every column is
 * NOT NULL except arrays, pg_node_tree and most text columns (genbki's rule plus
 * BKI_FORCE_NOT_NULL); views' columns are nullable.
 */
import type { SqlType } from '../../types/type.ts';
import type { SystemColumn, SystemRelation, SystemRow } from './relation.ts';

/** Text columns PostgreSQL forces NOT NULL (BKI_FORCE_NOT_NULL). */
const FORCED_NOT_NULL = new Set(['description', 'prosrc']);

/** attnotnull of a system relation's column. */
export function systemColumnNotNull(r: SystemRelation, column: SystemColumn): boolean {
  const nullableType =
    column.type.isArray || column.type.base === 'pg_node_tree' || column.type.base === 'text';
  return r.relkind === 'r' && (!nullableType || FORCED_NOT_NULL.has(column.name));
}

export function systemAttributeRows(
  system: readonly SystemRelation[],
  attributeRow: (relid: number, attnum: number, name: string, type: SqlType) => SystemRow,
): SystemRow[] {
  return system.flatMap((r) =>
    r.columns.map((c, i) => ({
      ...attributeRow(r.oid, i + 1, c.name, c.type),
      attnotnull: systemColumnNotNull(r, c),
    })),
  );
}
