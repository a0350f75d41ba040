/**
 * information_schema.table_constraints, key_column_usage, check_constraints and
 * referential_constraints: the PRIMARY KEY and UNIQUE constraints Quiver keeps (each backed
 * by its index), the CHECK and FOREIGN KEY constraints, and — as PostgreSQL 15 lists them —
 * every NOT NULL column of a table as a CHECK constraint named
 * `<namespace oid>_<table oid>_<attnum>_not_null`.
 */
import { columnPositions, type ForeignKey, type IndexDef, referencedIndex } from '../catalog-types.ts';
import { foreignKeys } from '../pg-catalog/foreign-keys.ts';
import { checkDefinition } from '../pg-catalog/index-def.ts';
import type { SystemContext, SystemRow } from '../pg-catalog/relation.ts';
import { infoView } from './view.ts';

function* constraintIndexes(ctx: SystemContext): Generator<IndexDef> {
  for (const schema of ctx.database.schemas.values()) {
    for (const index of schema.indexes.values()) if (index.constraint !== null) yield index;
  }
}

function tableConstraintsRows(ctx: SystemContext): SystemRow[] {
  const db = ctx.database.name;
  const rows: SystemRow[] = [];
  const common = { is_deferrable: 'NO', initially_deferred: 'NO', enforced: 'YES' };
  for (const index of constraintIndexes(ctx)) {
    rows.push({
      constraint_catalog: db,
      constraint_schema: index.schema.name,
      constraint_name: index.constraint,
      table_catalog: db,
      table_schema: index.table.schema.name,
      table_name: index.table.name,
      constraint_type: index.primary ? 'PRIMARY KEY' : 'UNIQUE',
      ...common,
      // PostgreSQL 15 reports it for UNIQUE constraints only (indnullsnotdistinct).
      nulls_distinct: index.primary ? null : 'YES',
    });
  }
  for (const fk of foreignKeys(ctx)) {
    rows.push({
      constraint_catalog: db,
      constraint_schema: fk.table.schema.name,
      constraint_name: fk.name,
      table_catalog: db,
      table_schema: fk.table.schema.name,
      table_name: fk.table.name,
      constraint_type: 'FOREIGN KEY',
      ...common,
      is_deferrable: fk.deferrable ? 'YES' : 'NO',
      initially_deferred: fk.initiallyDeferred ? 'YES' : 'NO',
      nulls_distinct: null,
    });
  }
  for (const schema of ctx.database.schemas.values()) {
    for (const table of schema.tables.values()) {
      if (table.view) continue;
      for (const check of table.checks) {
        rows.push({
          constraint_catalog: db,
          constraint_schema: schema.name,
          constraint_name: check.name,
          table_catalog: db,
          table_schema: schema.name,
          table_name: table.name,
          constraint_type: 'CHECK',
          ...common,
        });
      }
      for (const c of table.columns) {
        if (!c.notNull) continue;
        rows.push({
          constraint_catalog: db,
          constraint_schema: schema.name,
          constraint_name: `${schema.oid}_${table.oid}_${c.attnum}_not_null`,
          table_catalog: db,
          table_schema: schema.name,
          table_name: table.name,
          constraint_type: 'CHECK',
          ...common,
        });
      }
    }
  }
  return rows;
}

function keyColumnUsageRows(ctx: SystemContext): SystemRow[] {
  const db = ctx.database.name;
  const rows: SystemRow[] = [];
  for (const index of constraintIndexes(ctx)) {
    index.columns.forEach((position, k) => {
      rows.push({
        constraint_catalog: db,
        constraint_schema: index.schema.name,
        constraint_name: index.constraint,
        table_catalog: db,
        table_schema: index.table.schema.name,
        table_name: index.table.name,
        column_name: index.table.columns[position].name,
        ordinal_position: k + 1,
        // Set only for foreign keys.
        position_in_unique_constraint: null,
      });
    });
  }
  for (const fk of foreignKeys(ctx)) {
    const index = referencedIndex(fk);
    const refPositions = columnPositions(fk.refTable, fk.refColumns);
    columnPositions(fk.table, fk.columns).forEach((position, k) => {
      rows.push({
        constraint_catalog: db,
        constraint_schema: fk.table.schema.name,
        constraint_name: fk.name,
        table_catalog: db,
        table_schema: fk.table.schema.name,
        table_name: fk.table.name,
        column_name: fk.table.columns[position].name,
        ordinal_position: k + 1,
        // Where the referenced column stands in the referenced key.
        position_in_unique_constraint: index ? index.columns.indexOf(refPositions[k]) + 1 : null,
      });
    });
  }
  return rows;
}

