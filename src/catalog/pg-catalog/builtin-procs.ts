/**
 * The pg_catalog functions other catalogs point at by OID: the array I/O functions every
 * array type's pg_type row names (typinput = array_in …). regproc input and output find
 * them here, so `typinput = 'pg_catalog.array_in'::regproc` — how pgjdbc tells array types
 * apart — holds for Quiver's array types as it does in PostgreSQL 15.
 */
import type { Database } from '../catalog-types.ts';
import { ESTIMATOR_PROCS } from './operators.ts';
import { procs } from './procs.ts';
import { PG_CATALOG_OID } from './relation.ts';

/** PostgreSQL 15's OIDs (pg_proc.dat). */
export const ARRAY_PROCS = {
  typinput: { oid: 750, name: 'array_in' },
  typoutput: { oid: 751, name: 'array_out' },
  typreceive: { oid: 2400, name: 'array_recv' },
  typsend: { oid: 2401, name: 'array_send' },
  typanalyze: { oid: 3816, name: 'array_typanalyze' },
  typsubscript: { oid: 6179, name: 'array_subscript_handler' },
} as const;

/** pg_type's regproc columns of an array type. */
export function arrayTypeProcs(): Record<keyof typeof ARRAY_PROCS, number> {
  return {
    typinput: ARRAY_PROCS.typinput.oid,
    typoutput: ARRAY_PROCS.typoutput.oid,
    typreceive: ARRAY_PROCS.typreceive.oid,
    typsend: ARRAY_PROCS.typsend.oid,
    typanalyze: ARRAY_PROCS.typanalyze.oid,
    typsubscript: ARRAY_PROCS.typsubscript.oid,
  };
}

export interface NamedProc {
  readonly oid: number;
  readonly name: string;
  readonly namespace: number;
}

/** The functions regproc can name in `database`: the built-ins above, the selectivity estimators pg_operator names and pgvector's. */
export function namedProcs(database: Database): NamedProc[] {
  const builtins = [...Object.values(ARRAY_PROCS), ...ESTIMATOR_PROCS].map((p) => ({
    ...p,
    namespace: PG_CATALOG_OID,
  }));
  return [...builtins, ...procs({ database })];
}
