/**
 * The session's name ↔ OID lookups for regclass, regnamespace and regrole (their input
 * and output functions): relations are found along the search path with pg_catalog first,
 * and printed qualified when their bare name would find something else.
 */
import type { Catalog } from '../catalog/catalog.ts';
import type { Database } from '../catalog/catalog-types.ts';
import { namedProcs } from '../catalog/pg-catalog/builtin-procs.ts';
import { findUserRelation, namespaceName } from '../catalog/pg-catalog/objects.ts';
import { operators } from '../catalog/pg-catalog/operators.ts';
import { procTypeName, typeOidOf } from '../catalog/pg-catalog/procs.ts';
import { INFORMATION_SCHEMA_OID, PG_CATALOG_OID } from '../catalog/pg-catalog/relation.ts';
import { findSystemRelation, systemRelations } from '../catalog/system-relations.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { quoteIdent } from '../types/functions-string.ts';
import type { ObjectNames } from '../types/registry-types.ts';
import { parseRegtype } from '../types/regtype.ts';

/** Splits `a."B c".d` into identifiers, folding unquoted ones to lower case. */
export function splitQualifiedName(text: string): string[] {
  const parts: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^."\s]+))\s*(\.|$)/y;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < text.length && (m = re.exec(text)) !== null) {
    parts.push(m[1] !== undefined ? m[1].replaceAll('""', '"') : m[2].toLowerCase());
    at = re.lastIndex;
    if (m[3] === '') break;
  }
  if (at < text.length || parts.length === 0) {
    throw new SqlError(SqlState.InvalidName, `invalid name syntax`);
  }
  return parts;
}

/** The relation a bare name finds: pg_catalog first, then the search path. */
function visibleRelation(db: Database, searchPath: readonly string[], name: string): number | undefined {
  const system = findSystemRelation(null, name);
  if (system) return system.oid;
  for (const s of searchPath) {
    const schema = db.schemas.get(s);
    if (!schema) continue;
    const found = schema.tables.get(name) ?? schema.indexes.get(name) ?? schema.sequences.get(name);
    if (found) return found.oid;
  }
  return undefined;
}

export function isRelationVisible(db: Database, searchPath: readonly string[], oid: number): boolean | null {
  const system = systemRelations().find((r) => r.oid === oid);
  if (system) return system.namespace !== INFORMATION_SCHEMA_OID;
  const r = findUserRelation(db, oid);
  if (!r) return null;
  return visibleRelation(db, searchPath, r.name) === oid;
}

export function objectNames(catalog: Catalog, db: Database, searchPath: readonly string[]): ObjectNames {
  return {
    relationOid(text) {
      const parts = splitQualifiedName(text);
      const name = parts[parts.length - 1];
      let oid: number | undefined;
      if (parts.length === 1) oid = visibleRelation(db, searchPath, name);
      else if (parts[parts.length - 2] === 'pg_catalog' || parts[parts.length - 2] === 'information_schema')
        oid = findSystemRelation(parts[parts.length - 2], name)?.oid;
      else {
        const schema = db.schemas.get(parts[parts.length - 2]);
        oid = (schema?.tables.get(name) ?? schema?.indexes.get(name) ?? schema?.sequences.get(name))?.oid;
      }
      if (oid === undefined) throw new SqlError(SqlState.UndefinedTable, `relation "${text}" does not exist`);
      return oid;
    },
    relationName(oid) {
      const system = systemRelations().find((r) => r.oid === oid);
      if (system?.namespace === INFORMATION_SCHEMA_OID)
        return `information_schema.${quoteIdent(system.name)}`;
      if (system) return quoteIdent(system.name);
      const r = findUserRelation(db, oid);
      if (!r) return undefined;
      return visibleRelation(db, searchPath, r.name) === oid
        ? quoteIdent(r.name)
        : `${quoteIdent(r.schema.name)}.${quoteIdent(r.name)}`;
    },
    namespaceOid(text) {
      const [name] = splitQualifiedName(text);
      if (name === 'pg_catalog') return PG_CATALOG_OID;
      const schema = db.schemas.get(name);
      if (!schema) throw new SqlError(SqlState.InvalidSchemaName, `schema "${text}" does not exist`);
      return schema.oid;
    },
    namespaceName(oid) {
      const name = namespaceName(db, oid);
      return name === undefined ? undefined : quoteIdent(name);
    },
    roleOid(text) {
      const [name] = splitQualifiedName(text);
      const role = catalog.roles.get(name);
      if (!role) throw new SqlError(SqlState.UndefinedObject, `role "${text}" does not exist`);
      return role.oid;
    },
    roleName(oid) {
      for (const role of catalog.roles.values()) if (role.oid === oid) return quoteIdent(role.name);
      return undefined;
    },
    procOid(text) {
      const parts = splitQualifiedName(text);
      const name = parts[parts.length - 1];
      const schema = parts.length > 1 ? parts[parts.length - 2] : null;
      const found = namedProcs(db).filter(
        (p) => p.name === name && (schema === null || namespaceName(db, p.namespace) === schema),
      );
      if (found.length === 0)
        throw new SqlError(SqlState.UndefinedFunction, `function "${text}" does not exist`);
      if (found.length > 1)
        throw new SqlError(SqlState.AmbiguousFunction, `more than one function named "${text}"`);
      return found[0].oid;
    },
    procName(oid) {
      const all = namedProcs(db);
      const found = all.find((p) => p.oid === oid);
      if (!found) return undefined;
      // regprocout qualifies a name that does not find exactly this function along the
      // search path: an overloaded one (pgvector's l2_distance) or one in a schema off it.
      const schema = namespaceName(db, found.namespace) ?? '';
      const visible = (ns: number) =>
        ns === PG_CATALOG_OID || searchPath.includes(namespaceName(db, ns) ?? '');
      const unique =
        visible(found.namespace) &&
        all.filter((p) => p.name === found.name && visible(p.namespace)).length === 1;
      return unique ? quoteIdent(found.name) : `${quoteIdent(schema)}.${quoteIdent(found.name)}`;
    },
    operatorOid(text) {
      const m = /^\s*(?:([^.(]+)\.)?([^.(\s]+)\s*\((.*),(.*)\)\s*$/.exec(text);
      if (!m) throw new SqlError(SqlState.InvalidTextRepresentation, 'expected a left parenthesis');
      const [, schema, name, left, right] = m;
      const operand = (t: string) => (t.trim().toUpperCase() === 'NONE' ? 0 : parseRegtype(t.trim()));
      const [leftOid, rightOid] = [operand(left), operand(right)];
      const found = operators({ database: db }).find(
        ({ op, namespace }) =>
          op.name === name &&
          typeOidOf(op.type) === leftOid &&
          typeOidOf(op.type) === rightOid &&
          (schema === undefined || namespaceName(db, namespace) === schema.trim()),
      );
      if (!found) throw new SqlError(SqlState.UndefinedFunction, `operator does not exist: ${text.trim()}`);
      return found.op.oid;
    },
    operatorName(oid) {
      const found = operators({ database: db }).find(({ op }) => op.oid === oid);
      if (!found) return undefined;
      const { op, namespace } = found;
      const schema = namespaceName(db, namespace);
      // format_operator qualifies an operator whose schema is not on the search path.
      const qualifier = schema !== undefined && !searchPath.includes(schema) ? `${quoteIdent(schema)}.` : '';
      const type = procTypeName(typeOidOf(op.type));
      return `${qualifier}${op.name}(${type},${type})`;
    },
  };
}
