/**
 * pg_attribute (the columns of tables, views and indexes) and pg_attrdef (column
 * defaults). A default's adbin holds the expression's SQL text, which pg_get_expr returns:
 * Quiver keeps no node trees.
 */
import { typeInfo } from '../../types/registry.ts';
import type { SqlType } from '../../types/type.ts';
import { typeOid } from '../../types/value-io.ts';
import type { Column, Table } from '../catalog-types.ts';
import { indexKeyCount, indexKeyType } from './index-def.ts';
import { userRelations } from './objects.ts';
import { relation, type SystemContext, type SystemRelation, type SystemRow } from './relation.ts';
import { systemAttributeRows } from './system-attributes.ts';
import { typeFacts } from './types.ts';

function attributeRow(relid: number, attnum: number, name: string, type: SqlType): SystemRow {
  const info = typeInfo(type.base);
  const facts = typeFacts(info, type.isArray);
  return {
    attrelid: relid,
    attname: name,
    atttypid: typeOid(type),
    attlen: type.isArray ? -1 : info.length,
    attnum,
    attndims: type.isArray ? 1 : 0,
    atttypmod: type.typmod,
    attbyval: facts.byval,
    attalign: facts.align,
    attstorage: facts.storage,
    attcollation: facts.collation,
  };
}

/** The default PostgreSQL shows for a column: identity columns have none. */
export function columnDefault(ctx: SystemContext, table: Table, column: Column): string | null {
  if (column.identity !== null) return null;
  if (column.defaultText !== null) return column.defaultText;
  if (column.default === null) return null;
  return ctx.defaultExpression?.(table, column) ?? null;
}

function attributeRows(ctx: SystemContext, system: readonly SystemRelation[]): SystemRow[] {
  const rows: SystemRow[] = systemAttributeRows(system, attributeRow);
  for (const r of userRelations(ctx.database)) {
    if (r.kind === 'table' && r.table.view) {
      (ctx.viewColumns?.(r.table) ?? []).forEach((c, i) => {
        rows.push(attributeRow(r.oid, i + 1, c.name, c.type));
      });
    } else if (r.kind === 'table') {
      for (const c of r.table.columns) {
        rows.push({
          ...attributeRow(r.oid, c.attnum, c.name, c.type),
          attnotnull: c.notNull,
          atthasdef: columnDefault(ctx, r.table, c) !== null,
          attidentity: c.identity === 'always' ? 'a' : c.identity === 'by default' ? 'd' : '',
        });
      }
    } else if (r.kind === 'index') {
      const index = r.index;
      for (let k = 0; k < indexKeyCount(index); k++) {
        const name = index.columns.length > 0 ? index.table.columns[index.columns[k]].name : 'expr';
        rows.push(attributeRow(r.oid, k + 1, name, indexKeyType(index, k)));
      }
    } else {
      rows.push(attributeRow(r.oid, 1, 'last_value', { base: 'int8', typmod: -1, isArray: false }));
      rows.push(attributeRow(r.oid, 2, 'log_cnt', { base: 'int8', typmod: -1, isArray: false }));
      rows.push(attributeRow(r.oid, 3, 'is_called', { base: 'bool', typmod: -1, isArray: false }));
    }
  }
  return rows;
}

/** pg_attrdef OIDs: derived from the table's so they stay stable without being stored. */
export function attrdefOid(table: Table, column: Column): number {
  return (0x40000000 + table.oid * 1600 + column.attnum) >>> 0;
}

function attrdefRows(ctx: SystemContext): SystemRow[] {
  const rows: SystemRow[] = [];
  for (const r of userRelations(ctx.database)) {
    if (r.kind !== 'table') continue;
    for (const c of r.table.columns) {
      const text = columnDefault(ctx, r.table, c);
      if (text !== null)
        rows.push({ oid: attrdefOid(r.table, c), adrelid: r.oid, adnum: c.attnum, adbin: text });
    }
  }
  return rows;
}

export const attributeRelations = (system: () => readonly SystemRelation[]) => [
  relation(
    'pg_attribute',
    1249,
    'attrelid oid, attname name, atttypid oid, attstattarget int4, attlen int2, attnum int2, attndims int4, ' +
      'attcacheoff int4, atttypmod int4, attbyval bool, attalign char, attstorage char, attcompression char, ' +
      'attnotnull bool, atthasdef bool, atthasmissing bool, attidentity char, attgenerated char, ' +
      'attisdropped bool, attislocal bool, attinhcount int4, attcollation oid, attacl aclitem[], ' +
      'attoptions text[], attfdwoptions text[], attmissingval text',
    (ctx) => attributeRows(ctx, system()),
    {
      attstattarget: -1,
      attcacheoff: -1,
      attcompression: '',
      attnotnull: false,
      atthasdef: false,
      atthasmissing: false,
      attidentity: '',
      attgenerated: '',
      attisdropped: false,
      attislocal: true,
      attinhcount: 0,
    },
  ),
  relation('pg_attrdef', 2604, 'oid oid, adrelid oid, adnum int2, adbin pg_node_tree', attrdefRows),
];
