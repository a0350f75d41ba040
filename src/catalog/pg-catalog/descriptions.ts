/**
 * pg_extension and the comments PostgreSQL ships for the objects Quiver has:
 * pg_description (extensions, pgvector's types, functions and operators, languages, the public schema) and pg_shdescription
 * (databases), and the comments COMMENT ON gave tables, views and columns.
 */

import { typeByOid } from '../../types/registry.ts';
import { HALFVEC_OID, SPARSEVEC_OID, VECTOR_OID } from '../../types/vector-oids.ts';
import { OPERATOR_COMMENTS, operators } from './operators.ts';
import { PGVECTOR_PROC_BASE_OID, PGVECTOR_PROCS } from './pgvector-procs.ts';
import { PG_CATALOG_OID, PUBLIC_OID, relation, type SystemContext, type SystemRow } from './relation.ts';

const EXTENSION_COMMENTS: Record<string, string> = {
  plpgsql: 'PL/pgSQL procedural language',
  vector: 'vector data type and ivfflat and hnsw access methods',
};

const TYPE_COMMENTS: readonly [number, string][] = [
  [VECTOR_OID, 'single-precision vector'],
  [HALFVEC_OID, 'half-precision vector'],
  [SPARSEVEC_OID, 'single-precision sparse vector'],
];

/** pg_language's comments (pg_language.dat, plpgsql's extension script). */
const LANGUAGE_COMMENTS: readonly [number, string][] = [
  [12, 'built-in functions'],
  [13, 'dynamically-loaded C functions'],
  [14, 'SQL-language functions'],
  [13563, 'PL/pgSQL procedural language'],
];

const PG_TYPE = 1247;
const PG_PROC = 1255;
const PG_LANGUAGE = 2612;
const PG_OPERATOR = 2617;
const PG_CLASS = 1259;
const PG_NAMESPACE = 2615;
const PG_EXTENSION = 3079;
const PG_DATABASE = 1262;

function descriptionRows(ctx: SystemContext): SystemRow[] {
  const rows: SystemRow[] = [];
  for (const [name, e] of ctx.database.extensions) {
    const text = EXTENSION_COMMENTS[name];
    if (text) rows.push({ objoid: e.oid, classoid: PG_EXTENSION, description: text });
  }
  if (ctx.database.extensions.has('vector')) {
    for (const [oid, text] of TYPE_COMMENTS) {
      if (typeByOid(oid)) rows.push({ objoid: oid, classoid: PG_TYPE, description: text });
    }
    PGVECTOR_PROCS.forEach((p, i) => {
      rows.push({ objoid: PGVECTOR_PROC_BASE_OID + i, classoid: PG_PROC, description: p.comment });
    });
    for (const { op } of operators(ctx)) {
      const text = OPERATOR_COMMENTS[op.name];
      if (text) rows.push({ objoid: op.oid, classoid: PG_OPERATOR, description: text });
    }
  }
  for (const [oid, text] of LANGUAGE_COMMENTS) {
    rows.push({ objoid: oid, classoid: PG_LANGUAGE, description: text });
  }
  // COMMENT ON TABLE / VIEW / COLUMN.
  for (const schema of ctx.database.schemas.values()) {
    for (const table of schema.tables.values()) {
      if (table.comment !== undefined) {
        rows.push({ objoid: table.oid, classoid: PG_CLASS, description: table.comment });
      }
      for (const c of table.columns) {
        if (c.comment !== undefined) {
          rows.push({ objoid: table.oid, classoid: PG_CLASS, objsubid: c.attnum, description: c.comment });
        }
      }
    }
  }
  if (ctx.database.schemas.get('public')?.oid === PUBLIC_OID) {
    rows.push({ objoid: PUBLIC_OID, classoid: PG_NAMESPACE, description: 'standard public schema' });
  }
  return rows;
}

export const descriptionRelations = [
  relation(
    'pg_extension',
    3079,
    'oid oid, extname name, extowner oid, extnamespace oid, extrelocatable bool, extversion text, ' +
      'extconfig oid[], extcondition text[]',
    (ctx) =>
      [...ctx.database.extensions.entries()].map(([name, e]) => ({
        oid: e.oid,
        extname: name,
        extnamespace:
          e.schema === 'pg_catalog'
            ? PG_CATALOG_OID
            : (ctx.database.schemas.get(e.schema)?.oid ?? PUBLIC_OID),
        extrelocatable: name === 'vector',
        extversion: e.version,
      })),
    { extowner: 10 },
  ),
  relation(
    'pg_description',
    2609,
    'objoid oid, classoid oid, objsubid int4, description text',
    descriptionRows,
    {
      objsubid: 0,
    },
  ),
  relation('pg_shdescription', 2396, 'objoid oid, classoid oid, description text', (ctx) =>
    [...ctx.catalog.databases.values()]
      .filter((d) => d.name === 'postgres')
      .map((d) => ({
        objoid: d.oid,
        classoid: PG_DATABASE,
        description: 'default administrative connection database',
      })),
  ),
];
