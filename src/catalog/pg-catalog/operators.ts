/**
 * pg_operator, pg_opfamily, pg_amop and pg_amproc: pgvector's operators (the same
 * operator → function table Quiver's operator registry is built from) and the operator
 * families of the operator classes pg_opclass lists. Each pgvector operator class is alone
 * in a family of its own name (CREATE OPERATOR CLASS without FAMILY), with its distance
 * operator (hnsw, ivfflat) or its comparisons (btree's vector_ops …) and support functions;
 * PostgreSQL's btree defaults belong to its families (int4_ops to integer_ops …), whose
 * members are not listed. PostgreSQL's built-in
 * operators are not listed: Quiver's registry does not know their pg_proc functions.
 */
import { OPERATOR_PROCS } from '../../types/vector-catalog.ts';
import { accessMethodOid, OPERATOR_CLASSES, type OperatorClass } from './objects.ts';
import { PGVECTOR_PROC_BASE_OID, PGVECTOR_PROCS } from './pgvector-procs.ts';
import { typeOidOf } from './procs.ts';
import {
  BOOTSTRAP_ROLE_OID,
  PG_CATALOG_OID,
  PUBLIC_OID,
  relation,
  type SystemContext,
  type SystemRow,
} from './relation.ts';

/** pgvector's operators get OIDs after its functions', stable like theirs. */
const PGVECTOR_OPERATOR_BASE_OID = 15300;
/** btree's float_ops: the family pgvector's distance operators sort by (FOR ORDER BY float_ops). */
const FLOAT_OPS_FAMILY_OID = 1970;

const COMMUTATORS: Record<string, string> = {
  '<': '>',
  '>': '<',
  '<=': '>=',
  '>=': '<=',
  '-': '',
  '||': '',
};
const NEGATORS: Record<string, string> = { '<': '>=', '>=': '<', '>': '<=', '<=': '>', '=': '<>', '<>': '=' };
/** oprrest/oprjoin (eqsel, scalarltsel …) of pgvector's comparison operators, pg_proc.dat OIDs. */
const ESTIMATORS: Record<string, [number, number]> = {
  '<': [103, 107],
  '>': [104, 108],
  '<=': [336, 386],
  '>=': [337, 398],
  '=': [101, 105],
  '<>': [101, 105],
};
export const ESTIMATOR_PROCS: readonly { oid: number; name: string }[] = [
  { oid: 101, name: 'eqsel' },
  { oid: 103, name: 'scalarltsel' },
  { oid: 104, name: 'scalargtsel' },
  { oid: 105, name: 'eqjoinsel' },
  { oid: 107, name: 'scalarltjoinsel' },
  { oid: 108, name: 'scalargtjoinsel' },
  { oid: 336, name: 'scalarlesel' },
  { oid: 337, name: 'scalargesel' },
  { oid: 386, name: 'scalarlejoinsel' },
  { oid: 398, name: 'scalargejoinsel' },
];

/** COMMENT ON OPERATOR in pgvector's install script: the arithmetic and comparison operators. */
export const OPERATOR_COMMENTS: Readonly<Record<string, string>> = {
  '+': 'add',
  '-': 'subtract',
  '*': 'multiply',
  '||': 'concatenate',
  '>': 'greater than',
  '>=': 'greater than or equal',
  '<': 'less than',
  '<=': 'less than or equal',
  '<>': 'not equal',
  '=': 'equal',
};

/** The pg_proc OID of pgvector's `name(type, …)`. */
function pgvectorProcOid(name: string, firstArg: string): number {
  const i = PGVECTOR_PROCS.findIndex((p) => p.name === name && p.args[0] === firstArg);
  if (i < 0) throw new Error(`no pgvector function ${name}(${firstArg})`);
  return PGVECTOR_PROC_BASE_OID + i;
}

export interface OperatorInfo {
  readonly oid: number;
  readonly name: string;
  readonly type: string;
  readonly result: number;
  readonly proc: number;
  readonly procName: string;
}

let pgvectorOperatorList: readonly OperatorInfo[] | undefined;

