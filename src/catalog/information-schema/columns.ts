/**
 * information_schema.columns for tables and views, with the type facts PostgreSQL 15
 * derives through its _pg_char_max_length, _pg_numeric_precision … helpers: lengths and
 * precisions from the typmod, data_type 'ARRAY' for arrays, 'USER-DEFINED' for types outside
 * pg_catalog (pgvector's), and udt_* naming the type itself.
 */
import { findTypeInfo } from '../../types/registry.ts';
import type { SqlType } from '../../types/type.ts';
import type { Column, Table } from '../catalog-types.ts';
import { columnDefault } from '../pg-catalog/attributes.ts';
import { namespaceName, userRelations } from '../pg-catalog/objects.ts';
import {
  INFORMATION_SCHEMA_OID,
  PG_CATALOG_OID,
  type SystemContext,
  type SystemRelation,
  type SystemRow,
} from '../pg-catalog/relation.ts';
import { systemColumnNotNull } from '../pg-catalog/system-attributes.ts';
import { typeNamespace } from '../pg-catalog/types.ts';
import { infoView, yesNo } from './view.ts';
import { isSimpleView } from './view-updatable.ts';

/** PostgreSQL's maximum octets per character in UTF8 (pg_encoding_max_length). */
const UTF8_MAX_LENGTH = 4;
const CHARACTER_TYPES = new Set(['text', 'bpchar', 'varchar']);
const INTEGER_BITS: Record<string, number> = { int2: 16, int4: 32, int8: 64 };
const FLOAT_BITS: Record<string, number> = { float4: 24, float8: 53 };
const DATETIME = new Set(['time', 'timetz', 'timestamp', 'timestamptz']);

/** The numeric/character/datetime facts of a column's type (arrays have none). */
export function typeFactsOf(type: SqlType): SystemRow {
  if (type.isArray) return {};
  const { base, typmod } = type;
  const facts: Record<string, unknown> = {};
  if (base === 'bpchar' || base === 'varchar')
    facts.character_maximum_length = typmod >= 0 ? typmod - 4 : null;
  if (base === 'bit' || base === 'varbit') facts.character_maximum_length = typmod >= 0 ? typmod : null;
  if (CHARACTER_TYPES.has(base)) {
    facts.character_octet_length = typmod >= 0 ? (typmod - 4) * UTF8_MAX_LENGTH : 2 ** 30;
  }
  if (base in INTEGER_BITS) {
    Object.assign(facts, {
      numeric_precision: INTEGER_BITS[base],
      numeric_precision_radix: 2,
      numeric_scale: 0,
    });
  } else if (base in FLOAT_BITS) {
    Object.assign(facts, { numeric_precision: FLOAT_BITS[base], numeric_precision_radix: 2 });
  } else if (base === 'numeric') {
    facts.numeric_precision_radix = 10;
    if (typmod >= 0) {
      facts.numeric_precision = ((typmod - 4) >> 16) & 0xffff;
      facts.numeric_scale = (typmod - 4) & 0xffff;
    }
  }
  if (base === 'date') facts.datetime_precision = 0;
  if (DATETIME.has(base)) facts.datetime_precision = typmod >= 0 ? typmod : 6;
  if (base === 'interval') facts.datetime_precision = typmod >= 0 ? typmod & 0xffff : 6;
  return facts;
}

function dataType(
  ctx: SystemContext,
  type: SqlType,
): { dataType: string; udtSchema: string; udtName: string } {
  const info = findTypeInfo(type.base);
  const nsOid = info ? typeNamespace(ctx, info) : null;
  const udtSchema = nsOid === null ? 'pg_catalog' : (namespaceName(ctx.database, nsOid) ?? 'pg_catalog');
  const udtName = type.isArray ? `_${type.base}` : type.base;
  if (type.isArray) return { dataType: 'ARRAY', udtSchema, udtName };
  if (nsOid !== PG_CATALOG_OID) return { dataType: 'USER-DEFINED', udtSchema, udtName };
  // format_type(oid, NULL): bpchar without a typmod prints as `character` there.
  const name = type.base === 'bpchar' ? 'character' : (info?.formatType(-1) ?? type.base);
  return { dataType: name, udtSchema, udtName };
}

