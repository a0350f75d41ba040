/**
 * Fixed OIDs for the extension types. Real pgvector gets its OIDs when CREATE EXTENSION
 * runs (so they differ between databases) and clients look the types up by name
 * (node-pg's pgvector.registerTypes, psycopg's register_vector, pgjdbc's PGvector all
 * query pg_type by typname). Quiver pins them above FirstNormalObjectId (16384), in the
 * order CREATE EXTENSION vector creates them, so they never change between restarts or
 * nodes. bit and varbit are PostgreSQL built-ins and keep their catalog OIDs.
 */
export const VECTOR_OID = 16388;
export const VECTOR_ARRAY_OID = 16393;
export const HALFVEC_OID = 16396;
export const HALFVEC_ARRAY_OID = 16401;
export const SPARSEVEC_OID = 16404;
export const SPARSEVEC_ARRAY_OID = 16409;

/** pg_type.oid of bit / _bit / varbit / _varbit (PostgreSQL's pg_type.dat). */
export const BIT_OID = 1560;
export const BIT_ARRAY_OID = 1561;
export const VARBIT_OID = 1562;
export const VARBIT_ARRAY_OID = 1563;

/** The types `CREATE EXTENSION vector` adds (bit is built in): unknown to a database without it. */
export const EXTENSION_TYPES: ReadonlySet<string> = new Set(['vector', 'halfvec', 'sparsevec']);
