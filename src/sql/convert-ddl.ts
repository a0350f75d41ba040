/**
 * DDL other than tables: DROP, CREATE INDEX, schemas, extensions, databases, roles,
 * views, TRUNCATE. Table DDL lives in convert-table-ddl.ts.
 */
import type * as pg from '@pgsql/types';
import type { QualifiedName } from './ast.ts';
import type {
  CreateIndexStmt,
  CreateSequenceStmt,
  CreateViewStmt,
  DatabaseStmt,
  DropStmt,
  ExtensionStmt,
  IndexElem,
  RoleStmt,
  SchemaStmt,
  TruncateStmt,
} from './ast-utility.ts';
import { convertExpr, convertOptExpr } from './convert-expr.ts';
import { convertRangeVar, convertSelectNode } from './convert-select.ts';
import { tableDdlConverters } from './convert-table-ddl.ts';
import {
  as,
  type ConvertContext,
  defElemBool,
  defElems,
  defElemValue,
  objectTypeWords,
  type StatementConverters,
  strings,
  unsupported,
  unwrap,
} from './pg-node.ts';

const DROP_TYPES: Partial<Record<pg.ObjectType, DropStmt['objectType']>> = {
  OBJECT_TABLE: 'table',
  OBJECT_INDEX: 'index',
  OBJECT_SCHEMA: 'schema',
  OBJECT_EXTENSION: 'extension',
  OBJECT_VIEW: 'view',
  OBJECT_SEQUENCE: 'sequence',
  OBJECT_TYPE: 'type',
};

/** A dotted name list as schema + name; three parts name another database. */
function qualifiedName(parts: string[], loc: number): QualifiedName {
  if (parts.length > 2) {
    throw unsupported(`cross-database references are not implemented: ${parts.join('.')}`, loc);
  }
  return parts.length === 2
    ? { schema: parts[0], name: parts[1], loc }
    : { schema: null, name: parts[0] ?? '', loc };
}

function convertDrop(s: pg.DropStmt, ctx: ConvertContext, loc: number): DropStmt {
  const objectType = s.removeType === undefined ? undefined : DROP_TYPES[s.removeType];
  if (objectType === undefined)
    throw unsupported(`DROP ${objectTypeWords(s.removeType)} is not supported`, loc);
  const names = (s.objects ?? []).map((n) => {
    // Relations: List of Strings; schemas/extensions: a String; types: a TypeName.
    const { tag, body } = unwrap(n);
    if (tag === 'List') return qualifiedName(strings((body as pg.List).items), loc);
    if (tag === 'TypeName') {
      const t = body as pg.TypeName;
      return qualifiedName(strings(t.names), ctx.loc(t.location));
    }
    return qualifiedName(strings([n]), loc);
  });
  return {
    kind: 'Drop',
    objectType,
    names,
    ifExists: s.missing_ok ?? false,
    cascade: s.behavior === 'DROP_CASCADE',
  };
}

function convertIndex(s: pg.IndexStmt, ctx: ConvertContext, loc: number): CreateIndexStmt {
  if (s.nulls_not_distinct) throw unsupported('NULLS NOT DISTINCT is not supported', loc);
  const table = convertRangeVar(s.relation!, ctx);
  const elems = (s.indexParams ?? []).map((n) => convertIndexElem(as(n, 'IndexElem')!, ctx, table.loc));
  return {
    kind: 'CreateIndex',
    name: s.idxname ?? null,
    table,
    method: s.accessMethod ?? 'btree',
    unique: s.unique ?? false,
    ifNotExists: s.if_not_exists ?? false,
    concurrent: s.concurrent ?? false,
    elems,
    include: (s.indexIncludingParams ?? []).map((n) => {
      const e = as(n, 'IndexElem')!;
      if (e.name === undefined) throw unsupported('expressions are not supported in included columns', loc);
      return { column: e.name, loc: table.loc };
    }),
    // Index options (WITH (m = 16)) keep their text; the access method validates them.
    options: defElems(s.options).map((d) => ({
      name: d.defname ?? '',
      value: defElemValue(d) ?? 'true',
      loc: ctx.loc(d.location),
    })),
    where: convertOptExpr(s.whereClause, ctx),
    loc,
  };
}

function convertIndexElem(e: pg.IndexElem, ctx: ConvertContext, tableLoc: number): IndexElem {
  const expr = e.expr === undefined ? null : convertExpr(e.expr, ctx);
  const loc = expr?.loc ?? tableLoc;
  if ((e.opclassopts?.length ?? 0) > 0) throw unsupported('operator class options are not supported', loc);
  const opclass = strings(e.opclass);
  return {
    column: e.name ?? null,
    expr,
    // pgvector's operator classes are unique by name; a schema qualifier is dropped.
    opclass: opclass.length === 0 ? null : opclass[opclass.length - 1],
    desc: e.ordering === 'SORTBY_DESC',
    nullsFirst:
      e.nulls_ordering === 'SORTBY_NULLS_FIRST'
        ? true
        : e.nulls_ordering === 'SORTBY_NULLS_LAST'
          ? false
          : null,
    loc,
  };
}

