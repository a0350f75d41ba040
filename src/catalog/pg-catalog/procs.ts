/**
 * pg_proc: the functions of the vector extension (in its schema, once created), enough for
 * `\df` and the pg_get_function_* functions. Argument and result types are kept as OIDs;
 * the few pseudo-types pgvector's I/O and handler functions use are not in Quiver's type
 * registry, so their OIDs and names live here.
 */

import { parseRegtype, regtypeName } from '../../types/regtype.ts';
import {
  PGVECTOR_AGGREGATES,
  PGVECTOR_INTERNAL,
  PGVECTOR_PROC_BASE_OID,
  PGVECTOR_PROCS,
} from './pgvector-procs.ts';
import {
  BOOTSTRAP_ROLE_OID,
  intVector,
  PUBLIC_OID,
  relation,
  type SystemContext,
  type SystemRow,
} from './relation.ts';

const PSEUDO_TYPES: Record<string, number> = {
  cstring: 2275,
  'cstring[]': 1263,
  internal: 2281,
  index_am_handler: 325,
};

export function typeOidOf(name: string): number {
  return PSEUDO_TYPES[name] ?? parseRegtype(name);
}

/** format_type(oid, NULL) for any type a pg_proc row mentions. */
export function procTypeName(oid: number): string {
  for (const [name, o] of Object.entries(PSEUDO_TYPES)) if (o === oid) return name;
  return regtypeName(oid);
}

export interface ProcInfo {
  readonly oid: number;
  readonly name: string;
  readonly namespace: number;
  readonly argTypes: readonly number[];
  readonly resultType: number;
  readonly kind: 'f' | 'a';
  readonly internal: boolean;
}

/** The procs visible in the session's database. */
export function procs(ctx: Pick<SystemContext, 'database'>): ProcInfo[] {
  const ext = ctx.database.extensions.get('vector');
  if (!ext) return [];
  const namespace = ctx.database.schemas.get(ext.schema)?.oid ?? PUBLIC_OID;
  return PGVECTOR_PROCS.map((p, i) => ({
    oid: PGVECTOR_PROC_BASE_OID + i,
    name: p.name,
    namespace,
    argTypes: p.args.map(typeOidOf),
    resultType: typeOidOf(p.result),
    kind: PGVECTOR_AGGREGATES.has(p.name) ? 'a' : 'f',
    internal: PGVECTOR_INTERNAL.test(p.name),
  }));
}

function procRow(p: ProcInfo): SystemRow {
  return {
    oid: p.oid,
    proname: p.name,
    pronamespace: p.namespace,
    // Aggregates are SQL-level objects (language internal); the rest is pgvector's C code.
    prolang: p.kind === 'a' ? 12 : 13,
    prokind: p.kind,
    proisstrict: p.kind !== 'a' && !p.internal,
    provolatile: p.internal ? 'v' : 'i',
    proparallel: p.internal ? 'u' : 's',
    pronargs: p.argTypes.length,
    prorettype: p.resultType,
    proargtypes: intVector(p.argTypes),
    prosrc: p.kind === 'a' ? 'aggregate_dummy' : p.name,
    probin: p.kind === 'a' ? null : '$libdir/vector',
  };
}

export const procRelations = [
  relation(
    'pg_proc',
    1255,
    'oid oid, proname name, pronamespace oid, proowner oid, prolang oid, procost float4, prorows float4, ' +
      'provariadic oid, prosupport regproc, prokind char, prosecdef bool, proleakproof bool, ' +
      'proisstrict bool, proretset bool, provolatile char, proparallel char, pronargs int2, ' +
      'pronargdefaults int2, prorettype oid, proargtypes oidvector, proallargtypes oid[], ' +
      'proargmodes char[], proargnames text[], proargdefaults pg_node_tree, protrftypes oid[], ' +
      'prosrc text, probin text, prosqlbody pg_node_tree, proconfig text[], proacl aclitem[]',
    (ctx) => procs(ctx).map(procRow),
    {
      proowner: BOOTSTRAP_ROLE_OID,
      procost: 1,
      prorows: 0,
      provariadic: 0,
      prosupport: 0,
      prosecdef: false,
      proleakproof: false,
      proretset: false,
      pronargdefaults: 0,
    },
  ),
];
