/**
 * The functions psql and drivers call on catalog rows: format_type, pg_get_indexdef,
 * pg_get_constraintdef, pg_get_expr, the *_is_visible tests, the comment lookups
 * (obj_description, col_description, shobj_description), pg_get_function_arguments/result,
 * pg_get_userbyid, pg_encoding_to_char … They read the session's catalog, so they are
 * engine-side functions; each follows the PostgreSQL function of the same name.
 */
import type { BindContext } from '../bind/bind-context.ts';
import type { BoundExpr } from '../bind/bound-expr.ts';
import { tryCoerce } from '../bind/coercion.ts';
import type { Database } from '../catalog/catalog-types.ts';
import { pgvectorCasts } from '../catalog/pg-catalog/casts.ts';
import { DEFAULT_TABLESPACE_OID } from '../catalog/pg-catalog/classes.ts';
import { CATALOG_OIDS } from '../catalog/pg-catalog/extension-members.ts';
import { foreignKeyDefinition } from '../catalog/pg-catalog/foreign-keys.ts';
import {
  checkDefinition,
  constraintDefinition,
  indexColumnCount,
  indexDefinition,
  indexKeyText,
} from '../catalog/pg-catalog/index-def.ts';
import { constraintOid } from '../catalog/pg-catalog/indexes.ts';
import {
  ACCESS_METHODS,
  findIndexByOid,
  findTableByOid,
  findUserRelation,
  namespaceName,
} from '../catalog/pg-catalog/objects.ts';
import { opclassFamily, operators, visibleOpclasses } from '../catalog/pg-catalog/operators.ts';
import { procs, procTypeName } from '../catalog/pg-catalog/procs.ts';
import {
  C_COLLATION_OID,
  DEFAULT_COLLATION_OID,
  PG_CATALOG_OID,
  POSIX_COLLATION_OID,
} from '../catalog/pg-catalog/relation.ts';
import { roleName } from '../catalog/pg-catalog/roles.ts';
import { typeNamespace } from '../catalog/pg-catalog/types.ts';
import { findSystemRelation } from '../catalog/system-relations.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { typeByOid } from '../types/registry.ts';
import { type SqlType, sqlType, T, type Value } from '../types/type.ts';
import { formatSqlType } from '../types/value-io.ts';
import { isRelationVisible } from './object-names.ts';
import { databaseBytes, relationSize, type SizeOf } from './relation-size.ts';

type Impl = (args: Value[]) => Value;

interface Signature {
  readonly args: readonly SqlType[];
  readonly result: SqlType;
  /** Strict functions return NULL for any NULL argument without being called (the default). */
  readonly strict?: boolean;
  readonly impl: (bc: BindContext) => Impl;
}

const ENCODINGS: Record<number, string> = { 0: 'SQL_ASCII', 6: 'UTF8' };

/** format_type(type_oid, typmod): NULL typmod means "no typmod", as for -1. */
function formatType(oid: Value, typmod: Value): Value {
  if (oid === null) return null;
  const found = typeByOid(oid as number);
  if (!found) return procTypeName(oid as number);
  const mod = typmod === null ? -1 : (typmod as number);
  return formatSqlType(sqlType(found.info.name, mod, found.array));
}

/** pg_description rows for (objoid, classoid, objsubid). */
function description(
  bc: BindContext,
  relation: string,
  objoid: Value,
  classoid: Value,
  subid: number,
): Value {
  const rows = findSystemRelation('pg_catalog', relation)?.rows(bc.system) ?? [];
  const hasSub = relation === 'pg_description';
  const row = rows.find((r) => r[0] === objoid && r[1] === classoid && (!hasSub || r[2] === subid));
  return row ? row[row.length - 1] : null;
}

function classOidOf(name: Value): number | undefined {
  return findSystemRelation('pg_catalog', String(name))?.oid;
}

/** pg_catalog and the schemas on the search path. */
function namespaceVisible(bc: BindContext, ns: number): boolean {
  if (ns === PG_CATALOG_OID) return true;
  return [...bc.database.schemas.values()].some((s) => s.oid === ns && bc.searchPath.includes(s.name));
}

function procByOid(bc: BindContext, oid: Value) {
  return procs(bc.system).find((p) => p.oid === oid);
}

