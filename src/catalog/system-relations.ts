/**
 * pg_catalog relations generated from Quiver's catalog on each read: the ones client
 * libraries query on connect (pgvector's registerTypes reads pg_type; drivers read
 * pg_settings, pg_database …). Each relation declares its columns once; rows are produced
 * in the engine's value representation. The full pg_catalog/information_schema surface
 * is the client-compatibility issue; this file is where it grows.
 */
import { ArrayValue } from '../types/array.ts';
import type { SqlType, Value } from '../types/type.ts';
import { T } from '../types/type.ts';
import type { Catalog } from './catalog.ts';
import type { Database } from './catalog-types.ts';
import { typeRows } from './system-types.ts';

/** Session facts the system relations show (pg_prepared_statements, pg_settings). */
export interface SystemContext {
  readonly catalog: Catalog;
  readonly database: Database;
  readonly user: string;
  preparedStatements(): readonly {
    readonly name: string;
    readonly statement: string;
    readonly prepareTime: number;
    readonly parameterTypes: readonly string[];
  }[];
  settings(): readonly { readonly name: string; readonly value: string; readonly doc: string }[];
}

export interface SystemRelation {
  readonly name: string;
  readonly columns: readonly { readonly name: string; readonly type: SqlType }[];
  rows(ctx: SystemContext): Value[][];
}

export const PG_CATALOG_OID = 11;
export const PUBLIC_OID = 2200;

const col = (name: string, type: SqlType) => ({ name, type });
const textArray: SqlType = { base: 'text', typmod: -1, isArray: true };

const RELATIONS: SystemRelation[] = [
  {
    name: 'pg_type',
    columns: [
      col('oid', T.oid),
      col('typname', T.name),
      col('typnamespace', T.oid),
      col('typowner', T.oid),
      col('typlen', T.int2),
      col('typbyval', T.bool),
      col('typtype', T.char),
      col('typcategory', T.char),
      col('typispreferred', T.bool),
      col('typisdefined', T.bool),
      col('typdelim', T.char),
      col('typrelid', T.oid),
      col('typelem', T.oid),
      col('typarray', T.oid),
      col('typnotnull', T.bool),
      col('typbasetype', T.oid),
      col('typtypmod', T.int4),
      col('typndims', T.int4),
      col('typcollation', T.oid),
    ],
    rows: (ctx) => {
      const ext = ctx.database.extensions.get('vector');
      return typeRows(ext !== undefined, ext ? ctx.database.schemas.get(ext.schema)?.oid : undefined);
    },
  },
  {
    name: 'pg_namespace',
    columns: [col('oid', T.oid), col('nspname', T.name), col('nspowner', T.oid)],
    rows: (ctx) => [
      [PG_CATALOG_OID, 'pg_catalog', 10],
      [13000, 'information_schema', 10],
      ...[...ctx.database.schemas.values()].map((s) => [s.oid, s.name, 10]),
    ],
  },
  {
    name: 'pg_class',
    columns: [
      col('oid', T.oid),
      col('relname', T.name),
      col('relnamespace', T.oid),
      col('reltype', T.oid),
      col('relowner', T.oid),
      col('relam', T.oid),
      col('reltuples', T.float4),
      col('relhasindex', T.bool),
      col('relpersistence', T.char),
      col('relkind', T.char),
      col('relnatts', T.int2),
    ],
    rows: (ctx) => classRows(ctx),
  },
  {
    name: 'pg_index',
    columns: [
      col('indexrelid', T.oid),
      col('indrelid', T.oid),
      col('indnatts', T.int2),
      col('indisunique', T.bool),
      col('indisprimary', T.bool),
      col('indisvalid', T.bool),
      col('indkey', { base: 'int2vector', typmod: -1, isArray: false }),
    ],
    rows: (ctx) =>
      [...ctx.database.schemas.values()].flatMap((schema) =>
        [...schema.indexes.values()].map((ix) => [
          ix.oid,
          ix.table.oid,
          Math.max(1, ix.columns.length),
          ix.unique,
          ix.primary,
          true,
          // Expression keys are attnum 0, as in PostgreSQL.
          ArrayValue.of(ix.columns.length > 0 ? ix.columns.map((c) => ix.table.columns[c].attnum) : [0]),
        ]),
      ),
  },
  {
    name: 'pg_database',
    columns: [
      col('oid', T.oid),
      col('datname', T.name),
      col('datdba', T.oid),
      col('encoding', T.int4),
      col('datcollate', T.name),
      col('datctype', T.name),
      col('datistemplate', T.bool),
      col('datallowconn', T.bool),
    ],
    rows: (ctx) =>
      [...ctx.catalog.databases.values()].map((d) => [d.oid, d.name, 10, 6, 'C', 'C', false, true]),
  },
  {
    name: 'pg_extension',
    columns: [
      col('oid', T.oid),
      col('extname', T.name),
      col('extowner', T.oid),
      col('extnamespace', T.oid),
      col('extrelocatable', T.bool),
      col('extversion', T.text),
    ],
    rows: (ctx) =>
      [...ctx.database.extensions.entries()].map(([name, e]) => [
        e.oid,
        name,
        10,
        e.schema === 'pg_catalog' ? PG_CATALOG_OID : (ctx.database.schemas.get(e.schema)?.oid ?? PUBLIC_OID),
        name === 'vector',
        e.version,
      ]),
  },
  {
    name: 'pg_am',
    columns: [col('oid', T.oid), col('amname', T.name), col('amtype', T.char)],
    rows: () => [
      [403, 'btree', 'i'],
      [16394, 'hnsw', 'i'],
      [16391, 'ivfflat', 'i'],
    ],
  },
  {
    name: 'pg_roles',
    columns: [
      col('oid', T.oid),
      col('rolname', T.name),
      col('rolsuper', T.bool),
      col('rolcanlogin', T.bool),
      col('rolpassword', T.text),
    ],
    rows: (ctx) =>
      [...ctx.catalog.roles.values()].map((r) => [r.oid, r.name, r.superuser, r.login, '********']),
  },
  {
    name: 'pg_prepared_statements',
    columns: [
      col('name', T.text),
      col('statement', T.text),
      col('prepare_time', T.timestamptz),
      col('parameter_types', textArray),
      col('from_sql', T.bool),
      col('generic_plans', T.int8),
      col('custom_plans', T.int8),
    ],
    rows: (ctx) =>
      ctx
        .preparedStatements()
        .map((p) => [
          p.name,
          p.statement,
          p.prepareTime,
          ArrayValue.of([...p.parameterTypes]),
          false,
          0n,
          0n,
        ]),
  },
  {
    name: 'pg_settings',
    columns: [col('name', T.text), col('setting', T.text), col('short_desc', T.text)],
    rows: (ctx) => ctx.settings().map((s) => [s.name, s.value, s.doc]),
  },
];

