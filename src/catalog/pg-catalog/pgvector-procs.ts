/**
 * The functions `CREATE EXTENSION vector` (pgvector 0.8) creates, in creation order, as
 * `name(argument types) result type -- COMMENT ON FUNCTION` — what pg_proc shows for them,
 * `\df` lists and pg_description holds. Their OIDs are pinned below FirstNormalObjectId so
 * they never collide with user objects and stay stable across restarts; real pgvector gets
 * new OIDs per database.
 */
export const PGVECTOR_PROC_BASE_OID = 15000;

/** avg/sum are aggregates (prokind 'a'); the access-method handlers and support functions are volatile and not strict. */
export const PGVECTOR_AGGREGATES: ReadonlySet<string> = new Set(['avg', 'sum']);
export const PGVECTOR_INTERNAL = /^(hnsw|ivfflat)(handler|_\w+_support)$/;

export const PGVECTOR_PROCS = `
vector_in(cstring, oid, integer) vector -- I/O
vector_out(vector) cstring -- I/O
vector_typmod_in(cstring[]) integer -- I/O typmod
vector_recv(internal, oid, integer) vector -- I/O
vector_send(vector) bytea -- I/O
l2_distance(vector, vector) double precision -- Euclidean distance
inner_product(vector, vector) double precision -- inner product
cosine_distance(vector, vector) double precision -- cosine distance
l1_distance(vector, vector) double precision -- taxicab distance
vector_dims(vector) integer -- number of dimensions
vector_norm(vector) double precision -- Euclidean norm
l2_normalize(vector) vector -- normalize with Euclidean norm
binary_quantize(vector) bit -- binary quantize
subvector(vector, integer, integer) vector -- subvector
vector_add(vector, vector) vector -- implementation of + operator
vector_sub(vector, vector) vector -- implementation of - operator
vector_mul(vector, vector) vector -- implementation of * operator
vector_concat(vector, vector) vector -- implementation of || operator
vector_lt(vector, vector) boolean -- implementation of < operator
vector_le(vector, vector) boolean -- implementation of <= operator
vector_eq(vector, vector) boolean -- implementation of = operator
vector_ne(vector, vector) boolean -- implementation of <> operator
vector_ge(vector, vector) boolean -- implementation of >= operator
vector_gt(vector, vector) boolean -- implementation of > operator
vector_cmp(vector, vector) integer -- less-equal-greater
vector_l2_squared_distance(vector, vector) double precision -- squared Euclidean distance
vector_negative_inner_product(vector, vector) double precision -- negative inner product
vector_spherical_distance(vector, vector) double precision -- spherical distance
vector_accum(double precision[], vector) double precision[] -- aggregate transition function
vector_avg(double precision[]) vector -- aggregate final function
vector_combine(double precision[], double precision[]) double precision[] -- aggregate combine function
avg(vector) vector -- the average (arithmetic mean) as vector of all vector values
sum(vector) vector -- sum as vector across all vector input values
vector(vector, integer, boolean) vector -- adjust vector to typmod
array_to_vector(integer[], integer, boolean) vector -- convert int4 array to vector
array_to_vector(real[], integer, boolean) vector -- convert float4 array to vector
array_to_vector(double precision[], integer, boolean) vector -- convert float8 array to vector
array_to_vector(numeric[], integer, boolean) vector -- convert numeric array to vector
vector_to_float4(vector, integer, boolean) real[] -- convert vector to float4 array
ivfflathandler(internal) index_am_handler -- ivfflat index access method handler
hnswhandler(internal) index_am_handler -- hnsw index access method handler
ivfflat_halfvec_support(internal) internal -- ivfflat halfvec support
ivfflat_bit_support(internal) internal -- ivfflat bit support
hnsw_halfvec_support(internal) internal -- hnsw halfvec support
hnsw_bit_support(internal) internal -- hnsw bit support
hnsw_sparsevec_support(internal) internal -- hnsw sparsevec support
halfvec_in(cstring, oid, integer) halfvec -- I/O
halfvec_out(halfvec) cstring -- I/O
halfvec_typmod_in(cstring[]) integer -- I/O typmod
halfvec_recv(internal, oid, integer) halfvec -- I/O
halfvec_send(halfvec) bytea -- I/O
l2_distance(halfvec, halfvec) double precision -- Euclidean distance
inner_product(halfvec, halfvec) double precision -- inner product
cosine_distance(halfvec, halfvec) double precision -- cosine distance
l1_distance(halfvec, halfvec) double precision -- taxicab distance
vector_dims(halfvec) integer -- number of dimensions
l2_norm(halfvec) double precision -- Euclidean norm
l2_normalize(halfvec) halfvec -- normalize with Euclidean norm
binary_quantize(halfvec) bit -- binary quantize
subvector(halfvec, integer, integer) halfvec -- subvector
halfvec_add(halfvec, halfvec) halfvec -- implementation of + operator
halfvec_sub(halfvec, halfvec) halfvec -- implementation of - operator
halfvec_mul(halfvec, halfvec) halfvec -- implementation of * operator
halfvec_concat(halfvec, halfvec) halfvec -- implementation of || operator
halfvec_lt(halfvec, halfvec) boolean -- implementation of < operator
halfvec_le(halfvec, halfvec) boolean -- implementation of <= operator
halfvec_eq(halfvec, halfvec) boolean -- implementation of = operator
halfvec_ne(halfvec, halfvec) boolean -- implementation of <> operator
halfvec_ge(halfvec, halfvec) boolean -- implementation of >= operator
halfvec_gt(halfvec, halfvec) boolean -- implementation of > operator
halfvec_cmp(halfvec, halfvec) integer -- less-equal-greater
halfvec_l2_squared_distance(halfvec, halfvec) double precision -- squared Euclidean distance
halfvec_negative_inner_product(halfvec, halfvec) double precision -- negative inner product
halfvec_spherical_distance(halfvec, halfvec) double precision -- spherical distance
halfvec_accum(double precision[], halfvec) double precision[] -- aggregate transition function
halfvec_avg(double precision[]) halfvec -- aggregate final function
halfvec_combine(double precision[], double precision[]) double precision[] -- aggregate combine function
avg(halfvec) halfvec -- the average (arithmetic mean) as halfvec of all halfvec values
sum(halfvec) halfvec -- sum as halfvec across all halfvec input values
halfvec(halfvec, integer, boolean) halfvec -- adjust halfvec to typmod
halfvec_to_vector(halfvec, integer, boolean) vector -- convert halfvec to vector
vector_to_halfvec(vector, integer, boolean) halfvec -- convert vector to halfvec
array_to_halfvec(integer[], integer, boolean) halfvec -- convert int4 array to halfvec
array_to_halfvec(real[], integer, boolean) halfvec -- convert float4 array to halfvec
array_to_halfvec(double precision[], integer, boolean) halfvec -- convert float8 array to halfvec
array_to_halfvec(numeric[], integer, boolean) halfvec -- convert numeric array to halfvec
halfvec_to_float4(halfvec, integer, boolean) real[] -- convert halfvec to float4 array
hamming_distance(bit, bit) double precision -- Hamming distance
jaccard_distance(bit, bit) double precision -- Jaccard distance
sparsevec_in(cstring, oid, integer) sparsevec -- I/O
sparsevec_out(sparsevec) cstring -- I/O
sparsevec_typmod_in(cstring[]) integer -- I/O typmod
sparsevec_recv(internal, oid, integer) sparsevec -- I/O
sparsevec_send(sparsevec) bytea -- I/O
l2_distance(sparsevec, sparsevec) double precision -- Euclidean distance
inner_product(sparsevec, sparsevec) double precision -- inner product
cosine_distance(sparsevec, sparsevec) double precision -- cosine distance
l1_distance(sparsevec, sparsevec) double precision -- taxicab distance
l2_norm(sparsevec) double precision -- Euclidean norm
l2_normalize(sparsevec) sparsevec -- normalize with Euclidean norm
sparsevec_lt(sparsevec, sparsevec) boolean -- implementation of < operator
sparsevec_le(sparsevec, sparsevec) boolean -- implementation of <= operator
sparsevec_eq(sparsevec, sparsevec) boolean -- implementation of = operator
sparsevec_ne(sparsevec, sparsevec) boolean -- implementation of <> operator
sparsevec_ge(sparsevec, sparsevec) boolean -- implementation of >= operator
sparsevec_gt(sparsevec, sparsevec) boolean -- implementation of > operator
sparsevec_cmp(sparsevec, sparsevec) integer -- less-equal-greater
sparsevec_l2_squared_distance(sparsevec, sparsevec) double precision -- squared Euclidean distance
sparsevec_negative_inner_product(sparsevec, sparsevec) double precision -- negative inner product
sparsevec(sparsevec, integer, boolean) sparsevec -- adjust sparsevec to typmod
vector_to_sparsevec(vector, integer, boolean) sparsevec -- convert vector to sparsevec
sparsevec_to_vector(sparsevec, integer, boolean) vector -- convert sparsevec to vector
halfvec_to_sparsevec(halfvec, integer, boolean) sparsevec -- convert halfvec to sparsevec
sparsevec_to_halfvec(sparsevec, integer, boolean) halfvec -- convert sparsevec to halfvec
array_to_sparsevec(integer[], integer, boolean) sparsevec -- convert int4 array to sparsevec
array_to_sparsevec(real[], integer, boolean) sparsevec -- convert float4 array to sparsevec
array_to_sparsevec(double precision[], integer, boolean) sparsevec -- convert float8 array to sparsevec
array_to_sparsevec(numeric[], integer, boolean) sparsevec -- convert numeric array to sparsevec
`
  .trim()
  .split('\n')
  .map((line) => {
    const m = /^(\w+)\((.*)\) (.+) -- (.+)$/.exec(line);
    if (!m) throw new Error(`bad pgvector proc line: ${line}`);
    return { name: m[1], args: m[2] === '' ? [] : m[2].split(', '), result: m[3], comment: m[4] };
  });
