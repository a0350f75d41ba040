/**
 * The functions `CREATE EXTENSION vector` (pgvector 0.8) creates, in creation order, as
 * `name(argument types) result type` — what pg_proc shows for them and `\df` lists. Their
 * OIDs are pinned below FirstNormalObjectId so they never collide with user objects and
 * stay stable across restarts; real pgvector gets new OIDs per database.
 */
export const PGVECTOR_PROC_BASE_OID = 15000;

/** avg/sum are aggregates (prokind 'a'); the access-method handlers and support functions are volatile and not strict. */
export const PGVECTOR_AGGREGATES: ReadonlySet<string> = new Set(['avg', 'sum']);
export const PGVECTOR_INTERNAL = /^(hnsw|ivfflat)(handler|_\w+_support)$/;

export const PGVECTOR_PROCS = `
vector_in(cstring, oid, integer) vector
vector_out(vector) cstring
vector_typmod_in(cstring[]) integer
vector_recv(internal, oid, integer) vector
vector_send(vector) bytea
l2_distance(vector, vector) double precision
inner_product(vector, vector) double precision
cosine_distance(vector, vector) double precision
l1_distance(vector, vector) double precision
vector_dims(vector) integer
vector_norm(vector) double precision
l2_normalize(vector) vector
binary_quantize(vector) bit
subvector(vector, integer, integer) vector
vector_add(vector, vector) vector
vector_sub(vector, vector) vector
vector_mul(vector, vector) vector
vector_concat(vector, vector) vector
vector_lt(vector, vector) boolean
vector_le(vector, vector) boolean
vector_eq(vector, vector) boolean
vector_ne(vector, vector) boolean
vector_ge(vector, vector) boolean
vector_gt(vector, vector) boolean
vector_cmp(vector, vector) integer
vector_l2_squared_distance(vector, vector) double precision
vector_negative_inner_product(vector, vector) double precision
vector_spherical_distance(vector, vector) double precision
vector_accum(double precision[], vector) double precision[]
vector_avg(double precision[]) vector
vector_combine(double precision[], double precision[]) double precision[]
avg(vector) vector
sum(vector) vector
vector(vector, integer, boolean) vector
array_to_vector(integer[], integer, boolean) vector
array_to_vector(real[], integer, boolean) vector
array_to_vector(double precision[], integer, boolean) vector
array_to_vector(numeric[], integer, boolean) vector
vector_to_float4(vector, integer, boolean) real[]
ivfflathandler(internal) index_am_handler
hnswhandler(internal) index_am_handler
ivfflat_halfvec_support(internal) internal
ivfflat_bit_support(internal) internal
hnsw_halfvec_support(internal) internal
hnsw_bit_support(internal) internal
hnsw_sparsevec_support(internal) internal
halfvec_in(cstring, oid, integer) halfvec
halfvec_out(halfvec) cstring
halfvec_typmod_in(cstring[]) integer
halfvec_recv(internal, oid, integer) halfvec
halfvec_send(halfvec) bytea
l2_distance(halfvec, halfvec) double precision
inner_product(halfvec, halfvec) double precision
cosine_distance(halfvec, halfvec) double precision
l1_distance(halfvec, halfvec) double precision
vector_dims(halfvec) integer
l2_norm(halfvec) double precision
l2_normalize(halfvec) halfvec
binary_quantize(halfvec) bit
subvector(halfvec, integer, integer) halfvec
halfvec_add(halfvec, halfvec) halfvec
halfvec_sub(halfvec, halfvec) halfvec
halfvec_mul(halfvec, halfvec) halfvec
halfvec_concat(halfvec, halfvec) halfvec
halfvec_lt(halfvec, halfvec) boolean
halfvec_le(halfvec, halfvec) boolean
halfvec_eq(halfvec, halfvec) boolean
halfvec_ne(halfvec, halfvec) boolean
halfvec_ge(halfvec, halfvec) boolean
halfvec_gt(halfvec, halfvec) boolean
halfvec_cmp(halfvec, halfvec) integer
halfvec_l2_squared_distance(halfvec, halfvec) double precision
halfvec_negative_inner_product(halfvec, halfvec) double precision
halfvec_spherical_distance(halfvec, halfvec) double precision
halfvec_accum(double precision[], halfvec) double precision[]
halfvec_avg(double precision[]) halfvec
halfvec_combine(double precision[], double precision[]) double precision[]
avg(halfvec) halfvec
sum(halfvec) halfvec
halfvec(halfvec, integer, boolean) halfvec
halfvec_to_vector(halfvec, integer, boolean) vector
vector_to_halfvec(vector, integer, boolean) halfvec
array_to_halfvec(integer[], integer, boolean) halfvec
array_to_halfvec(real[], integer, boolean) halfvec
array_to_halfvec(double precision[], integer, boolean) halfvec
array_to_halfvec(numeric[], integer, boolean) halfvec
halfvec_to_float4(halfvec, integer, boolean) real[]
hamming_distance(bit, bit) double precision
jaccard_distance(bit, bit) double precision
sparsevec_in(cstring, oid, integer) sparsevec
sparsevec_out(sparsevec) cstring
sparsevec_typmod_in(cstring[]) integer
sparsevec_recv(internal, oid, integer) sparsevec
sparsevec_send(sparsevec) bytea
l2_distance(sparsevec, sparsevec) double precision
inner_product(sparsevec, sparsevec) double precision
cosine_distance(sparsevec, sparsevec) double precision
l1_distance(sparsevec, sparsevec) double precision
l2_norm(sparsevec) double precision
l2_normalize(sparsevec) sparsevec
sparsevec_lt(sparsevec, sparsevec) boolean
sparsevec_le(sparsevec, sparsevec) boolean
sparsevec_eq(sparsevec, sparsevec) boolean
sparsevec_ne(sparsevec, sparsevec) boolean
sparsevec_ge(sparsevec, sparsevec) boolean
sparsevec_gt(sparsevec, sparsevec) boolean
sparsevec_cmp(sparsevec, sparsevec) integer
sparsevec_l2_squared_distance(sparsevec, sparsevec) double precision
sparsevec_negative_inner_product(sparsevec, sparsevec) double precision
sparsevec(sparsevec, integer, boolean) sparsevec
vector_to_sparsevec(vector, integer, boolean) sparsevec
sparsevec_to_vector(sparsevec, integer, boolean) vector
halfvec_to_sparsevec(halfvec, integer, boolean) sparsevec
sparsevec_to_halfvec(sparsevec, integer, boolean) halfvec
array_to_sparsevec(integer[], integer, boolean) sparsevec
array_to_sparsevec(real[], integer, boolean) sparsevec
array_to_sparsevec(double precision[], integer, boolean) sparsevec
array_to_sparsevec(numeric[], integer, boolean) sparsevec
`
  .trim()
  .split('\n')
  .map((line) => {
    const m = /^(\w+)\((.*)\) (.+)$/.exec(line);
    if (!m) throw new Error(`bad pgvector proc line: ${line}`);
    return { name: m[1], args: m[2] === '' ? [] : m[2].split(', '), result: m[3] };
  });
