/**
 * pg_type and pg_collation. pg_type lists every registered base type and its array type;
 * pgvector's types appear only once `CREATE EXTENSION vector` ran in the database (clients
 * look them up by name), in the extension's schema.
 */
import { allTypes } from '../../types/registry.ts';
import type { TypeInfo } from '../../types/registry-types.ts';
import { EXTENSION_TYPES } from '../../types/vector-oids.ts';
import { arrayTypeProcs } from './builtin-procs.ts';
import {
  BOOTSTRAP_ROLE_OID,
  C_COLLATION_OID,
  DEFAULT_COLLATION_OID,
  PG_CATALOG_OID,
  POSIX_COLLATION_OID,
  PUBLIC_OID,
  relation,
  type SystemContext,
  type SystemRow,
} from './relation.ts';

/** typstorage: plain for fixed-size types; pgvector's types are stored external. */
const STORAGE: Record<string, string> = {
  numeric: 'm',
  vector: 'e',
  halfvec: 'e',
  sparsevec: 'e',
  int2vector: 'p',
  oidvector: 'p',
};
/** int2vector and oidvector are arrays of int2/oid: PostgreSQL gives them that typelem. */
const VECTOR_ELEMENT: Record<string, number> = { int2vector: 21, oidvector: 26 };
const ALIGN: Record<string, string> = { name: 'c', uuid: 'c', interval: 'd', record: 'd', anyarray: 'd' };

/** The pg_type facts PostgreSQL keeps per type and Quiver's registry does not. */
export function typeFacts(t: TypeInfo, isArray = false) {
  if (isArray) {
    return { storage: 'x', align: t.length === 8 ? 'd' : 'i', byval: false, collation: collationOf(t) };
  }
  const align =
    ALIGN[t.name] ??
    (t.length === 1 || t.length === -2 ? 'c' : t.length === 2 ? 's' : t.length === 8 ? 'd' : 'i');
  return {
    storage: STORAGE[t.name] ?? (t.length === -1 ? 'x' : 'p'),
    align,
    byval: t.length > 0 && t.length <= 8 && t.name !== 'name',
    collation: collationOf(t),
  };
}

function collationOf(t: TypeInfo): number {
  if (t.name === 'name') return C_COLLATION_OID;
  return t.category === 'S' ? DEFAULT_COLLATION_OID : 0;
}

/** The namespace of a type: pg_catalog, or the vector extension's schema. */
export function typeNamespace(ctx: SystemContext, t: TypeInfo): number | null {
  if (!EXTENSION_TYPES.has(t.name)) return PG_CATALOG_OID;
  const ext = ctx.database.extensions.get('vector');
  if (!ext) return null;
  return ctx.database.schemas.get(ext.schema)?.oid ?? PUBLIC_OID;
}

function typeRows(ctx: SystemContext): SystemRow[] {
  const rows: SystemRow[] = [];
  for (const t of allTypes()) {
    if (t.oid === 0) continue;
    const ns = typeNamespace(ctx, t);
    if (ns === null) continue;
    const facts = typeFacts(t);
    rows.push({
      oid: t.oid,
      typname: t.name,
      typnamespace: ns,
      typlen: t.length,
      typbyval: facts.byval,
      typtype: t.category === 'P' ? 'p' : 'b',
      typcategory: t.category,
      typispreferred: t.preferred,
      typelem: VECTOR_ELEMENT[t.name] ?? 0,
      typarray: t.arrayOid,
      typalign: facts.align,
      typstorage: facts.storage,
      typcollation: facts.collation,
    });
    if (t.arrayOid) {
      const array = typeFacts(t, true);
      // An array of a pseudo-type (_record) is itself a pseudo-type in PostgreSQL.
      const pseudo = t.category === 'P';
      rows.push({
        oid: t.arrayOid,
        typname: `_${t.name}`,
        typnamespace: ns,
        typlen: -1,
        typbyval: false,
        typtype: pseudo ? 'p' : 'b',
        typcategory: pseudo ? 'P' : 'A',
        typispreferred: false,
        typelem: t.oid,
        typarray: 0,
        typalign: pseudo ? 'd' : array.align,
        typstorage: array.storage,
        typcollation: array.collation,
        ...arrayTypeProcs(),
      });
    }
  }
  return rows;
}

export const typeRelations = [
  relation(
    'pg_type',
    1247,
    'oid oid, typname name, typnamespace oid, typowner oid, typlen int2, typbyval bool, typtype char, ' +
      'typcategory char, typispreferred bool, typisdefined bool, typdelim char, typrelid oid, ' +
      'typsubscript regproc, typelem oid, typarray oid, typinput regproc, typoutput regproc, ' +
      'typreceive regproc, typsend regproc, typmodin regproc, typmodout regproc, typanalyze regproc, ' +
      'typalign char, typstorage char, typnotnull bool, typbasetype oid, typtypmod int4, typndims int4, ' +
      'typcollation oid, typdefaultbin pg_node_tree, typdefault text, typacl aclitem[]',
    typeRows,
    {
      typowner: BOOTSTRAP_ROLE_OID,
      typisdefined: true,
      typdelim: ',',
      typrelid: 0,
      typsubscript: 0,
      typinput: 0,
      typoutput: 0,
      typreceive: 0,
      typsend: 0,
      typmodin: 0,
      typmodout: 0,
      typanalyze: 0,
      typnotnull: false,
      typbasetype: 0,
      typtypmod: -1,
      typndims: 0,
    },
  ),
  relation(
    'pg_collation',
    3456,
    'oid oid, collname name, collnamespace oid, collowner oid, collprovider char, collisdeterministic bool, ' +
      'collencoding int4, collcollate text, collctype text, colliculocale text, collversion text',
    () => [
      { oid: DEFAULT_COLLATION_OID, collname: 'default', collprovider: 'd', collencoding: -1 },
      {
        oid: C_COLLATION_OID,
        collname: 'C',
        collprovider: 'c',
        collencoding: -1,
        collcollate: 'C',
        collctype: 'C',
      },
      {
        oid: POSIX_COLLATION_OID,
        collname: 'POSIX',
        collprovider: 'c',
        collencoding: -1,
        collcollate: 'POSIX',
        collctype: 'POSIX',
      },
    ],
    { collnamespace: PG_CATALOG_OID, collowner: BOOTSTRAP_ROLE_OID, collisdeterministic: true },
  ),
];