const RULE_WORDS: Record<ForeignKey['onDelete'], string> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

function referentialConstraintsRows(ctx: SystemContext): SystemRow[] {
  const db = ctx.database.name;
  return [...foreignKeys(ctx)].map((fk) => {
    const index = referencedIndex(fk);
    return {
      constraint_catalog: db,
      constraint_schema: fk.table.schema.name,
      constraint_name: fk.name,
      unique_constraint_catalog: index ? db : null,
      unique_constraint_schema: index ? index.schema.name : null,
      unique_constraint_name: index?.constraint ?? index?.name ?? null,
      match_option: fk.matchFull ? 'FULL' : 'NONE',
      update_rule: RULE_WORDS[fk.onUpdate],
      delete_rule: RULE_WORDS[fk.onDelete],
    };
  });
}

/**
 * The CHECK constraints, with check_clause as PostgreSQL 15 derives it (pg_get_constraintdef
 * without its leading `CHECK `), and every NOT NULL column as `<column> IS NOT NULL`.
 */
function checkConstraintsRows(ctx: SystemContext): SystemRow[] {
  const db = ctx.database.name;
  const rows: SystemRow[] = [];
  for (const schema of ctx.database.schemas.values()) {
    for (const table of schema.tables.values()) {
      if (table.view) continue;
      for (const check of table.checks) {
        rows.push({
          constraint_catalog: db,
          constraint_schema: schema.name,
          constraint_name: check.name,
          check_clause: checkDefinition(check, false).slice('CHECK '.length),
        });
      }
      for (const c of table.columns) {
        if (!c.notNull) continue;
        rows.push({
          constraint_catalog: db,
          constraint_schema: schema.name,
          constraint_name: `${schema.oid}_${table.oid}_${c.attnum}_not_null`,
          check_clause: `${c.name} IS NOT NULL`,
        });
      }
    }
  }
  return rows;
}

export const constraintViews = [
  infoView(
    'table_constraints',
    13411,
    'constraint_catalog sql_identifier, constraint_schema sql_identifier, constraint_name sql_identifier, ' +
      'table_catalog sql_identifier, table_schema sql_identifier, table_name sql_identifier, ' +
      'constraint_type character_data, is_deferrable yes_or_no, initially_deferred yes_or_no, ' +
      'enforced yes_or_no, nulls_distinct yes_or_no',
    tableConstraintsRows,
  ),
  infoView(
    'key_column_usage',
    13329,
    'constraint_catalog sql_identifier, constraint_schema sql_identifier, constraint_name sql_identifier, ' +
      'table_catalog sql_identifier, table_schema sql_identifier, table_name sql_identifier, ' +
      'column_name sql_identifier, ordinal_position cardinal_number, ' +
      'position_in_unique_constraint cardinal_number',
    keyColumnUsageRows,
  ),
  infoView(
    'referential_constraints',
    13339,
    'constraint_catalog sql_identifier, constraint_schema sql_identifier, constraint_name sql_identifier, ' +
      'unique_constraint_catalog sql_identifier, unique_constraint_schema sql_identifier, ' +
      'unique_constraint_name sql_identifier, match_option character_data, update_rule character_data, ' +
      'delete_rule character_data',
    referentialConstraintsRows,
  ),
  infoView(
    'check_constraints',
    13260,
    'constraint_catalog sql_identifier, constraint_schema sql_identifier, constraint_name sql_identifier, ' +
      'check_clause character_data',
    checkConstraintsRows,
  ),
];
