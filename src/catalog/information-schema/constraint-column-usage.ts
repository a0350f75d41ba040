/**
 * information_schema.constraint_column_usage: the columns each constraint uses. For the
 * PRIMARY KEY and UNIQUE constraints Quiver keeps these are their key columns; for a CHECK
 * constraint the columns its expression reads (NOT NULL — shown as CHECK in
 * table_constraints — is not a pg_constraint row in PostgreSQL 15, so it has none here).
 */
import { columnPositions } from '../catalog-types.ts';
import { foreignKeys } from '../pg-catalog/foreign-keys.ts';
import type { SystemContext, SystemRow } from '../pg-catalog/relation.ts';
import { infoView } from './view.ts';

function constraintColumnUsageRows(ctx: SystemContext): SystemRow[] {
  const db = ctx.database.name;
  const rows: SystemRow[] = [];
  for (const schema of ctx.database.schemas.values()) {
    for (const index of schema.indexes.values()) {
      if (index.constraint === null) continue;
      for (const position of index.columns) {
        rows.push({
          table_catalog: db,
          table_schema: index.table.schema.name,
          table_name: index.table.name,
          column_name: index.table.columns[position].name,
          constraint_catalog: db,
          constraint_schema: schema.name,
          constraint_name: index.constraint,
        });
      }
    }
    for (const table of schema.tables.values()) {
      for (const check of table.checks) {
        for (const position of check.columns) {
          rows.push({
            table_catalog: db,
            table_schema: schema.name,
            table_name: table.name,
            column_name: table.columns[position].name,
            constraint_catalog: db,
            constraint_schema: schema.name,
            constraint_name: check.name,
          });
        }
      }
    }
  }
  // A foreign key uses the referenced table's columns.
  for (const fk of foreignKeys(ctx)) {
    const ref = fk.refTable;
    for (const position of columnPositions(ref, fk.refColumns)) {
      rows.push({
        table_catalog: db,
        table_schema: ref.schema.name,
        table_name: ref.name,
        column_name: ref.columns[position].name,
        constraint_catalog: db,
        constraint_schema: fk.table.schema.name,
        constraint_name: fk.name,
      });
    }
  }
  return rows;
}

export const constraintColumnUsageView = infoView(
  'constraint_column_usage',
  13300,
  'table_catalog sql_identifier, table_schema sql_identifier, table_name sql_identifier, ' +
    'column_name sql_identifier, constraint_catalog sql_identifier, constraint_schema sql_identifier, ' +
    'constraint_name sql_identifier',
  constraintColumnUsageRows,
);
