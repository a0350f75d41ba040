/**
 * Quiver's catalog objects as PostgreSQL's catalogs number and classify them: every
 * relation of a database with its relkind and namespace OID, access methods, operator
 * classes. pg_class, pg_index, pg_attribute … and the catalog functions (regclass,
 * pg_get_indexdef, pg_table_is_visible) all read them from here.
 */
import type { SqlType } from '../../types/type.ts';
import type { Database, IndexDef, Schema, Sequence, Table } from '../catalog-types.ts';
import { PG_CATALOG_OID } from './relation.ts';

export type UserRelation =
  | {
      readonly kind: 'table';
      readonly oid: number;
      readonly name: string;
      readonly schema: Schema;
      readonly table: Table;
    }
  | {
      readonly kind: 'index';
      readonly oid: number;
      readonly name: string;
      readonly schema: Schema;
      readonly index: IndexDef;
    }
  | {
      readonly kind: 'sequence';
      readonly oid: number;
      readonly name: string;
      readonly schema: Schema;
      readonly sequence: Sequence;
    };

/** Tables and views, indexes and sequences of every schema of the database. */
export function userRelations(db: Database): UserRelation[] {
  const out: UserRelation[] = [];
  for (const schema of db.schemas.values()) {
    for (const table of schema.tables.values())
      out.push({ kind: 'table', oid: table.oid, name: table.name, schema, table });
    for (const index of schema.indexes.values())
      out.push({ kind: 'index', oid: index.oid, name: index.name, schema, index });
    for (const sequence of schema.sequences.values())
      out.push({ kind: 'sequence', oid: sequence.oid, name: sequence.name, schema, sequence });
  }
  return out;
}

export function findUserRelation(db: Database, oid: number): UserRelation | undefined {
  return userRelations(db).find((r) => r.oid === oid);
}

export function findTableByOid(db: Database, oid: number): Table | undefined {
  const r = findUserRelation(db, oid);
  return r?.kind === 'table' ? r.table : undefined;
}

export function findIndexByOid(db: Database, oid: number): IndexDef | undefined {
  const r = findUserRelation(db, oid);
  return r?.kind === 'index' ? r.index : undefined;
}

export function namespaceName(db: Database, oid: number): string | undefined {
  if (oid === PG_CATALOG_OID) return 'pg_catalog';
  for (const s of db.schemas.values()) if (s.oid === oid) return s.name;
  return oid === 13000 ? 'information_schema' : undefined;
}

/** The column a serial/identity sequence belongs to (pg_depend 'a' / 'i'). */
export function sequenceOwner(
  seq: Sequence,
): { table: Table; attnum: number; identity: boolean } | undefined {
  for (const table of seq.schema.tables.values()) {
    for (const c of table.columns) {
      if (c.sequence === seq) return { table, attnum: c.attnum, identity: c.identity !== null };
    }
  }
  return undefined;
}

/** pg_am: PostgreSQL's built-in methods and pgvector's two. */
export const ACCESS_METHODS: readonly { oid: number; name: string; handler: string; type: 't' | 'i' }[] = [
  { oid: 2, name: 'heap', handler: 'heap_tableam_handler', type: 't' },
  { oid: 403, name: 'btree', handler: 'bthandler', type: 'i' },
  { oid: 405, name: 'hash', handler: 'hashhandler', type: 'i' },
  { oid: 783, name: 'gist', handler: 'gisthandler', type: 'i' },
  { oid: 2742, name: 'gin', handler: 'ginhandler', type: 'i' },
  { oid: 4000, name: 'spgist', handler: 'spghandler', type: 'i' },
  { oid: 3580, name: 'brin', handler: 'brinhandler', type: 'i' },
  { oid: 16391, name: 'ivfflat', handler: 'ivfflathandler', type: 'i' },
  { oid: 16394, name: 'hnsw', handler: 'hnswhandler', type: 'i' },
];

export const HEAP_AM_OID = 2;

export function accessMethodOid(name: string): number {
  return ACCESS_METHODS.find((a) => a.name === name)?.oid ?? 0;
}

export interface OperatorClass {
  readonly oid: number;
  readonly method: string;
  readonly name: string;
  /** The indexed type's name in the type registry. */
  readonly type: string;
  readonly isDefault: boolean;
  readonly extension: boolean;
}