function convertCreateSchema(s: pg.CreateSchemaStmt, _ctx: ConvertContext, loc: number): SchemaStmt {
  if ((s.schemaElts?.length ?? 0) > 0)
    throw unsupported('CREATE SCHEMA with schema elements is not supported', loc);
  return {
    kind: 'CreateSchema',
    name: s.schemaname ?? s.authrole?.rolename ?? '',
    ifNotExists: s.if_not_exists ?? false,
  };
}

function convertCreateExtension(s: pg.CreateExtensionStmt): ExtensionStmt {
  const schema = defElems(s.options).find((d) => d.defname === 'schema');
  return {
    kind: 'CreateExtension',
    name: s.extname ?? '',
    ifNotExists: s.if_not_exists ?? false,
    schema: schema === undefined ? null : defElemValue(schema),
  };
}

/** Role options Quiver keeps; others (CREATEDB, CONNECTION LIMIT, VALID UNTIL, …) are accepted and ignored. */
function roleOptions(list: pg.Node[] | undefined, ctx: ConvertContext) {
  const out: { password?: string | null; superuser?: boolean; login?: boolean } = {};
  for (const d of defElems(list)) {
    if (d.defname === 'password') out.password = d.arg === undefined ? null : defElemValue(d);
    else if (d.defname === 'superuser') out.superuser = defElemBool(d, ctx);
    else if (d.defname === 'canlogin') out.login = defElemBool(d, ctx);
  }
  return out;
}

function convertCreateRole(s: pg.CreateRoleStmt, ctx: ConvertContext): RoleStmt {
  const options = roleOptions(s.options, ctx);
  // CREATE USER is CREATE ROLE … LOGIN.
  if (s.stmt_type === 'ROLESTMT_USER' && options.login === undefined) options.login = true;
  return { kind: 'CreateRole', names: [s.role ?? ''], ifExists: false, ...options };
}

function roleName(node: pg.Node | undefined, ctx: ConvertContext, loc: number): string {
  const r = as(node, 'RoleSpec');
  return roleSpecName(r, ctx, loc);
}

function roleSpecName(r: pg.RoleSpec | undefined, ctx: ConvertContext, loc: number): string {
  if (r?.roletype !== 'ROLESPEC_CSTRING') {
    const at = ctx.loc(r?.location);
    throw unsupported('CURRENT_USER, SESSION_USER and PUBLIC are not supported here', at >= 0 ? at : loc);
  }
  return r.rolename ?? '';
}

export const ddlConverters: StatementConverters = {
  ...tableDdlConverters,
  DropStmt: convertDrop,
  IndexStmt: convertIndex,
  CreateSchemaStmt: convertCreateSchema,
  CreateSeqStmt: (s, ctx): CreateSequenceStmt => {
    const options = Object.fromEntries(defElems(s.options).map((d) => [d.defname ?? '', defElemValue(d)]));
    const num = (v: string | null | undefined) => (v === undefined || v === null ? null : Number(v));
    return {
      kind: 'CreateSequence',
      name: convertRangeVar(s.sequence!, ctx),
      ifNotExists: s.if_not_exists ?? false,
      start: num(options.start),
      increment: num(options.increment),
    };
  },
  CreateExtensionStmt: convertCreateExtension,
  CreatedbStmt: (s): DatabaseStmt => ({ kind: 'CreateDatabase', name: s.dbname ?? '', ifExists: false }),
  DropdbStmt: (s): DatabaseStmt => ({
    kind: 'DropDatabase',
    name: s.dbname ?? '',
    ifExists: s.missing_ok ?? false,
  }),
  CreateRoleStmt: convertCreateRole,
  AlterRoleStmt: (s, ctx, loc): RoleStmt => ({
    kind: 'AlterRole',
    names: [roleSpecName(s.role, ctx, loc)],
    ifExists: false,
    ...roleOptions(s.options, ctx),
  }),
  DropRoleStmt: (s, ctx, loc): RoleStmt => ({
    kind: 'DropRole',
    names: (s.roles ?? []).map((n) => roleName(n, ctx, loc)),
    ifExists: s.missing_ok ?? false,
  }),
  TruncateStmt: (s, ctx): TruncateStmt => ({
    kind: 'Truncate',
    tables: (s.relations ?? []).map((n) => convertRangeVar(as(n, 'RangeVar')!, ctx)),
    restartIdentity: s.restart_seqs ?? false,
    cascade: s.behavior === 'DROP_CASCADE',
  }),
  ViewStmt: (s, ctx, loc): CreateViewStmt => {
    if (s.withCheckOption !== undefined && s.withCheckOption !== 'NO_CHECK_OPTION') {
      throw unsupported('WITH CHECK OPTION is not supported', loc);
    }
    if (s.view?.relpersistence === 't') throw unsupported('temporary views are not supported', loc);
    return {
      kind: 'CreateView',
      name: convertRangeVar(s.view!, ctx),
      query: convertSelectNode(s.query!, ctx, loc),
      replace: s.replace ?? false,
      columns: strings(s.aliases),
    };
  },
};
