/**
 * pg_type rows: every registered base type and its array type. pgvector's types appear
 * only once `CREATE EXTENSION vector` ran in the database (clients look them up by name).
 */
import { allTypes } from '../types/registry.ts';
import type { Value } from '../types/type.ts';
import { EXTENSION_TYPES } from '../types/vector-oids.ts';

const PG_CATALOG_OID = 11;
const PUBLIC_OID = 2200;

/** typalign-free subset of pg_type, in the column order of system-relations.ts. */
export function typeRows(withExtension: boolean, extensionSchemaOid: unknown): Value[][] {
  const rows: Value[][] = [];
  for (const t of allTypes()) {
    if (t.oid === 0) continue;
    const extension = EXTENSION_TYPES.has(t.name);
    if (extension && !withExtension) continue;
    const ns = extension
      ? typeof extensionSchemaOid === 'number'
        ? extensionSchemaOid
        : PUBLIC_OID
      : PG_CATALOG_OID;
    const pseudo = t.category === 'P';
    const byVal = t.length > 0 && t.length <= 8;
    const collation = t.category === 'S' ? 100 : 0;
    rows.push([
      t.oid,
      t.name,
      ns,
      10,
      t.length,
      byVal,
      pseudo ? 'p' : 'b',
      t.category,
      t.preferred,
      true,
      ',',
      0,
      0,
      t.arrayOid,
      false,
      0,
      -1,
      0,
      collation,
    ]);
    if (t.arrayOid) {
      rows.push([
        t.arrayOid,
        `_${t.name}`,
        ns,
        10,
        -1,
        false,
        'b',
        'A',
        false,
        true,
        ',',
        0,
        t.oid,
        0,
        false,
        0,
        -1,
        0,
        collation,
      ]);
    }
  }
  return rows;
}