/** The database named `db`; 3D000 for none, as PostgreSQL's privilege and size functions say. */
function databaseNamed(bc: BindContext, db: Value): Database {
  const found = bc.catalog.databases.get(String(db));
  if (!found) throw new SqlError(SqlState.InvalidCatalogName, `database "${String(db)}" does not exist`);
  return found;
}

function databaseWithOid(bc: BindContext, oid: Value): Database | null {
  return [...bc.catalog.databases.values()].find((d) => d.oid === oid) ?? null;
}

/** pg_relation_size(regclass) and its family: `what` of the relation. */
function sizeFunction(what: SizeOf): Signature {
  return {
    args: [T.regclass],
    result: T.int8,
    impl:
      (bc) =>
      ([id]) =>
        relationSize(bc.database, id as number, what),
  };
}

/** The other forks (free space map, visibility map, init): Quiver keeps none; PostgreSQL's names only. */
function forkBytes(fork: Value): bigint {
  if (fork === 'fsm' || fork === 'vm' || fork === 'init') return 0n;
  throw new SqlError(SqlState.InvalidParameterValue, 'invalid fork name', {
    hint: 'Valid fork names are "main", "fsm", "vm", and "init".',
  });
}

/**
 * The pg_*_is_visible tests of the other object kinds: whether the object's schema is on the
 * search path (or pg_catalog), NULL for an OID that names no such object — PostgreSQL's
 * answer. Kinds Quiver has none of (conversions, extended statistics, text search objects)
 * always answer NULL.
 */
function namespaceVisibilityTests(): Record<string, readonly Signature[]> {
  const kinds: Record<string, (bc: BindContext, id: number) => number | undefined> = {
    pg_collation_is_visible: (_bc, id) =>
      [DEFAULT_COLLATION_OID, C_COLLATION_OID, POSIX_COLLATION_OID].includes(id) ? PG_CATALOG_OID : undefined,
    pg_operator_is_visible: (bc, id) => operators(bc.system).find((o) => o.op.oid === id)?.namespace,
    pg_opclass_is_visible: (bc, id) =>
      visibleOpclasses(bc.system).find((o) => o.opclass.oid === id)?.namespace,
    pg_opfamily_is_visible: (bc, id) =>
      visibleOpclasses(bc.system).find((o) => opclassFamily(o.opclass).oid === id)?.namespace,
    pg_conversion_is_visible: () => undefined,
    pg_statistics_obj_is_visible: () => undefined,
    pg_ts_config_is_visible: () => undefined,
    pg_ts_dict_is_visible: () => undefined,
    pg_ts_parser_is_visible: () => undefined,
    pg_ts_template_is_visible: () => undefined,
  };
  return Object.fromEntries(
    Object.entries(kinds).map(([fname, namespaceOf]) => [
      fname,
      [
        {
          args: [T.oid],
          result: T.bool,
          impl:
            (bc: BindContext) =>
            ([id]: Value[]) => {
              const ns = namespaceOf(bc, id as number);
              return ns === undefined ? null : namespaceVisible(bc, ns);
            },
        },
      ],
    ]),
  );
}

/**
 * pg_describe_object(classid, objid, objsubid): getObjectDescription's wording for the
 * objects Quiver has — pgvector's members as `\\dx+` lists them, relations, schemas and
 * extensions. Names off the search path are schema-qualified, as PostgreSQL does.
 */
