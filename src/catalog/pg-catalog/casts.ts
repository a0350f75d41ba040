/**
 * pg_cast: the casts CREATE EXTENSION vector creates, each through one of its functions
 * `f(source, integer, boolean) target` (the typmod-applying function signature). Those to a
 * type's own typmod, from vector, and from halfvec to sparsevec are implicit (AS IMPLICIT in
 * sql/vector.sql); the rest are assignment casts. PostgreSQL's built-in casts are not
 * listed.
 */
import { PGVECTOR_PROC_BASE_OID, PGVECTOR_PROCS } from './pgvector-procs.ts';
import { typeOidOf } from './procs.ts';
import { relation, type SystemRow } from './relation.ts';

const PGVECTOR_CAST_BASE_OID = 15600;

const IMPLICIT = new Set([
  'vector',
  'vector_to_float4',
  'halfvec',
  'vector_to_halfvec',
  'sparsevec',
  'vector_to_sparsevec',
  'halfvec_to_sparsevec',
]);

export function pgvectorCasts(): SystemRow[] {
  return PGVECTOR_PROCS.flatMap((p, i) =>
    p.args.length === 3 && p.args[1] === 'integer' && p.args[2] === 'boolean' ? [{ p, i }] : [],
  ).map(({ p, i }, n) => ({
    oid: PGVECTOR_CAST_BASE_OID + n,
    castsource: typeOidOf(p.args[0]),
    casttarget: typeOidOf(p.result),
    castfunc: PGVECTOR_PROC_BASE_OID + i,
    castcontext: IMPLICIT.has(p.name) ? 'i' : 'a',
  }));
}

export const castRelations = [
  relation(
    'pg_cast',
    2605,
    'oid oid, castsource oid, casttarget oid, castfunc oid, castcontext char, castmethod char',
    (ctx) => (ctx.database.extensions.has('vector') ? pgvectorCasts() : []),
    { castmethod: 'f' },
  ),
];