/**
 * pgvector's operators: for each type, `type op type` implemented by its function. Built on
 * first use, once the type registry knows pgvector's types.
 */
function pgvectorOperators(): readonly OperatorInfo[] {
  pgvectorOperatorList ??= buildOperators();
  return pgvectorOperatorList;
}

function buildOperators(): OperatorInfo[] {
  return Object.entries(OPERATOR_PROCS)
    .flatMap(([type, ops]) => Object.entries(ops).map(([name, procName]) => ({ type, name, procName })))
    .map(({ type, name, procName }, i) => {
      const procIndex = PGVECTOR_PROCS.findIndex((p) => p.name === procName && p.args[0] === type);
      return {
        oid: PGVECTOR_OPERATOR_BASE_OID + i,
        name,
        type,
        result: typeOidOf(PGVECTOR_PROCS[procIndex].result),
        proc: pgvectorProcOid(procName, type),
        procName,
      };
    });
}

function operatorOid(name: string, type: string): number {
  return pgvectorOperators().find((o) => o.name === name && o.type === type)?.oid ?? 0;
}

/** The vector extension's schema OID, or null before CREATE EXTENSION vector. */
function extensionSchema(ctx: Pick<SystemContext, 'database'>): number | null {
  const ext = ctx.database.extensions.get('vector');
  return ext ? (ctx.database.schemas.get(ext.schema)?.oid ?? PUBLIC_OID) : null;
}

/** The operators visible in the session's database (pgvector's, once created) and their schema. */
export function operators(ctx: Pick<SystemContext, 'database'>): { op: OperatorInfo; namespace: number }[] {
  const namespace = extensionSchema(ctx);
  return namespace === null ? [] : pgvectorOperators().map((op) => ({ op, namespace }));
}

function operatorRow(op: OperatorInfo, namespace: number): SystemRow {
  const commutator = COMMUTATORS[op.name] ?? op.name;
  const negator = NEGATORS[op.name];
  const [rest, join] = ESTIMATORS[op.name] ?? [0, 0];
  const type = typeOidOf(op.type);
  return {
    oid: op.oid,
    oprname: op.name,
    oprnamespace: namespace,
    oprleft: type,
    oprright: type,
    oprresult: op.result,
    oprcom: commutator ? operatorOid(commutator, op.type) : 0,
    oprnegate: negator ? operatorOid(negator, op.type) : 0,
    oprcode: op.proc,
    oprrest: rest,
    oprjoin: join,
  };
}

/** btree families of the default operator classes (pg_opfamily.dat). */
const BTREE_FAMILIES: Record<string, [number, string]> = {
  bit_ops: [423, 'bit_ops'],
  bool_ops: [424, 'bool_ops'],
  bpchar_ops: [426, 'bpchar_ops'],
  bytea_ops: [428, 'bytea_ops'],
  char_ops: [429, 'char_ops'],
  date_ops: [434, 'datetime_ops'],
  float4_ops: [1970, 'float_ops'],
  float8_ops: [1970, 'float_ops'],
  int2_ops: [1976, 'integer_ops'],
  int4_ops: [1976, 'integer_ops'],
  int8_ops: [1976, 'integer_ops'],
  interval_ops: [1982, 'interval_ops'],
  jsonb_ops: [4033, 'jsonb_ops'],
  name_ops: [1994, 'text_ops'],
  numeric_ops: [1988, 'numeric_ops'],
  oid_ops: [1989, 'oid_ops'],
  text_ops: [1994, 'text_ops'],
  time_ops: [1996, 'time_ops'],
  timestamp_ops: [434, 'datetime_ops'],
  timestamptz_ops: [434, 'datetime_ops'],
  uuid_ops: [2968, 'uuid_ops'],
  varbit_ops: [2002, 'varbit_ops'],
};

/** pg_opclass.opcfamily: PostgreSQL's btree family, or the pgvector class's own (same OID). */
export function opclassFamily(o: OperatorClass): { oid: number; name: string } {
  const btree = o.method === 'btree' ? BTREE_FAMILIES[o.name] : undefined;
  return btree ? { oid: btree[0], name: btree[1] } : { oid: o.oid, name: o.name };
}