function describeObject(bc: BindContext, classid: number, objid: number): string | null {
  const qualified = (ns: number, name: string) => {
    const schema = namespaceName(bc.database, ns);
    return namespaceVisible(bc, ns) || schema === undefined ? name : `${schema}.${name}`;
  };
  const amName = (method: string) => `for access method ${method}`;
  switch (classid) {
    case CATALOG_OIDS.pg_type:
      return typeByOid(objid) ? `type ${String(formatType(objid, null))}` : null;
    case CATALOG_OIDS.pg_proc: {
      const p = procByOid(bc, objid);
      return p
        ? `function ${qualified(p.namespace, p.name)}(${p.argTypes.map(procTypeName).join(',')})`
        : null;
    }
    case CATALOG_OIDS.pg_am: {
      const am = ACCESS_METHODS.find((a) => a.oid === objid);
      return am ? `access method ${am.name}` : null;
    }
    case CATALOG_OIDS.pg_cast: {
      const c = pgvectorCasts().find((row) => row.oid === objid);
      return c
        ? `cast from ${String(formatType(c.castsource, null))} to ${String(formatType(c.casttarget, null))}`
        : null;
    }
    case CATALOG_OIDS.pg_operator: {
      const name = bc.objectNames?.operatorName(objid);
      return name ? `operator ${name}` : null;
    }
    case CATALOG_OIDS.pg_opclass: {
      const found = visibleOpclasses(bc.system).find((o) => o.opclass.oid === objid);
      if (!found) return null;
      return `operator class ${qualified(found.namespace, found.opclass.name)} ${amName(found.opclass.method)}`;
    }
    case CATALOG_OIDS.pg_opfamily: {
      const found = visibleOpclasses(bc.system).find((o) => opclassFamily(o.opclass).oid === objid);
      if (!found) return null;
      const family = opclassFamily(found.opclass).name;
      return `operator family ${qualified(found.namespace, family)} ${amName(found.opclass.method)}`;
    }
    case CATALOG_OIDS.pg_extension: {
      const ext = [...bc.database.extensions.entries()].find(([, e]) => e.oid === objid);
      return ext ? `extension ${ext[0]}` : null;
    }
    case PG_NAMESPACE_OID: {
      const schema = namespaceName(bc.database, objid);
      return schema === undefined ? null : `schema ${schema}`;
    }
    case PG_CLASS_OID: {
      const r = findUserRelation(bc.database, objid);
      if (!r) return null;
      const kind = r.kind === 'table' ? (r.table.view ? 'view' : 'table') : r.kind;
      return `${kind} ${qualified(r.schema.oid, r.name)}`;
    }
    default:
      return null;
  }
}

const PG_CLASS_OID = 1259;
const PG_NAMESPACE_OID = 2615;

const oid = T.oid;
const int4 = T.int4;
const bool = T.bool;
const text = T.text;
const name = T.name;