const byName = new Map(RELATIONS.map((r) => [r.name, r]));

const ACCESS_METHOD_OIDS: Record<string, number> = { btree: 403, hnsw: 16394, ivfflat: 16391 };

/** pg_class: tables ('r'), views ('v'), indexes ('i') and sequences ('S') of the database. */
function classRows(ctx: SystemContext): Value[][] {
  const rows: Value[][] = [];
  for (const schema of ctx.database.schemas.values()) {
    for (const t of schema.tables.values()) {
      const kind = t.view ? 'v' : 'r';
      const persistence = t.temporary ? 't' : 'p';
      rows.push([
        t.oid,
        t.name,
        schema.oid,
        0,
        10,
        0,
        -1,
        t.indexes.length > 0,
        persistence,
        kind,
        t.columns.length,
      ]);
    }
    for (const ix of schema.indexes.values()) {
      const am = ACCESS_METHOD_OIDS[ix.method] ?? 0;
      rows.push([
        ix.oid,
        ix.name,
        schema.oid,
        0,
        10,
        am,
        -1,
        false,
        'p',
        'i',
        Math.max(1, ix.columns.length),
      ]);
    }
    for (const seq of schema.sequences.values()) {
      rows.push([seq.oid, seq.name, schema.oid, 0, 10, 0, -1, false, 'p', 'S', 3]);
    }
  }
  return rows;
}

/** The system relation `name` when `schema` is pg_catalog or unqualified. */
export function findSystemRelation(schema: string | null, name: string): SystemRelation | undefined {
  if (schema !== null && schema !== 'pg_catalog') return undefined;
  return byName.get(name);
}