/**
 * pgvector's operator classes (sql/vector.sql): `operators | support functions`. The index
 * methods' one operator is the distance (strategy 1, ORDER BY float_ops); btree's are the
 * comparisons by strategy (1 `<` … 5 `>`). Support functions by number, as `number function`.
 */
const PGVECTOR_CLASS_MEMBERS: Record<string, string> = {
  'ivfflat vector_l2_ops': '<-> | 1 vector_l2_squared_distance, 3 l2_distance',
  'ivfflat vector_ip_ops':
    '<#> | 1 vector_negative_inner_product, 3 vector_spherical_distance, 4 vector_norm',
  'ivfflat vector_cosine_ops':
    '<=> | 1 vector_negative_inner_product, 2 vector_norm, 3 vector_spherical_distance, 4 vector_norm',
  'hnsw vector_l2_ops': '<-> | 1 vector_l2_squared_distance',
  'hnsw vector_ip_ops': '<#> | 1 vector_negative_inner_product',
  'hnsw vector_cosine_ops': '<=> | 1 vector_negative_inner_product, 2 vector_norm',
  'hnsw vector_l1_ops': '<+> | 1 l1_distance',
  'ivfflat halfvec_l2_ops': '<-> | 1 halfvec_l2_squared_distance, 3 l2_distance, 5 ivfflat_halfvec_support',
  'ivfflat halfvec_ip_ops':
    '<#> | 1 halfvec_negative_inner_product, 3 halfvec_spherical_distance, 4 l2_norm, 5 ivfflat_halfvec_support',
  'ivfflat halfvec_cosine_ops':
    '<=> | 1 halfvec_negative_inner_product, 2 l2_norm, 3 halfvec_spherical_distance, 4 l2_norm, 5 ivfflat_halfvec_support',
  'hnsw halfvec_l2_ops': '<-> | 1 halfvec_l2_squared_distance, 3 hnsw_halfvec_support',
  'hnsw halfvec_ip_ops': '<#> | 1 halfvec_negative_inner_product, 3 hnsw_halfvec_support',
  'hnsw halfvec_cosine_ops': '<=> | 1 halfvec_negative_inner_product, 2 l2_norm, 3 hnsw_halfvec_support',
  'hnsw halfvec_l1_ops': '<+> | 1 l1_distance, 3 hnsw_halfvec_support',
  'ivfflat bit_hamming_ops': '<~> | 1 hamming_distance, 3 hamming_distance, 5 ivfflat_bit_support',
  'hnsw bit_hamming_ops': '<~> | 1 hamming_distance, 3 hnsw_bit_support',
  'hnsw bit_jaccard_ops': '<%> | 1 jaccard_distance, 3 hnsw_bit_support',
  'hnsw sparsevec_l2_ops': '<-> | 1 sparsevec_l2_squared_distance, 3 hnsw_sparsevec_support',
  'hnsw sparsevec_ip_ops': '<#> | 1 sparsevec_negative_inner_product, 3 hnsw_sparsevec_support',
  'hnsw sparsevec_cosine_ops':
    '<=> | 1 sparsevec_negative_inner_product, 2 l2_norm, 3 hnsw_sparsevec_support',
  'hnsw sparsevec_l1_ops': '<+> | 1 l1_distance, 3 hnsw_sparsevec_support',
  'btree vector_ops': '< <= = >= > | 1 vector_cmp',
  'btree halfvec_ops': '< <= = >= > | 1 halfvec_cmp',
  'btree sparsevec_ops': '< <= = >= > | 1 sparsevec_cmp',
};

/** The operator classes pg_opclass lists in this database, with their namespaces. */
export function visibleOpclasses(
  ctx: Pick<SystemContext, 'database'>,
): { opclass: OperatorClass; namespace: number }[] {
  const ext = extensionSchema(ctx);
  return OPERATOR_CLASSES.filter((o) => !o.extension || ext !== null).map((opclass) => ({
    opclass,
    namespace: opclass.extension ? (ext as number) : PG_CATALOG_OID,
  }));
}

