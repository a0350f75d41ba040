/**
 * pg_class and pg_namespace: Quiver's tables, views, indexes and sequences, plus the
 * pg_catalog relations themselves (so `'pg_catalog.pg_class'::regclass` and tab completion
 * find them); pg_am and pg_tablespace.
 */

import { ArrayValue } from '../../types/array.ts';
import { emptyIndexPages, indexKeyCount, indexReloptions } from './index-def.ts';
import { ACCESS_METHODS, accessMethodOid, HEAP_AM_OID, userRelations } from './objects.ts';
import {
  BOOTSTRAP_ROLE_OID,
  DATABASE_OWNER_ROLE_OID,
  INFORMATION_SCHEMA_OID,
  PG_CATALOG_OID,
  relation,
  type SystemContext,
  type SystemRelation,
  type SystemRow,
} from './relation.ts';

export const DEFAULT_TABLESPACE_OID = 1663;

function classRows(ctx: SystemContext, system: readonly SystemRelation[]): SystemRow[] {
  const rows: SystemRow[] = system.map((r) => ({
    oid: r.oid,
    relname: r.name,
    relnamespace: r.namespace ?? PG_CATALOG_OID,
    relam: r.relkind === 'r' ? HEAP_AM_OID : 0,
    relfilenode: r.relkind === 'r' ? r.oid : 0,
    relkind: r.relkind,
    relnatts: r.columns.length,
    relhasrules: r.relkind === 'v',
    relreplident: r.relkind === 'r' ? 'n' : 'n',
  }));
  for (const r of userRelations(ctx.database)) {
    const common = { oid: r.oid, relname: r.name, relnamespace: r.schema.oid, relfilenode: r.oid };
    switch (r.kind) {
      case 'table': {
        const t = r.table;
        const view = t.view !== null;
        rows.push({
          ...common,
          relfilenode: view ? 0 : r.oid,
          relam: view ? 0 : HEAP_AM_OID,
          relhasindex: t.indexes.length > 0,
          relpersistence: t.temporary ? 't' : 'p',
          relkind: view ? 'v' : 'r',
          relnatts: t.columns.length,
          // psql's \d prints "Check constraints:" only when this is above 0.
          relchecks: t.checks.length,
          relhasrules: view,
          // PostgreSQL enforces foreign keys by triggers on both tables; psql's \d asks.
          relhastriggers: t.foreignKeys.length > 0 || t.referencedBy.length > 0,
          relreplident: view ? 'n' : 'd',
        });
        break;
      }
      case 'index':
        rows.push({
          ...common,
          relam: accessMethodOid(r.index.method),
          relpersistence: r.index.table.temporary ? 't' : 'p',
          relkind: 'i',
          relnatts: indexKeyCount(r.index),
          // What CREATE INDEX records on an empty table; Quiver keeps no statistics.
          reltuples: 0,
          relpages: emptyIndexPages(r.index),
          reloptions: (() => {
            const options = indexReloptions(r.index);
            return options ? ArrayValue.of(options) : null;
          })(),
        });
        break;
      case 'sequence':
        rows.push({ ...common, relkind: 'S', relnatts: 3 });
        break;
    }
  }
  return rows;
}

export function classRelations(system: () => readonly SystemRelation[]): SystemRelation[] {
  return [
    relation(
      'pg_class',
      1259,
      'oid oid, relname name, relnamespace oid, reltype oid, reloftype oid, relowner oid, relam oid, ' +
        'relfilenode oid, reltablespace oid, relpages int4, reltuples float4, relallvisible int4, ' +
        'reltoastrelid oid, relhasindex bool, relisshared bool, relpersistence char, relkind char, ' +
        'relnatts int2, relchecks int2, relhasrules bool, relhastriggers bool, relhassubclass bool, ' +
        'relrowsecurity bool, relforcerowsecurity bool, relispopulated bool, relreplident char, ' +
        'relispartition bool, relrewrite oid, relfrozenxid xid, relminmxid xid, relacl aclitem[], ' +
        'reloptions text[], relpartbound pg_node_tree',
      (ctx) => classRows(ctx, system()),
      {
        reltype: 0,
        reloftype: 0,
        relowner: BOOTSTRAP_ROLE_OID,
        relam: 0,
        reltablespace: 0,
        relpages: 0,
        reltuples: -1,
        relallvisible: 0,
        reltoastrelid: 0,
        relhasindex: false,
        relisshared: false,
        relpersistence: 'p',
        relchecks: 0,
        relhasrules: false,
        relhastriggers: false,
        relhassubclass: false,
        relrowsecurity: false,
        relforcerowsecurity: false,
        relispopulated: true,
        relreplident: 'n',
        relispartition: false,
        relrewrite: 0,
        relfrozenxid: 0,
        relminmxid: 0,
      },
    ),
    relation('pg_namespace', 2615, 'oid oid, nspname name, nspowner oid, nspacl aclitem[]', (ctx) => [
      { oid: PG_CATALOG_OID, nspname: 'pg_catalog', nspowner: BOOTSTRAP_ROLE_OID },
      { oid: INFORMATION_SCHEMA_OID, nspname: 'information_schema', nspowner: BOOTSTRAP_ROLE_OID },
      ...[...ctx.database.schemas.values()].map((s) => ({
        oid: s.oid,
        nspname: s.name,
        // PostgreSQL 15: the predefined role pg_database_owner owns `public`.
        nspowner: s.name === 'public' ? DATABASE_OWNER_ROLE_OID : BOOTSTRAP_ROLE_OID,
      })),
    ]),
    relation('pg_am', 2601, 'oid oid, amname name, amhandler regproc, amtype char', () =>
      ACCESS_METHODS.map((a) => ({ oid: a.oid, amname: a.name, amhandler: 0, amtype: a.type })),
    ),
    // The languages PostgreSQL 15 comes with (psql's \\df+ and \\dL join them); Quiver's
    // functions are all built in (prolang 12 or 13).
    relation(
      'pg_language',
      2612,
      'oid oid, lanname name, lanowner oid, lanispl bool, lanpltrusted bool, lanplcallfoid oid, laninline oid, lanvalidator oid, lanacl aclitem[]',
      () =>
        (
          [
            [12, 'internal', false, false, 0, 0, 2246],
            [13, 'c', false, false, 0, 0, 2247],
            [14, 'sql', false, true, 0, 0, 2248],
            [13563, 'plpgsql', true, true, 13560, 13561, 13562],
          ] as const
        ).map(([oid, lanname, lanispl, lanpltrusted, lanplcallfoid, laninline, lanvalidator]) => ({
          oid,
          lanname,
          lanowner: BOOTSTRAP_ROLE_OID,
          lanispl,
          lanpltrusted,
          lanplcallfoid,
          laninline,
          lanvalidator,
        })),
    ),
    relation(
      'pg_tablespace',
      1213,
      'oid oid, spcname name, spcowner oid, spcacl aclitem[], spcoptions text[]',
      () => [
        { oid: DEFAULT_TABLESPACE_OID, spcname: 'pg_default', spcowner: BOOTSTRAP_ROLE_OID },
        { oid: 1664, spcname: 'pg_global', spcowner: BOOTSTRAP_ROLE_OID },
      ],
    ),
  ];
}