const FUNCTIONS: Record<string, readonly Signature[]> = {
  format_type: [
    {
      args: [oid, int4],
      result: text,
      strict: false,
      impl:
        () =>
        ([o, m]) =>
          formatType(o, m),
    },
  ],
  pg_encoding_to_char: [
    {
      args: [int4],
      result: name,
      impl:
        () =>
        ([e]) =>
          ENCODINGS[e as number] ?? '',
    },
  ],
  pg_get_userbyid: [
    {
      args: [oid],
      result: name,
      impl:
        (bc) =>
        ([id]) =>
          roleName(bc.system, id as number) ?? `unknown (OID=${String(id)})`,
    },
  ],
  // The relation a name means, or NULL where the cast to regclass would fail (no such relation).
  to_regclass: [
    {
      args: [T.text],
      result: T.regclass,
      impl:
        (bc) =>
        ([name]) => {
          try {
            return bc.objectNames?.relationOid(name as string) ?? null;
          } catch (err) {
            if (err instanceof SqlError && err.code === SqlState.UndefinedTable) return null;
            throw err;
          }
        },
    },
  ],
  pg_table_is_visible: [
    {
      args: [oid],
      result: bool,
      impl:
        (bc) =>
        ([id]) =>
          isRelationVisible(bc.database, bc.searchPath, id as number),
    },
  ],
  pg_type_is_visible: [
    {
      args: [oid],
      result: bool,
      impl:
        (bc) =>
        ([id]) => {
          const found = typeByOid(id as number);
          if (!found) return null;
          const ns = typeNamespace(bc.system, found.info);
          return ns !== null && namespaceVisible(bc, ns);
        },
    },
  ],
  pg_function_is_visible: [
    {
      args: [oid],
      result: bool,
      impl:
        (bc) =>
        ([id]) => {
          const p = procByOid(bc, id);
          if (!p) return null;
          return namespaceVisible(bc, p.namespace);
        },
    },
  ],
  ...namespaceVisibilityTests(),
  pg_describe_object: [
    {
      args: [T.oid, T.oid, T.int4],
      result: T.text,
      impl:
        (bc) =>
        ([classid, objid]) =>
          describeObject(bc, classid as number, objid as number),
    },
  ],
  pg_get_function_arguments: [
    {
      args: [oid],
      result: text,
      impl:
        (bc) =>
        ([id]) =>
          procByOid(bc, id)?.argTypes.map(procTypeName).join(', ') ?? null,
    },
  ],
  pg_get_function_identity_arguments: [
    {
      args: [oid],
      result: text,
      impl:
        (bc) =>
        ([id]) =>
          procByOid(bc, id)?.argTypes.map(procTypeName).join(', ') ?? null,
    },
  ],
  pg_get_function_result: [
    {
      args: [oid],
      result: text,
      impl:
        (bc) =>
        ([id]) => {
          const p = procByOid(bc, id);
          return p ? procTypeName(p.resultType) : null;
        },
    },
  ],
  // adbin/indexprs hold the expression's SQL text: Quiver keeps no node trees.
  pg_get_expr: [
    {
      args: [text, oid],
      result: text,
      impl:
        () =>
        ([e]) =>
          e,
    },
    {
      args: [text, oid, bool],
      result: text,
      impl:
        () =>
        ([e]) =>
          e,
    },
  ],
  pg_get_indexdef: [
    {
      args: [oid],
      result: text,
      impl:
        (bc) =>
        ([id]) => {
          const index = findIndexByOid(bc.database, id as number);
          return index ? indexDefinition(index) : null;
        },
    },
    {
      args: [oid, int4, bool],
      result: text,
      impl:
        (bc) =>
        ([id, column, pretty]) => {
          const index = findIndexByOid(bc.database, id as number);
          if (!index) return null;
          const k = column as number;
          const qualify = !pretty || isRelationVisible(bc.database, bc.searchPath, index.table.oid) !== true;
          if (k === 0) return indexDefinition(index, qualify, pretty === true);
          return k > 0 && k <= indexColumnCount(index) ? indexKeyText(index, k - 1, pretty === true) : '';
        },
    },
  ],
  pg_get_constraintdef: [
    {
      args: [oid],
      result: text,
      impl:
        (bc) =>
        ([id]) =>
          constraintDef(bc, id, false),
    },
    {
      args: [oid, bool],
      result: text,
      impl:
        (bc) =>
        ([id, pretty]) =>
          constraintDef(bc, id, pretty === true),
    },
  ],
  obj_description: [
    {
      args: [oid, name],
      result: text,
      impl:
        (bc) =>
        ([o, c]) =>
          description(bc, 'pg_description', o, classOidOf(c), 0),
    },
    {
      args: [oid],
      result: text,
      impl:
        (bc) =>
        ([o]) => {
          const rows = findSystemRelation('pg_catalog', 'pg_description')?.rows(bc.system) ?? [];
          return rows.find((r) => r[0] === o && r[2] === 0)?.[3] ?? null;
        },
    },
  ],
  col_description: [
    {
      args: [oid, int4],
      result: text,
      impl:
        (bc) =>
        ([o, n]) =>
          description(bc, 'pg_description', o, 1259, n as number),
    },
  ],
  shobj_description: [
    {
      args: [oid, name],
      result: text,
      impl:
        (bc) =>
        ([o, c]) =>
          description(bc, 'pg_shdescription', o, classOidOf(c), 0),
    },
  ],
  // Quiver keeps a view's query, not PostgreSQL's deparsed text of it (not yet printed).
  pg_get_viewdef: [
    { args: [oid], result: text, impl: () => () => null },
    { args: [oid, bool], result: text, impl: () => () => null },
  ],
  // Quiver has no views' rules, extended statistics or publications to describe.
  pg_get_statisticsobjdef_columns: [{ args: [oid], result: text, impl: () => () => null }],
  pg_get_ruledef: [
    { args: [oid], result: text, impl: () => () => null },
    { args: [oid, bool], result: text, impl: () => () => null },
  ],
  // Sizes in bytes (relation-size.ts: estimates, in whole 8 kB pages).
  pg_relation_size: [
    sizeFunction('relation'),
    {
      args: [T.regclass, text],
      result: T.int8,
      impl:
        (bc) =>
        ([id, fork]) =>
          fork === 'main' ? relationSize(bc.database, id as number, 'relation') : forkBytes(fork),
    },
  ],
  pg_table_size: [sizeFunction('table')],
  pg_indexes_size: [sizeFunction('indexes')],
  pg_total_relation_size: [sizeFunction('total')],
  // Quiver has no database privileges: every existing database can be connected to.
  has_database_privilege: [
    {
      args: [text, text],
      result: bool,
      impl:
        (bc) =>
        ([db]) =>
          databaseNamed(bc, db) !== null,
    },
    {
      args: [oid, text],
      result: bool,
      impl:
        (bc) =>
        ([db]) =>
          databaseWithOid(bc, db) !== null,
    },
    {
      args: [name, text, text],
      result: bool,
      impl:
        (bc) =>
        ([, db]) =>
          databaseNamed(bc, db) !== null,
    },
  ],
  pg_database_size: [
    {
      args: [name],
      result: T.int8,
      impl:
        (bc) =>
        ([db]) =>
          databaseBytes(databaseNamed(bc, db)!),
    },
    {
      args: [oid],
      result: T.int8,
      impl:
        (bc) =>
        ([db]) => {
          const found = databaseWithOid(bc, db);
          return found ? databaseBytes(found) : null;
        },
    },
  ],
  // Every relation lives in the default tablespace, whose location PostgreSQL prints as ''.
  pg_tablespace_location: [{ args: [oid], result: text, impl: () => () => '' }],
  pg_tablespace_size: [
    {
      args: [oid],
      result: T.int8,
      impl:
        (bc) =>
        ([ts]) =>
          ts === DEFAULT_TABLESPACE_OID
            ? [...bc.catalog.databases.values()].reduce((n, db) => n + databaseBytes(db), 0n)
            : 0n,
    },
  ],
  // Built-in functions have no SQL body (psql's \\df+ falls back to prosrc).
  pg_get_function_sqlbody: [{ args: [oid], result: text, impl: () => () => null }],
  pg_char_to_encoding: [
    {
      args: [name],
      result: int4,
      impl:
        () =>
        ([e]) =>
          Number(Object.entries(ENCODINGS).find(([, n]) => n === String(e).toUpperCase())?.[0] ?? -1),
    },
  ],
  getdatabaseencoding: [{ args: [], result: name, impl: () => () => 'UTF8' }],
  pg_relation_is_publishable: [
    {
      args: [T.regclass],
      result: bool,
      impl:
        (bc) =>
        ([id]) => {
          const table = findTableByOid(bc.database, id as number);
          return table ? table.view === null && !table.temporary : false;
        },
    },
  ],
};

