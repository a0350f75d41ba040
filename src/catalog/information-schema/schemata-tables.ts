/**
 * information_schema.schemata, tables and views. Quiver's user has every privilege, so
 * everything is listed, as PostgreSQL lists it to a superuser; tables includes the
 * pg_catalog relations and these views themselves, as in PostgreSQL.
 */
import { userRelations } from '../pg-catalog/objects.ts';
import {
  BOOTSTRAP_ROLE_OID,
  INFORMATION_SCHEMA_OID,
  type SystemContext,
  type SystemRelation,
  type SystemRow,
} from '../pg-catalog/relation.ts';
import { infoView, yesNo } from './view.ts';
import { isSimpleView } from './view-updatable.ts';

/** As pg_namespace.nspowner: pg_database_owner owns `public`, the bootstrap superuser the rest. */
function ownerName(ctx: SystemContext, schema: string): string {
  if (schema === 'public') return 'pg_database_owner';
  for (const role of ctx.catalog.roles.values()) if (role.oid === BOOTSTRAP_ROLE_OID) return role.name;
  return ctx.user;
}

function schemataRows(ctx: SystemContext): SystemRow[] {
  const names = ['pg_catalog', 'information_schema', ...ctx.database.schemas.keys()];
  return names
    .filter((n) => !n.startsWith('pg_temp'))
    .map((n) => ({ catalog_name: ctx.database.name, schema_name: n, schema_owner: ownerName(ctx, n) }));
}

function tablesRows(ctx: SystemContext, system: readonly SystemRelation[]): SystemRow[] {
  const db = ctx.database.name;
  const rows: SystemRow[] = system.map((r) => ({
    table_catalog: db,
    table_schema: r.namespace === INFORMATION_SCHEMA_OID ? 'information_schema' : 'pg_catalog',
    table_name: r.name,
    table_type: r.relkind === 'r' ? 'BASE TABLE' : 'VIEW',
    // Catalog tables take INSERT (for a superuser); the catalog views are not updatable.
    is_insertable_into: yesNo(r.relkind === 'r'),
    is_typed: 'NO',
  }));
  for (const r of userRelations(ctx.database)) {
    if (r.kind !== 'table') continue;
    const t = r.table;
    rows.push({
      table_catalog: db,
      table_schema: r.schema.name,
      table_name: r.name,
      table_type: t.temporary ? 'LOCAL TEMPORARY' : t.view ? 'VIEW' : 'BASE TABLE',
      is_insertable_into: yesNo(t.view === null || isSimpleView(t)),
      is_typed: 'NO',
      commit_action: t.temporary ? 'PRESERVE' : null,
    });
  }
  return rows;
}

function viewsRows(ctx: SystemContext): SystemRow[] {
  const rows: SystemRow[] = [];
  for (const r of userRelations(ctx.database)) {
    if (r.kind !== 'table' || r.table.view === null) continue;
    const updatable = yesNo(isSimpleView(r.table));
    rows.push({
      table_catalog: ctx.database.name,
      table_schema: r.schema.name,
      table_name: r.name,
      // pg_get_viewdef's deparsed text, which Quiver does not produce (see catalog-functions.ts).
      view_definition: null,
      check_option: 'NONE',
      is_updatable: updatable,
      is_insertable_into: updatable,
      is_trigger_updatable: 'NO',
      is_trigger_deletable: 'NO',
      is_trigger_insertable_into: 'NO',
    });
  }
  return rows;
}

export function schemataTablesViews(system: () => readonly SystemRelation[]): SystemRelation[] {
  return [
    infoView(
      'schemata',
      13382,
      'catalog_name sql_identifier, schema_name sql_identifier, schema_owner sql_identifier, ' +
        'default_character_set_catalog sql_identifier, default_character_set_schema sql_identifier, ' +
        'default_character_set_name sql_identifier, sql_path character_data',
      schemataRows,
    ),
    infoView(
      'tables',
      13425,
      'table_catalog sql_identifier, table_schema sql_identifier, table_name sql_identifier, ' +
        'table_type character_data, self_referencing_column_name sql_identifier, ' +
        'reference_generation character_data, user_defined_type_catalog sql_identifier, ' +
        'user_defined_type_schema sql_identifier, user_defined_type_name sql_identifier, ' +
        'is_insertable_into yes_or_no, is_typed yes_or_no, commit_action character_data',
      (ctx) => tablesRows(ctx, system()),
    ),
    infoView(
      'views',
      13483,
      'table_catalog sql_identifier, table_schema sql_identifier, table_name sql_identifier, ' +
        'view_definition character_data, check_option character_data, is_updatable yes_or_no, ' +
        'is_insertable_into yes_or_no, is_trigger_updatable yes_or_no, is_trigger_deletable yes_or_no, ' +
        'is_trigger_insertable_into yes_or_no',
      viewsRows,
    ),
  ];
}
