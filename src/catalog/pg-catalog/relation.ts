/**
 * How a pg_catalog relation is declared: its pg_class OID, its columns written once as
 * PostgreSQL lists them (`"oid oid, relname name, reloptions text[]"`), and a producer of
 * rows as records keyed by column name. Columns a producer leaves out take the relation's
 * defaults, then NULL, so each producer states only what Quiver actually knows.
 */
import { ArrayValue } from '../../types/array.ts';
import type { BaseTypeName, SqlType, Value } from '../../types/type.ts';
import { sqlType } from '../../types/type.ts';
import type { Catalog } from '../catalog.ts';
import type { Column, Database, Table } from '../catalog-types.ts';

/** One row of pg_settings, as PostgreSQL shows it (memory in kB, durations in ms, with `unit`). */
export interface SettingRow {
  readonly name: string;
  readonly setting: string;
  readonly unit: string | null;
  readonly category: string;
  readonly doc: string;
  /** 'internal' for read-only settings, 'user' for those SET changes. */
  readonly context: string;
  readonly vartype: string;
  /** 'default', or 'session' once the session changed it (startup or SET). */
  readonly source: string;
  readonly min: string | null;
  readonly max: string | null;
  readonly enumvals: readonly string[] | null;
  readonly boot: string;
}

/** Session facts the system relations show (pg_prepared_statements, pg_settings, defaults). */
export interface SystemContext {
  readonly catalog: Catalog;
  readonly database: Database;
  readonly user: string;
  preparedStatements(): readonly {
    readonly name: string;
    readonly statement: string;
    readonly prepareTime: number;
    /** Type OIDs (regtype). */
    readonly parameterTypes: readonly number[];
    readonly fromSql: boolean;
  }[];
  settings(): readonly SettingRow[];
  /**
   * A column default as PostgreSQL deparses it (`'unnamed'::text`), which needs the binder;
   * the engine supplies it. Absent: the default's source text.
   */
  defaultExpression?(table: Table, column: Column): string | null;
  /** The output columns of a view's query (bound by the engine); absent: none. */
  viewColumns?(view: Table): readonly { readonly name: string; readonly type: SqlType }[];
}

export interface SystemColumn {
  readonly name: string;
  readonly type: SqlType;
}

export interface SystemRelation {
  readonly name: string;
  /** pg_class.oid of the relation in PostgreSQL 15 (regclass casts and pg_description use it). */
  readonly oid: number;
  /** 'r' for catalog tables, 'v' for the catalog views (pg_roles, pg_settings …). */
  readonly relkind: 'r' | 'v';
  /** pg_namespace OID: pg_catalog unless set (information_schema's views set it). */
  readonly namespace?: number;
  readonly columns: readonly SystemColumn[];
  rows(ctx: SystemContext): Value[][];
}

export type SystemRow = Readonly<Record<string, Value>>;

/** Parses `"name type, name type[]"` into columns. */
export function columnsOf(spec: string): SystemColumn[] {
  return spec.split(',').map((part) => {
    const [name, type] = part.trim().split(/\s+/);
    const isArray = type.endsWith('[]');
    return { name, type: sqlType((isArray ? type.slice(0, -2) : type) as BaseTypeName, -1, isArray) };
  });
}

export function relation(
  name: string,
  oid: number,
  spec: string,
  produce: (ctx: SystemContext) => readonly SystemRow[],
  defaults: SystemRow = {},
  relkind: 'r' | 'v' = 'r',
): SystemRelation {
  const columns = columnsOf(spec);
  for (const key of Object.keys(defaults)) {
    if (!columns.some((c) => c.name === key)) throw new Error(`${name}: default for unknown column ${key}`);
  }
  return {
    name,
    oid,
    relkind,
    columns,
    rows: (ctx) =>
      produce(ctx).map((row) =>
        columns.map((c) => (c.name in row ? row[c.name] : (defaults[c.name] ?? null))),
      ),
  };
}

export const PG_CATALOG_OID = 11;
export const INFORMATION_SCHEMA_OID = 13000;
export const PUBLIC_OID = 2200;
/** The bootstrap superuser's OID; Quiver's first role takes it, as in PostgreSQL. */
export const BOOTSTRAP_ROLE_OID = 10;
/** pg_database_owner: the predefined role that owns `public` in PostgreSQL 15. */
export const DATABASE_OWNER_ROLE_OID = 6171;
/** pg_collation "default", "C" and "POSIX". */
export const DEFAULT_COLLATION_OID = 100;
export const C_COLLATION_OID = 950;
export const POSIX_COLLATION_OID = 951;

/** An int2vector/oidvector value: a zero-based array, as PostgreSQL subscripts them. */
export function intVector(items: readonly number[]): ArrayValue {
  return items.length > 0 ? new ArrayValue([...items], [items.length], [0]) : ArrayValue.EMPTY;
}