function columnRow(
  ctx: SystemContext,
  schema: string,
  table: string,
  attnum: number,
  name: string,
  type: SqlType,
): Record<string, unknown> {
  const t = dataType(ctx, type);
  return {
    table_catalog: ctx.database.name,
    table_schema: schema,
    table_name: table,
    column_name: name,
    ordinal_position: attnum,
    is_nullable: 'YES',
    data_type: t.dataType,
    ...typeFactsOf(type),
    // Columns whose collation is not the database default: name columns collate "C".
    ...(type.base === 'name' && !type.isArray
      ? { collation_catalog: ctx.database.name, collation_schema: 'pg_catalog', collation_name: 'C' }
      : {}),
    udt_catalog: ctx.database.name,
    udt_schema: t.udtSchema,
    udt_name: t.udtName,
    dtd_identifier: String(attnum),
    is_self_referencing: 'NO',
    is_identity: 'NO',
    identity_cycle: 'NO',
    is_generated: 'NEVER',
    is_updatable: 'YES',
  };
}

function tableColumnRow(ctx: SystemContext, table: Table, c: Column): SystemRow {
  const row = columnRow(ctx, table.schema.name, table.name, c.attnum, c.name, c.type);
  row.is_nullable = yesNo(!c.notNull);
  row.column_default = columnDefault(ctx, table, c);
  if (c.identity !== null && c.sequence) {
    Object.assign(row, {
      is_identity: 'YES',
      identity_generation: c.identity === 'always' ? 'ALWAYS' : 'BY DEFAULT',
      identity_start: String(c.sequence.start),
      identity_increment: String(c.sequence.increment),
      identity_maximum:
        c.type.base === 'int2' ? '32767' : c.type.base === 'int4' ? '2147483647' : '9223372036854775807',
      identity_minimum: '1',
    });
  }
  return row;
}

function columnsRows(ctx: SystemContext, system: readonly SystemRelation[]): SystemRow[] {
  const rows: SystemRow[] = [];
  for (const r of system) {
    const schema = r.namespace === INFORMATION_SCHEMA_OID ? 'information_schema' : 'pg_catalog';
    r.columns.forEach((c, i) => {
      rows.push({
        ...columnRow(ctx, schema, r.name, i + 1, c.name, c.type),
        is_nullable: yesNo(!systemColumnNotNull(r, c)),
        is_updatable: yesNo(r.relkind === 'r'),
      });
    });
  }
  for (const r of userRelations(ctx.database)) {
    if (r.kind !== 'table') continue;
    if (r.table.view) {
      const updatable = yesNo(isSimpleView(r.table));
      (ctx.viewColumns?.(r.table) ?? []).forEach((c, i) => {
        rows.push({
          ...columnRow(ctx, r.schema.name, r.name, i + 1, c.name, c.type),
          is_updatable: updatable,
        });
      });
    } else {
      for (const c of r.table.columns) rows.push(tableColumnRow(ctx, r.table, c));
    }
  }
  return rows;
}

export const columnsView = (system: () => readonly SystemRelation[]) =>
  infoView(
    'columns',
    13295,
    'table_catalog sql_identifier, table_schema sql_identifier, table_name sql_identifier, ' +
      'column_name sql_identifier, ordinal_position cardinal_number, column_default character_data, ' +
      'is_nullable yes_or_no, data_type character_data, character_maximum_length cardinal_number, ' +
      'character_octet_length cardinal_number, numeric_precision cardinal_number, ' +
      'numeric_precision_radix cardinal_number, numeric_scale cardinal_number, ' +
      'datetime_precision cardinal_number, interval_type character_data, interval_precision cardinal_number, ' +
      'character_set_catalog sql_identifier, character_set_schema sql_identifier, ' +
      'character_set_name sql_identifier, collation_catalog sql_identifier, collation_schema sql_identifier, ' +
      'collation_name sql_identifier, domain_catalog sql_identifier, domain_schema sql_identifier, ' +
      'domain_name sql_identifier, udt_catalog sql_identifier, udt_schema sql_identifier, ' +
      'udt_name sql_identifier, scope_catalog sql_identifier, scope_schema sql_identifier, ' +
      'scope_name sql_identifier, maximum_cardinality cardinal_number, dtd_identifier sql_identifier, ' +
      'is_self_referencing yes_or_no, is_identity yes_or_no, identity_generation character_data, ' +
      'identity_start character_data, identity_increment character_data, identity_maximum character_data, ' +
      'identity_minimum character_data, identity_cycle yes_or_no, is_generated character_data, ' +
      'generation_expression character_data, is_updatable yes_or_no',
    (ctx) => columnsRows(ctx, system()),
  );
