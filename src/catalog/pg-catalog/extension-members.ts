/**
 * pg_depend's extension membership rows (deptype 'e'): every object CREATE EXTENSION vector
 * made — its types, functions, casts, operators, operator classes and families and its two
 * access methods — as `\dx+ vector` lists them through pg_describe_object.
 */
import { HALFVEC_OID, SPARSEVEC_OID, VECTOR_OID } from '../../types/vector-oids.ts';
import { pgvectorCasts } from './casts.ts';
import { ACCESS_METHODS, OPERATOR_CLASSES } from './objects.ts';
import { operators } from './operators.ts';
import { procs } from './procs.ts';
import type { SystemContext, SystemRow } from './relation.ts';

/** pg_class OIDs of the catalogs the members live in. */
export const CATALOG_OIDS = {
  pg_type: 1247,
  pg_proc: 1255,
  pg_am: 2601,
  pg_cast: 2605,
  pg_opclass: 2616,
  pg_operator: 2617,
  pg_opfamily: 2753,
  pg_extension: 3079,
} as const;

/** pgvector's access methods: the ones after PostgreSQL's built-in range. */
const PGVECTOR_ACCESS_METHODS = ACCESS_METHODS.filter((a) => a.oid >= 16384);

export function extensionMemberRows(ctx: SystemContext): SystemRow[] {
  const ext = ctx.database.extensions.get('vector');
  if (!ext) return [];
  const members: [number, number][] = [
    ...[VECTOR_OID, HALFVEC_OID, SPARSEVEC_OID].map((oid): [number, number] => [CATALOG_OIDS.pg_type, oid]),
    ...procs(ctx).map((p): [number, number] => [CATALOG_OIDS.pg_proc, p.oid]),
    ...PGVECTOR_ACCESS_METHODS.map((a): [number, number] => [CATALOG_OIDS.pg_am, a.oid]),
    ...pgvectorCasts().map((c): [number, number] => [CATALOG_OIDS.pg_cast, c.oid as number]),
    ...operators(ctx).map(({ op }): [number, number] => [CATALOG_OIDS.pg_operator, op.oid]),
    ...OPERATOR_CLASSES.filter((o) => o.extension).flatMap((o): [number, number][] => [
      [CATALOG_OIDS.pg_opclass, o.oid],
      [CATALOG_OIDS.pg_opfamily, o.oid],
    ]),
  ];
  return members.map(([classid, objid]) => ({
    classid,
    objid,
    objsubid: 0,
    refclassid: CATALOG_OIDS.pg_extension,
    refobjid: ext.oid,
    refobjsubid: 0,
    deptype: 'e',
  }));
}