/** btree default operator classes (pg_opclass.dat) for the types Quiver can index. */
const BTREE_DEFAULTS: Record<string, [number, string]> = {
  bit: [10002, 'bit_ops'],
  bool: [10003, 'bool_ops'],
  bpchar: [10004, 'bpchar_ops'],
  bytea: [10006, 'bytea_ops'],
  char: [10007, 'char_ops'],
  date: [3122, 'date_ops'],
  float4: [10012, 'float4_ops'],
  float8: [3123, 'float8_ops'],
  int2: [1979, 'int2_ops'],
  int4: [1978, 'int4_ops'],
  int8: [3124, 'int8_ops'],
  interval: [10022, 'interval_ops'],
  jsonb: [10088, 'jsonb_ops'],
  name: [10028, 'name_ops'],
  numeric: [3125, 'numeric_ops'],
  oid: [1981, 'oid_ops'],
  text: [3126, 'text_ops'],
  time: [10038, 'time_ops'],
  timestamp: [3128, 'timestamp_ops'],
  timestamptz: [3127, 'timestamptz_ops'],
  uuid: [10065, 'uuid_ops'],
  varbit: [10043, 'varbit_ops'],
};

/** pgvector's operator classes; ivfflat's vector_l2_ops and the btree classes are defaults. OIDs pinned like its functions. */
const VECTOR_OPCLASSES: readonly [string, string, string][] = [
  ['ivfflat', 'vector_l2_ops', 'vector'],
  ['ivfflat', 'vector_ip_ops', 'vector'],
  ['ivfflat', 'vector_cosine_ops', 'vector'],
  ['hnsw', 'vector_l2_ops', 'vector'],
  ['hnsw', 'vector_ip_ops', 'vector'],
  ['hnsw', 'vector_cosine_ops', 'vector'],
  ['hnsw', 'vector_l1_ops', 'vector'],
  ['ivfflat', 'halfvec_l2_ops', 'halfvec'],
  ['ivfflat', 'halfvec_ip_ops', 'halfvec'],
  ['ivfflat', 'halfvec_cosine_ops', 'halfvec'],
  ['hnsw', 'halfvec_l2_ops', 'halfvec'],
  ['hnsw', 'halfvec_ip_ops', 'halfvec'],
  ['hnsw', 'halfvec_cosine_ops', 'halfvec'],
  ['hnsw', 'halfvec_l1_ops', 'halfvec'],
  ['ivfflat', 'bit_hamming_ops', 'bit'],
  ['hnsw', 'bit_hamming_ops', 'bit'],
  ['hnsw', 'bit_jaccard_ops', 'bit'],
  ['hnsw', 'sparsevec_l2_ops', 'sparsevec'],
  ['hnsw', 'sparsevec_ip_ops', 'sparsevec'],
  ['hnsw', 'sparsevec_cosine_ops', 'sparsevec'],
  ['hnsw', 'sparsevec_l1_ops', 'sparsevec'],
  ['btree', 'vector_ops', 'vector'],
  ['btree', 'halfvec_ops', 'halfvec'],
  ['btree', 'sparsevec_ops', 'sparsevec'],
];

/** gin's operator classes in PostgreSQL 15 (pg_opclass.dat): [oid, name, type, default]. */
const GIN_OPCLASSES: readonly [number, string, string, boolean][] = [
  [10064, 'array_ops', 'anyarray', true],
  [10073, 'tsvector_ops', 'tsvector', true],
  [10090, 'jsonb_ops', 'jsonb', true],
  [10091, 'jsonb_path_ops', 'jsonb', false],
];

export const OPERATOR_CLASSES: readonly OperatorClass[] = [
  ...GIN_OPCLASSES.map(([oid, name, type, isDefault]) => ({
    oid,
    method: 'gin',
    name,
    type,
    isDefault,
    extension: false,
  })),
  ...Object.entries(BTREE_DEFAULTS).map(([type, [oid, name]]) => ({
    oid,
    method: 'btree',
    name,
    type,
    isDefault: true,
    extension: false,
  })),
  ...VECTOR_OPCLASSES.map(([method, name, type], i) => ({
    oid: 14900 + i,
    method,
    name,
    type,
    isDefault: method === 'btree' || (method === 'ivfflat' && name === 'vector_l2_ops'),
    extension: true,
  })),
];

/**
 * The type name an operator class is declared for that accepts `type`: `anyarray` for every
 * array (gin's array_ops), text for varchar (text_ops, binary-compatible), else its own.
 */
export function opclassTypeName(type: SqlType): string {
  if (type.isArray) return 'anyarray';
  return type.base === 'varchar' ? 'text' : type.base;
}

/** The operator class an index key uses: the one named at CREATE INDEX, else the type's default. */
export function indexOpclass(index: IndexDef, key: number, keyType: SqlType): OperatorClass | undefined {
  const named = index.opclasses[key];
  const method = index.method;
  const type = opclassTypeName(keyType);
  return OPERATOR_CLASSES.find(
    (o) => o.method === method && (named ? o.name === named : o.isDefault && o.type === type),
  );
}
