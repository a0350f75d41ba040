/**
 * pg_index, pg_constraint (the PRIMARY KEY and UNIQUE constraints Quiver keeps, each
 * backed by its index, and the CHECK constraints), pg_opclass, and the pg_indexes view (each index's definition, as
 * scripts and tools list them).
 */
import { ArrayValue } from '../../types/array.ts';
import { typeInfo } from '../../types/registry.ts';
import { typeOid } from '../../types/value-io.ts';
import type { IndexDef } from '../catalog-types.ts';
import { foreignKeyConstraintRows } from './foreign-keys.ts';
import { indexColumnCount, indexDefinition, indexKeyCount, indexKeyType } from './index-def.ts';
import { accessMethodOid, indexOpclass, OPERATOR_CLASSES } from './objects.ts';
import { opclassFamily } from './operators.ts';
import {
  BOOTSTRAP_ROLE_OID,
  intVector,
  PG_CATALOG_OID,
  PUBLIC_OID,
  relation,
  type SystemContext,
  type SystemRow,
} from './relation.ts';
import { typeFacts } from './types.ts';

function* indexes(ctx: SystemContext): Generator<IndexDef> {
  for (const schema of ctx.database.schemas.values()) yield* schema.indexes.values();
}

/** pg_constraint OIDs: derived from the backing index's OID (constraints are not stored apart). */
export function constraintOid(index: IndexDef): number {
  return (0x20000000 + index.oid) >>> 0;
}

function indexRow(index: IndexDef): SystemRow {
  const keys = indexKeyCount(index);
  const range = [...Array(keys).keys()];
  const keyTypes = range.map((k) => indexKeyType(index, k));
  return {
    indexrelid: index.oid,
    indrelid: index.table.oid,
    indnatts: indexColumnCount(index),
    indnkeyatts: keys,
    indisunique: index.unique,
    indisprimary: index.primary,
    // Expression keys are attnum 0, as in PostgreSQL.
    indkey: intVector([
      ...(index.columns.length > 0 ? index.columns.map((c) => index.table.columns[c].attnum) : [0]),
      ...(index.include ?? []).map((c) => index.table.columns[c].attnum),
    ]),
    indcollation: intVector(keyTypes.map((t) => (t.isArray ? 0 : typeFacts(typeInfo(t.base)).collation))),
    indclass: intVector(range.map((k) => indexOpclass(index, k, keyTypes[k])?.oid ?? 0)),
    indoption: intVector(range.map((k) => index.keyOptions?.[k] ?? 0)),
    indexprs: index.columns.length === 0 ? (index.expressionText?.('expression') ?? null) : null,
    indpred: index.predicate?.text(false) ?? null,
  };
}

function constraintRows(ctx: SystemContext): SystemRow[] {
  const rows: SystemRow[] = [];
  for (const index of indexes(ctx)) {
    if (index.constraint === null) continue;
    rows.push({
      oid: constraintOid(index),
      conname: index.constraint,
      connamespace: index.schema.oid,
      contype: index.primary ? 'p' : 'u',
      conrelid: index.table.oid,
      conindid: index.oid,
      conkey: ArrayValue.of(index.columns.map((c) => index.table.columns[c].attnum)),
    });
  }
  for (const schema of ctx.database.schemas.values()) {
    for (const table of schema.tables.values()) {
      for (const check of table.checks) {
        rows.push({
          oid: check.oid,
          conname: check.name,
          connamespace: schema.oid,
          contype: 'c',
          convalidated: check.validated,
          conrelid: table.oid,
          conindid: 0,
          connoinherit: check.noInherit,
          // NULL for an expression that reads no column (CHECK (true)), as in PostgreSQL.
          conkey:
            check.columns.length > 0
              ? ArrayValue.of(check.columns.map((c) => table.columns[c].attnum))
              : null,
          // PostgreSQL keeps the node tree; the expression's text stands in for it.
          conbin: check.text(false),
        });
      }
    }
  }
  return rows;
}

export const indexRelations = [
  relation(
    'pg_indexes',
    12043,
    'schemaname name, tablename name, indexname name, tablespace name, indexdef text',
    (ctx) =>
      [...indexes(ctx)].map((index) => ({
        schemaname: index.schema.name,
        tablename: index.table.name,
        indexname: index.name,
        indexdef: indexDefinition(index),
      })),
    { tablespace: null },
    'v',
  ),
  relation(
    'pg_index',
    2610,
    'indexrelid oid, indrelid oid, indnatts int2, indnkeyatts int2, indisunique bool, ' +
      'indnullsnotdistinct bool, indisprimary bool, indisexclusion bool, indimmediate bool, ' +
      'indisclustered bool, indisvalid bool, indcheckxmin bool, indisready bool, indislive bool, ' +
      'indisreplident bool, indkey int2vector, indcollation oidvector, indclass oidvector, ' +
      'indoption int2vector, indexprs pg_node_tree, indpred pg_node_tree',
    (ctx) => [...indexes(ctx)].map(indexRow),
    {
      indnullsnotdistinct: false,
      indisexclusion: false,
      indimmediate: true,
      indisclustered: false,
      indisvalid: true,
      indcheckxmin: false,
      indisready: true,
      indislive: true,
      indisreplident: false,
    },
  ),
  relation(
    'pg_constraint',
    2606,
    'oid oid, conname name, connamespace oid, contype char, condeferrable bool, condeferred bool, ' +
      'convalidated bool, conrelid oid, contypid oid, conindid oid, conparentid oid, confrelid oid, ' +
      'confupdtype char, confdeltype char, confmatchtype char, conislocal bool, coninhcount int4, ' +
      'connoinherit bool, conkey int2[], confkey int2[], conpfeqop oid[], conppeqop oid[], ' +
      'conffeqop oid[], confdelsetcols int2[], conexclop oid[], conbin pg_node_tree',
    (ctx) => [...constraintRows(ctx), ...foreignKeyConstraintRows(ctx)],
    {
      condeferrable: false,
      condeferred: false,
      convalidated: true,
      contypid: 0,
      conparentid: 0,
      confrelid: 0,
      confupdtype: ' ',
      confdeltype: ' ',
      confmatchtype: ' ',
      conislocal: true,
      coninhcount: 0,
      connoinherit: true,
    },
  ),
  relation(
    'pg_opclass',
    2616,
    'oid oid, opcmethod oid, opcname name, opcnamespace oid, opcowner oid, opcfamily oid, ' +
      'opcintype oid, opcdefault bool, opckeytype oid',
    (ctx) => {
      const ext = ctx.database.extensions.get('vector');
      const extSchema = ext ? (ctx.database.schemas.get(ext.schema)?.oid ?? PUBLIC_OID) : null;
      return OPERATOR_CLASSES.filter((o) => !o.extension || extSchema !== null).map((o) => ({
        oid: o.oid,
        opcmethod: accessMethodOid(o.method),
        opcname: o.name,
        opcnamespace: o.extension ? extSchema : PG_CATALOG_OID,
        opcfamily: opclassFamily(o).oid,
        opcintype: typeOid({ base: o.type as never, typmod: -1, isArray: false }),
        opcdefault: o.isDefault,
      }));
    },
    { opcowner: BOOTSTRAP_ROLE_OID, opckeytype: 0 },
  ),
];