function constraintDef(bc: BindContext, id: Value, pretty: boolean): Value {
  for (const schema of bc.database.schemas.values()) {
    for (const index of schema.indexes.values()) {
      if (index.constraint !== null && constraintOid(index) === id) return constraintDefinition(index);
    }
    for (const table of schema.tables.values()) {
      const check = table.checks.find((c) => c.oid === id);
      if (check) return checkDefinition(check, pretty);
      const fk = table.foreignKeys.find((f) => f.oid === id);
      if (!fk) continue;
      // The referenced table is qualified when the search path does not find it by name.
      return foreignKeyDefinition(
        fk,
        isRelationVisible(bc.database, bc.searchPath, fk.refTable.oid) !== true,
      );
    }
  }
  return null;
}

/** A bound call when `name` is one of these functions and the arguments fit one signature. */
export function resolveCatalogFunction(
  fname: string,
  args: readonly BoundExpr[],
  bc: BindContext,
): BoundExpr | undefined {
  for (const sig of FUNCTIONS[fname] ?? []) {
    if (sig.args.length !== args.length) continue;
    const coerced = args.map((a, i) => tryCoerce(a, sig.args[i], 'implicit', bc));
    if (coerced.some((c) => c === null)) continue;
    const impl = sig.impl(bc);
    const strict = sig.strict ?? true;
    return {
      kind: 'SessionCall',
      type: sig.result,
      name: fname,
      args: coerced as BoundExpr[],
      impl: (values) => (strict && values.some((v) => v === null) ? null : impl(values)),
    };
  }
  return undefined;
}
