/**
 * pg_stat_user_indexes: one row per index on a user table, as migration tools read it
 * (drizzle-kit joins it with pg_constraint to tell constraint indexes apart). Quiver does
 * not count index scans, so the counters read 0 — what PostgreSQL shows for an index no
 * query has used yet.
 */
import { relation, type SystemContext, type SystemRow } from './relation.ts';

function userIndexRows(ctx: SystemContext): SystemRow[] {
  const rows: SystemRow[] = [];
  for (const schema of ctx.database.schemas.values()) {
    for (const index of schema.indexes.values()) {
      rows.push({
        relid: index.table.oid,
        indexrelid: index.oid,
        schemaname: schema.name,
        relname: index.table.name,
        indexrelname: index.name,
      });
    }
  }
  return rows;
}

export const statViews = [
  relation(
    'pg_stat_user_indexes',
    12192,
    'relid oid, indexrelid oid, schemaname name, relname name, indexrelname name, idx_scan int8, ' +
      'idx_tup_read int8, idx_tup_fetch int8',
    userIndexRows,
    { idx_scan: 0n, idx_tup_read: 0n, idx_tup_fetch: 0n },
    'v',
  ),
];