function familyRows(ctx: SystemContext): SystemRow[] {
  const seen = new Set<number>();
  const rows: SystemRow[] = [];
  for (const { opclass, namespace } of visibleOpclasses(ctx)) {
    const family = opclassFamily(opclass);
    if (seen.has(family.oid)) continue;
    seen.add(family.oid);
    rows.push({
      oid: family.oid,
      opfmethod: accessMethodOid(opclass.method),
      opfname: family.name,
      opfnamespace: namespace,
    });
  }
  return rows;
}

function pgvectorMembers(
  ctx: SystemContext,
): { opclass: OperatorClass; ops: string[]; procs: [number, string][] }[] {
  if (extensionSchema(ctx) === null) return [];
  return OPERATOR_CLASSES.filter((o) => o.extension).map((opclass) => {
    const [ops, procList] = PGVECTOR_CLASS_MEMBERS[`${opclass.method} ${opclass.name}`].split(' | ');
    const procs = procList.split(', ').map((part): [number, string] => {
      const [num, name] = part.split(' ');
      return [Number(num), name];
    });
    return { opclass, ops: ops.split(' '), procs };
  });
}

export const operatorRelations = [
  relation(
    'pg_operator',
    2617,
    'oid oid, oprname name, oprnamespace oid, oprowner oid, oprkind char, oprcanmerge bool, oprcanhash bool, ' +
      'oprleft oid, oprright oid, oprresult oid, oprcom oid, oprnegate oid, oprcode regproc, oprrest regproc, ' +
      'oprjoin regproc',
    (ctx) => operators(ctx).map(({ op, namespace }) => operatorRow(op, namespace)),
    { oprowner: BOOTSTRAP_ROLE_OID, oprkind: 'b', oprcanmerge: false, oprcanhash: false },
  ),
  relation(
    'pg_opfamily',
    2753,
    'oid oid, opfmethod oid, opfname name, opfnamespace oid, opfowner oid',
    familyRows,
    { opfowner: BOOTSTRAP_ROLE_OID },
  ),
  relation(
    'pg_amop',
    2602,
    'oid oid, amopfamily oid, amoplefttype oid, amoprighttype oid, amopstrategy int2, amoppurpose char, ' +
      'amopopr oid, amopmethod oid, amopsortfamily oid',
    (ctx) =>
      pgvectorMembers(ctx)
        .flatMap(({ opclass, ops }) => {
          const type = typeOidOf(opclass.type);
          const search = opclass.method === 'btree';
          return ops.map((op, i) => ({
            amopfamily: opclass.oid,
            amoplefttype: type,
            amoprighttype: type,
            amopstrategy: i + 1,
            amoppurpose: search ? 's' : 'o',
            amopopr: operatorOid(op, opclass.type),
            amopmethod: accessMethodOid(opclass.method),
            amopsortfamily: search ? 0 : FLOAT_OPS_FAMILY_OID,
          }));
        })
        .map((row, i) => ({ oid: PGVECTOR_OPERATOR_BASE_OID + 100 + i, ...row })),
  ),
  relation(
    'pg_amproc',
    2603,
    'oid oid, amprocfamily oid, amproclefttype oid, amprocrighttype oid, amprocnum int2, amproc regproc',
    (ctx) =>
      pgvectorMembers(ctx)
        .flatMap(({ opclass, procs }) =>
          procs.map(([num, name]) => {
            const type = typeOidOf(opclass.type);
            const procType = PGVECTOR_PROCS.some((p) => p.name === name && p.args[0] === opclass.type)
              ? opclass.type
              : 'internal';
            return {
              amprocfamily: opclass.oid,
              amproclefttype: type,
              amprocrighttype: type,
              amprocnum: num,
              amproc: pgvectorProcOid(name, procType),
            };
          }),
        )
        .map((row, i) => ({ oid: PGVECTOR_OPERATOR_BASE_OID + 200 + i, ...row })),
  ),
];
