/**
 * regtype text I/O for the built-in types (format_type names out; SQL type names, aliases,
 * typmods and [] in, as regtypein accepts) and pg_typeof(). Types the registry does not
 * know print as their OID, as PostgreSQL does for OIDs without a pg_type row; the catalog
 * may replace this entry to add user-defined types.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { def } from './define.ts';
import { parseOid } from './register-numeric-types.ts';
import { allTypes, registerType, typeByOid, typeInfo } from './registry.ts';
import { type BaseTypeName, sqlType, T } from './type.ts';
import { typeDisplayName, typeOid } from './value-io.ts';

const ALIASES: Record<string, BaseTypeName> = {
  int: 'int4',
  integer: 'int4',
  smallint: 'int2',
  bigint: 'int8',
  real: 'float4',
  float: 'float8',
  'double precision': 'float8',
  boolean: 'bool',
  decimal: 'numeric',
  'character varying': 'varchar',
  character: 'bpchar',
  char: 'bpchar',
  '"char"': 'char',
  'timestamp with time zone': 'timestamptz',
  'timestamp without time zone': 'timestamp',
  'time without time zone': 'time',
};

/** regtypein: a type name (typmod ignored, [] for arrays) or a numeric OID. */
export function parseRegtype(text: string): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return parseOid(t, 'regtype');
  let name = t.toLowerCase().replace(/^pg_catalog\./, '');
  const isArray = name.endsWith('[]');
  if (isArray) name = name.slice(0, -2).trim();
  name = name.replace(/\s*\([^)]*\)/, '').replace(/\s+/g, ' ');
  const base = ALIASES[name] ?? allTypes().find((ti) => ti.name === name || ti.formatType(-1) === name)?.name;
  if (!base || (isArray && !typeInfo(base).arrayOid)) {
    throw new SqlError(SqlState.UndefinedObject, `type "${t}" does not exist`);
  }
  return typeOid(sqlType(base, -1, isArray));
}

export function regtypeName(oid: number): string {
  const found = typeByOid(oid);
  return found ? typeDisplayName(sqlType(found.info.name, -1, found.array)) : String(oid);
}

registerType({
  ...typeInfo('regtype'),
  textIn: (t) => parseRegtype(t),
  textOut: (v) => regtypeName(v as number),
});

// pg_typeof is not strict: pg_typeof(NULL) is 'unknown'.
def('pg_typeof', ['any'], T.regtype, (_args, _ctx, types) => typeOid(types[0]), { strict: false });

// Quiver has no partitioned tables: a relation's only ancestor is itself (psql's \d asks
// this for the tables whose foreign keys reference a table).
def('pg_partition_ancestors', ['regclass'], T.regclass, ([r]) => [r], { returnsSet: true });

// Quiver has no triggers (pg_trigger is empty); psql's \d names the function in its query.
def('pg_get_triggerdef', ['oid'], T.text, () => null);
def('pg_get_triggerdef', ['oid', 'bool'], T.text, () => null);
